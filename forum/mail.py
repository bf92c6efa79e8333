"""Mail the site sends: the one message builder, and one-click unsubscribe (RFC 8058).

Every mail is built by ``build_message``, which puts the unsubscribe link in the body's footer
and in the headers mail clients act on::

    List-Unsubscribe: <https://site/unsubscribe/TOKEN>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

The token is signed (``django.core.signing.Signer``, salted for this use, no timestamp) and names
what to stop: a ``kind`` registered by the app that owns it (``register_unsubscribe``), the
``subject`` (a user's id, or an address for a subscriber without an account) and an ``arg`` (a
notification kind, a series slug). Lower apps cannot import higher ones, so the app that sends a
kind of mail registers the handler that stops it, in its ``AppConfig.ready()``, the same way hooks
are declared (``forum/hooks.py``). The token needs no session and never expires: an old mail's link
still works.

``/unsubscribe/<token>`` (``unsubscribe_view``): a GET shows what the link stops with one button
(link scanners and previews GET every link, so a GET never changes anything); a POST, from that
button or from a mail client's one-click ``List-Unsubscribe=One-Click`` request, which carries no
session and no CSRF token, applies it. Applying twice is harmless.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from forum.errors import InvalidInput

SALT = "forum.mail.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    """What one link stops: ``describe`` says it before the click, ``apply`` does it."""

    describe: Callable[[str, str], str]
    apply: Callable[[str, str], str]


_kinds: dict[str, Unsubscribe] = {}


def register_unsubscribe(kind: str, *, describe, apply) -> None:
    """Declare how to stop mail of ``kind``: ``describe(subject, arg)`` and ``apply(subject, arg)``
    each return a sentence for the page; ``apply`` must be idempotent and may raise
    ``forum.errors.NotFound`` when the subscription is gone."""
    _kinds[kind] = Unsubscribe(describe=describe, apply=apply)


def unsubscribe_token(kind: str, subject, arg: str = "") -> str:
    if kind not in _kinds:
        raise ValueError(f"no unsubscribe handler registered for {kind!r}")
    return signing.Signer(salt=SALT).sign_object([kind, str(subject), arg], compress=True)


def unsubscribe_url(kind: str, subject, arg: str = "") -> str:
    """The absolute one-click link (``SITE_URL``: a worker has no request to build it from)."""
    token = unsubscribe_token(kind, subject, arg)
    return settings.SITE_URL + reverse("unsubscribe", args=[token])


def read_token(token: str) -> tuple[Unsubscribe, str, str]:
    """The handler, subject and arg a token names; ``InvalidInput`` for a forged or stale one."""
    try:
        kind, subject, arg = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput(
            "This unsubscribe link is not valid. Copy the whole link from the mail."
        ) from exc
    if kind not in _kinds:
        raise InvalidInput("This unsubscribe link is for a kind of mail the site no longer sends.")
    return _kinds[kind], subject, arg


def build_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    unsubscribe: str,
    headers: dict | None = None,
    connection=None,
) -> EmailMultiAlternatives:
    """One mail to one address, with the unsubscribe link in both parts and in the RFC 8058 headers.

    ``text`` and ``html`` are the bodies without the footer; ``unsubscribe`` is the link from
    ``unsubscribe_url``. Subject lines are single lines: any line break is replaced, so a title
    cannot inject a header.
    """
    footer = f"\n\n--\nUnsubscribe: {unsubscribe}\n"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text.rstrip() + footer,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            **(headers or {}),
        },
        connection=connection,
    )
    if html is not None:
        link = f'<a href="{unsubscribe}" style="color:#555">Unsubscribe</a>'
        message.attach_alternative(
            html + f'<p style="font-size:12px;color:#555;margin-top:24px">{link}</p>', "text/html"
        )
    return message
