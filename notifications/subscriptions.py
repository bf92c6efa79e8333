"""Series subscriptions by mail: every write, and the rules that keep the form from abuse.

* A signed-in reader subscribes in one click, with their account's address (it is theirs: they
  signed in). Anyone else gives an address and gets one confirmation mail with a signed link
  (double opt-in); nothing else is ever sent to an address that has not confirmed.
* Asking again for an address that has not confirmed sends the confirmation again, at most
  ``ADDRESS_RATE`` times a day per address and ``CLIENT_RATE`` an hour per client, so the form
  cannot be used to fill someone's inbox. Past the address limit nothing is sent and the answer
  is the same; past the client limit the answer is a 429, which says nothing about the address.
* The answer to an address never tells whether it is subscribed (``ADDRESS_DONE`` every time).
* Unsubscribing (the one-click link in every mail, kind ``series``; the page's button; the API)
  stamps ``unsubscribed_at``; rows are never deleted. An unsubscribed address typed into the form
  again is pending until it confirms again.

The confirmation and the mails are sent by the task worker (``notifications/tasks.py``), enqueued
when the transaction commits: no mail is sent inside a request.
"""

import logging

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from forum import mail, ratelimit
from forum.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from forum.tasks import enqueue_on_commit

from .models import Subscription

logger = logging.getLogger(__name__)

CONFIRM_SALT = "notifications.series.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a confirmation link older than a week asks to subscribe again
ADDRESS_RATE = ratelimit.Rate(limit=3, window=24 * 3600)  # confirmation mails to one address
CLIENT_RATE = ratelimit.Rate(limit=10, window=3600)  # addresses one client may ask for
ADDRESS_SCOPE, CLIENT_SCOPE = "series-confirm-address", "series-confirm-client"
ADDRESS_DONE = (
    "Check your inbox: if this address is not subscribed yet, a mail with a confirmation link is "
    "on its way. Nothing else is sent to it until the link is followed."
)
EMAIL_MAX = Subscription._meta.get_field("email").max_length


def clean_address(email) -> str:
    """The address as stored (trimmed, lower-cased); ``InvalidInput`` if it is not one."""
    if not isinstance(email, str) or not email.strip():
        raise InvalidInput("Enter your email address.", fields={"email": "Required."})
    email = email.strip().lower()
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            "Enter a valid email address.", fields={"email": "Not an email address."}
        ) from None
    return email


# --- signed-in readers --------------------------------------------------------------------------


def reader_subscribe(*, user, series) -> Subscription:
    """Subscribe ``user`` with their account's address, confirmed at once; idempotent."""
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to subscribe with your account.")
    if not user.email:
        raise InvalidInput("Your account has no email address: add one in your settings first.")
    email, now = clean_address(user.email), timezone.now()
    with transaction.atomic():
        found = list(
            Subscription.objects.select_for_update().filter(
                Q(user=user) | Q(email=email), series=series
            )
        )
        # The address's row wins; the reader's row for an old address (if any) is retired.
        found.sort(key=lambda row: row.email != email)
        row = found[0] if found else Subscription(series=series, created_at=now)
        for other in found[1:]:
            Subscription.objects.filter(pk=other.pk).update(user=None, unsubscribed_at=now)
        row.user, row.email = user, email
        if row.confirmed_at is None or row.unsubscribed_at is not None:
            row.confirmed_at = now  # (again): roundups published before now are not theirs
        row.unsubscribed_at = None
        row.save()
    logger.info("user %s subscribed to series %s", user.pk, series.pk)
    return row


def reader_unsubscribe(*, user, series) -> bool:
    """Stop ``user``'s mail of ``series``; True if they were subscribed."""
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to do that.")
    stopped = Subscription.objects.filter(
        Q(user=user) | Q(email=(user.email or "").strip().lower()),
        series=series,
        unsubscribed_at__isnull=True,
    ).update(unsubscribed_at=timezone.now())
    logger.info("user %s unsubscribed from series %s", user.pk, series.pk)
    return stopped > 0


# --- anyone, by address (double opt-in) ---------------------------------------------------------


def address_subscribe(*, series, email, client: str) -> str:
    """Ask for ``series`` by mail at ``email``: a confirmation mail, unless it is not needed.

    Returns the same sentence whatever the address's state (``ADDRESS_DONE``). ``client`` is the
    requester's address (``ratelimit.client_address``). Raises ``InvalidInput`` for a malformed
    address and ``RateLimited`` when this client asked for too many.
    """
    email = clean_address(email)
    wait = ratelimit.hit(CLIENT_SCOPE, client, CLIENT_RATE)
    if wait:
        raise RateLimited("Too many subscriptions from here; try again later.", retry_after=wait)
    with transaction.atomic():
        row = _pending_row(series, email)
        if row is None:
            return ADDRESS_DONE  # already subscribed: nothing to confirm, nothing said
        if ratelimit.hit(ADDRESS_SCOPE, email, ADDRESS_RATE):
            logger.info("confirmation to a subscriber of series %s held back", series.pk)
            return ADDRESS_DONE
        from .tasks import send_confirmation  # tasks import this module

        enqueue_on_commit(send_confirmation, row.pk)
    return ADDRESS_DONE


def _pending_row(series, email) -> Subscription | None:
    """The address's row, made pending if it is new or was unsubscribed; None if it is active."""
    now = timezone.now()
    try:
        with transaction.atomic():
            row, created = Subscription.objects.select_for_update().get_or_create(
                series=series, email=email, defaults={"created_at": now}
            )
    except IntegrityError:  # a concurrent request created it first
        row = Subscription.objects.select_for_update().get(series=series, email=email)
    if row.is_active:
        return None
    if row.unsubscribed_at is not None:
        row.confirmed_at = row.unsubscribed_at = None
        row.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return row


def confirm_token(row: Subscription) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object([row.pk, row.email])


def read_confirm_token(token: str) -> Subscription:
    """The row a confirmation link names; ``InvalidInput`` for a forged, stale or changed one."""
    try:
        pk, email = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
            token, max_age=CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired:
        raise InvalidInput("This link has expired: subscribe again for a new one.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput("This confirmation link is not valid. Copy the whole link.") from None
    row = Subscription.objects.select_related("series").filter(pk=pk, email=email).first()
    if row is None:
        raise InvalidInput("This confirmation link is not valid any more: subscribe again.")
    return row


def confirm(token: str) -> Subscription:
    """Confirm the address a link names (the POST of the link's page); harmless twice."""
    row = read_confirm_token(token)
    with transaction.atomic():
        Subscription.objects.filter(pk=row.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(), unsubscribed_at=None
        )
    row.refresh_from_db()
    logger.info("subscription %s confirmed", row.pk)
    return row


# --- one-click unsubscribe (kind "series", registered in apps.py) ------------------------------


def unsubscribe_link(row: Subscription) -> str:
    return mail.unsubscribe_url("series", row.pk, row.series.slug)


def describe_unsubscribe(subject: str, arg: str) -> str:
    row = _row_for_token(subject)
    return f"Stop sending roundups of “{row.series.name}” to {row.email}?"


def apply_unsubscribe(subject: str, arg: str) -> str:
    row = _row_for_token(subject)
    Subscription.objects.filter(pk=row.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    logger.info("subscription %s unsubscribed by its link", row.pk)
    return f"Done: no more roundups of “{row.series.name}” to {row.email}."


def _row_for_token(subject: str) -> Subscription:
    row = None
    if str(subject).isdigit():
        row = Subscription.objects.select_related("series").filter(pk=int(subject)).first()
    if row is None:
        raise NotFound("This subscription no longer exists.")
    return row
