"""Notification mail: one message per notification, or a reader's daily digest.

Only workers run this (``notify_tasks.py``), never a request. Never twice: a notification is
claimed (``mail_state`` "" -> "sending", one committed UPDATE that only one worker can win)
before the mail server is asked, and marked "sent" after. A send that raises puts it back
("failed", which a retry may claim again); a worker that dies between the two leaves it in
"sending", and it is not mailed again (its mail may have gone out). A digest claims its
``DigestRun`` row (one per reader and day) the same way, then its notifications.

Every mail is built by ``forum.mail.build_message``: text and HTML, ``List-Unsubscribe`` and
``List-Unsubscribe-Post`` (RFC 8058), and a one-click link registered here as kind "notify"
(``register``) that turns the mail's kind to "never" without signing in.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from comments.models import Comment
from comments.thread.page import anchor_url
from forum import mail
from forum.errors import InvalidInput, NotFound
from roundups.models import published_filter

from . import preferences
from .models import DigestRun, MailState, MailTiming, Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind
UNSUBSCRIBE_KIND = "notify"
DIGEST = "digest"  # the unsubscribe arg of a digest: every kind it carries
DIGEST_WINDOW = timedelta(days=7)  # a digest never reaches further back than this
EXCERPT_MAX = 600
CLAIMABLE = (MailState.PENDING, MailState.FAILED)


# --- one-click unsubscribe ---------------------------------------------------------------------


def register() -> None:
    """Called from ``NotificationsConfig.ready()``: how a "notify" link is described and applied."""
    mail.register_unsubscribe(UNSUBSCRIBE_KIND, describe=_describe, apply=_apply)


def _reader(subject: str):
    user = get_user_model().objects.filter(pk=int(subject) if subject.isdigit() else 0).first()
    if user is None:
        raise NotFound("This account no longer exists.")
    return user


def _kinds_of(arg: str, user) -> list[str]:
    if arg == DIGEST:
        prefs = preferences.preferences_for(user.pk)
        return [kind for kind, delivery in prefs.items() if delivery == MailTiming.DIGEST]
    if arg not in preferences.DEFAULTS:
        raise InvalidInput("This unsubscribe link names a kind of mail the site does not send.")
    return [arg]


def _what(arg: str) -> str:
    if arg == DIGEST:
        return "the daily digest"
    return "emails about " + preferences.KIND_NAMES.get(arg, arg)


def _describe(subject: str, arg: str) -> str:
    user = _reader(subject)
    _kinds_of(arg, user)
    return f"Stop {_what(arg)} to {user.username}? They still show in your notifications."


def _apply(subject: str, arg: str) -> str:
    user = _reader(subject)
    kinds = _kinds_of(arg, user)
    preferences.preferences_set(user=user, choices=dict.fromkeys(kinds, MailTiming.NEVER))
    return (
        f"Done: no more {_what(arg)} to {user.username}. They still show in your notifications; "
        "your settings page changes this back."
    )


# --- one mail per notification -----------------------------------------------------------------


def mailable(user) -> bool:
    return bool(user.email) and user.is_active


def is_visible(note: Notification) -> bool:
    """Readers can still see what the notification is about (a removed comment mails nobody;
    a moderator's action is about the author's own comment, removed or not)."""
    moderation = note.kind == Kind.MODERATION
    if (
        note.comment_id is not None
        and not moderation
        and note.comment.state != Comment.State.VISIBLE
    ):
        return False
    return note.roundup_id is None or note.roundup.is_published


def link(note: Notification) -> str:
    """The absolute link a mail gives for a notification: the comment, the roundup, the inbox."""
    if note.comment_id is not None:
        return settings.SITE_URL + anchor_url(note.comment)
    if note.roundup_id is not None:
        return settings.SITE_URL + note.roundup.get_absolute_url()
    return settings.SITE_URL + "/notifications/"


def _claim(ids) -> int:
    return Notification.objects.filter(pk__in=list(ids), mail_state__in=CLAIMABLE).update(
        mail_state=MailState.SENDING
    )


def _finish(ids, state) -> None:
    mailed_at = timezone.now() if state == MailState.SENT else None
    Notification.objects.filter(pk__in=list(ids)).update(mail_state=state, mailed_at=mailed_at)


def send_one(notification_id: int) -> str:
    """Mail one notification if its reader wants it now; returns what happened (for the log)."""
    note = (
        Notification.objects.select_related("user", "actor", "roundup", "comment__text")
        .filter(pk=notification_id)
        .first()
    )
    if note is None or note.mail_state not in CLAIMABLE:
        return "done already"
    if preferences.preferences_for(note.user_id)[note.kind] != MailTiming.IMMEDIATELY:
        return "not wanted now"  # a digest takes it, or never
    if not mailable(note.user):
        return "no address"
    if not is_visible(note):
        _finish([note.pk], MailState.SKIPPED)
        return "not visible"
    if not _claim([note.pk]):
        return "claimed by another worker"
    try:
        _message_for(note).send()
    except Exception:
        _finish([note.pk], MailState.FAILED)
        raise
    _finish([note.pk], MailState.SENT)
    return "sent"


def _message_for(note: Notification):
    body = ""
    if note.comment_id is not None and note.kind != Kind.MODERATION:
        body = note.comment.text.body
    context = {
        "note": note,
        "excerpt": body[:EXCERPT_MAX] + ("…" if len(body) > EXCERPT_MAX else ""),
        "url": link(note),
        "kind_name": preferences.KIND_NAMES[note.kind],
        "settings_url": settings.SITE_URL + "/settings/#mail",
    }
    return mail.build_message(
        to=note.user.email,
        subject=note.text,
        text=render_to_string("notifications/email/notification.txt", context),
        html=render_to_string("notifications/email/notification.html", context),
        unsubscribe=mail.unsubscribe_url(UNSUBSCRIBE_KIND, note.user_id, note.kind),
    )


# --- the daily digest --------------------------------------------------------------------------


def digest_candidates(user_id=None):
    """Notifications a digest carries: unread, not mailed, recent, of a kind the reader gets in
    the digest, about something still visible."""
    since = timezone.now() - DIGEST_WINDOW
    notes = Notification.objects.filter(
        preferences.delivered_as(MailTiming.DIGEST),
        mail_state=MailState.PENDING,
        read_at__isnull=True,
        created_at__gte=since,
    ).filter(
        Q(comment__isnull=True) | Q(comment__state=Comment.State.VISIBLE) | Q(kind=Kind.MODERATION),
        Q(roundup__isnull=True) | published_filter("roundup__"),
    )
    return notes if user_id is None else notes.filter(user_id=user_id)


def send_digest(run_id: int) -> str:
    """Mail one reader's digest of one day, once; returns what happened."""
    run = DigestRun.objects.select_related("user").filter(pk=run_id).first()
    if run is None or not _claim_run(run, DigestRun.State.QUEUED, DigestRun.State.SENDING):
        return "done already"
    notes = list(
        digest_candidates(run.user_id)
        .select_related("roundup", "comment")
        .order_by("roundup_id", "-created_at")
    )
    if not notes or not mailable(run.user) or not _claim([n.pk for n in notes]):
        _claim_run(run, DigestRun.State.SENDING, DigestRun.State.EMPTY)
        return "nothing to send"
    ids = [n.pk for n in notes]
    try:
        _digest_message(run, notes).send()
    except Exception:
        _finish(ids, MailState.PENDING)
        _claim_run(run, DigestRun.State.SENDING, DigestRun.State.QUEUED)  # the retry claims it
        raise
    _finish(ids, MailState.SENT)
    DigestRun.objects.filter(pk=run.pk).update(
        state=DigestRun.State.SENT, notifications=len(notes), sent_at=timezone.now()
    )
    return f"sent {len(notes)}"


def _claim_run(run: DigestRun, before: str, after: str) -> bool:
    return bool(DigestRun.objects.filter(pk=run.pk, state=before).update(state=after))


def digest_groups(notes) -> list[dict]:
    """The digest's sections: one per roundup (then one for the rest), with counts by kind."""
    groups: dict = defaultdict(list)
    for note in notes:
        groups[note.roundup_id].append(note)
    sections = []
    for roundup_id, members in groups.items():
        counts = defaultdict(int)
        for note in members:
            counts[note.kind] += 1
        sections.append({
            "title": members[0].roundup.title if roundup_id else "Other news",
            "url": link(members[0]) if roundup_id is None else
            settings.SITE_URL + members[0].roundup.get_absolute_url(),
            "count": len(members),
            "counts": [(Kind(kind).label, n) for kind, n in counts.items()],
            "items": [{"text": note.text, "url": link(note)} for note in members],
        })  # fmt: skip
    sections.sort(key=lambda section: (-section["count"], section["title"]))
    return sections


def _digest_message(run: DigestRun, notes):
    sections = digest_groups(notes)
    context = {
        "user": run.user,
        "day": run.day,
        "total": len(notes),
        "sections": sections,
        "inbox_url": settings.SITE_URL + "/notifications/",
        "settings_url": settings.SITE_URL + "/settings/#mail",
    }
    plural = "" if len(notes) == 1 else "s"
    return mail.build_message(
        to=run.user.email,
        subject=f"Your Roundups digest: {len(notes)} notification{plural}",
        text=render_to_string("notifications/email/digest.txt", context),
        html=render_to_string("notifications/email/digest.html", context),
        unsubscribe=mail.unsubscribe_url(UNSUBSCRIBE_KIND, run.user_id, DIGEST),
    )


def schedule_digests(day) -> list[int]:
    """Claim ``day``'s digest for every reader who has something for it; returns the new runs.

    A ``DigestRun`` row per (reader, day), unique: the insert is the claim, so a second run of
    ``send_digests`` the same day, or one on another host at the same time, inserts nothing for
    the readers already claimed and enqueues nothing for them.
    """
    user_ids = set(
        digest_candidates()
        .filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
        .distinct()
    )
    user_ids -= set(DigestRun.objects.filter(day=day).values_list("user_id", flat=True))
    created = []
    for user_id in sorted(user_ids):
        try:
            with transaction.atomic():
                created.append(DigestRun.objects.create(user_id=user_id, day=day).pk)
        except IntegrityError:  # another run of the command claimed this reader first
            continue
    return created


def stale_runs(day, older_than=timedelta(minutes=30)) -> list[int]:
    """``day``'s runs still queued long after they were made: their task was lost (the database
    went away between the insert and the enqueue). Enqueued again; the claim keeps it to one."""
    cutoff = timezone.now() - older_than
    return list(
        DigestRun.objects.filter(
            day=day, state=DigestRun.State.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
