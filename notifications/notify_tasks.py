"""The notifications app's tasks (``forum/tasks.py``'s ``background``: retries with backoff).

Arguments are ids: a task reads the rows when it runs, so it sees the comment as it is then
(removed since? nobody is told) and may run twice without harm (see ``fanout.py`` and
``mailing.py`` for why each is idempotent).
"""

import logging
from collections import defaultdict

from forum.tasks import background

from . import fanout, mailing, preferences
from .models import MailTiming, Notification

logger = logging.getLogger(__name__)


@background(queue_name="default")
def fan_out_comment(comment_id: int, mentioned_ids: list, mentions_only: bool = False) -> int:
    """Notify who a new comment (or an edit's new mentions) concerns, then mail who wants it now."""
    ids = fanout.fan_out(comment_id, mentioned_ids, mentions_only=mentions_only)
    mail_now(ids)
    return len(ids)


def mail_now(notification_ids) -> int:
    """Enqueue one mail task per notification whose reader wants it immediately and has an
    address (a query, then one per kind present); the send task checks again when it runs."""
    by_kind: dict[str, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        Notification.objects.filter(pk__in=list(notification_ids))
        .exclude(user__email="")
        .values_list("pk", "user_id", "kind")
    )
    for pk, user_id, kind in rows:
        by_kind[kind].append((pk, user_id))
    wanted = []
    for kind, notes in by_kind.items():
        deliveries = preferences.deliveries_for({user_id for _, user_id in notes}, kind)
        wanted += [pk for pk, user_id in notes if deliveries[user_id] == MailTiming.IMMEDIATELY]
    for pk in sorted(wanted):
        send_notification_mail.enqueue(pk)
    return len(wanted)


@background(queue_name="mail", retry_on=(OSError,))
def send_notification_mail(notification_id: int) -> str:
    """One notification's mail (an SMTP error is an ``OSError``: retried with backoff)."""
    return mailing.send_one(notification_id)


@background(queue_name="mail", retry_on=(OSError,))
def send_digest(run_id: int) -> str:
    """One reader's daily digest (``manage.py send_digests`` enqueues one per reader)."""
    return mailing.send_digest(run_id)
