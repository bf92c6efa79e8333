"""Every notifications write: who hears about what, following, muting, marking read.

Receivers of the lower apps' hooks (registered in ``apps.py``) run inside the writer's
transaction, each in a savepoint (``forum/hooks.py``), and cost a fixed, small number of queries:
a new comment's fan-out (followers, mentions, mutes, the rows, the mail) is a task
(``notify_tasks.fan_out_comment``, rules in ``fanout.py``). Every notification made here
enqueues its mail task on commit; the task mails it only if its reader wants it immediately.
"""

import logging

from django.db import connections, router, transaction
from django.utils import timezone

from comments.models import Comment
from forum.errors import InvalidInput, NotAllowed, NotFound
from forum.hooks import part_of_the_write
from forum.tasks import enqueue_on_commit, enqueue_with_write

from . import notify_tasks
from .models import Follow, MutedSubthread, Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind
TEXT_MAX = 1000  # Notification.text
NORMAL = "normal"  # the level without a row: replies and mentions only
WATCHING = Follow.Level.WATCHING
LEVELS = (WATCHING, NORMAL, Follow.Level.MUTED)
MARK_READ_MAX_IDS = 500  # one request's worth; a reader clears more with "all"

_MODERATION = {
    "edit": "A moderator edited your comment on “{title}”: {reason}",
    "remove": "A moderator removed your comment on “{title}”: {reason}",
    "restore": "A moderator restored your comment on “{title}”: {reason}",
}


def _require_user(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to do that.")


# --- receivers of comments' and roundups' hooks ------------------------------------------------


@part_of_the_write
def on_comment_posted(*, comment: Comment, mentioned_ids) -> None:
    """The poster follows the discussion; who else hears of it is the task's work (fanout.py).

    This runs in the post's request and transaction, so it does a fixed minimum: the follow's
    ``INSERT ... ON CONFLICT DO NOTHING`` (an earlier choice, a mute say, stays) written with
    the task's row (``enqueue_with_write``): one statement on PostgreSQL, two on SQLite, and no
    savepoint (``part_of_the_write``): the post and its notification commit together or not at
    all. A post that rolls back tells nobody and follows nothing.
    """
    follow = _follow_statement(comment.author_id, comment.roundup_id)
    if comment.roundup.is_published and comment.state == Comment.State.VISIBLE:
        enqueue_with_write(
            notify_tasks.fan_out_comment, comment.pk, list(mentioned_ids), statement=follow
        )
    else:
        with connections[router.db_for_write(Follow)].cursor() as cursor:
            cursor.execute(*follow)


def _follow_statement(user_id, roundup_id) -> tuple[str, list]:
    """``Follow.objects.bulk_create(..., ignore_conflicts=True)`` as one written statement: the
    ORM's compiling of it was most of its cost in a reply (bench/findings.md, round 4). Both
    SQLite (3.24+) and PostgreSQL read ``ON CONFLICT DO NOTHING``."""
    connection = connections[router.db_for_write(Follow)]
    sql = _FOLLOW_SQL.format(table=connection.ops.quote_name(Follow._meta.db_table))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return sql, [user_id, roundup_id, WATCHING.value, now]


_FOLLOW_SQL = (
    "INSERT INTO {table} (user_id, roundup_id, level, created_at) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)


def on_comment_edited(*, comment: Comment, mentioned_ids) -> None:
    """An edit named new people (``mentioned_ids``: only those the old text did not name)."""
    if mentioned_ids:
        enqueue_on_commit(notify_tasks.fan_out_comment, comment.pk, list(mentioned_ids), True)


def on_comment_moderated(*, comment: Comment, by, action, reason) -> None:
    """Tell the author what a moderator did to their comment, and why."""
    if by.pk == comment.author_id or action not in _MODERATION:
        return
    text = _MODERATION[action].format(title=comment.roundup.title, reason=reason)
    note = Notification.objects.create(
        user_id=comment.author_id, kind=Kind.MODERATION, actor=None, roundup=comment.roundup,
        comment=comment, text=text[:TEXT_MAX],
    )  # fmt: skip
    enqueue_on_commit(notify_tasks.send_notification_mail, note.pk)


def on_roundup_published(*, roundup) -> None:
    """The author follows the discussion of what they publish."""
    Follow.objects.bulk_create(
        [Follow(user_id=roundup.author_id, roundup=roundup, level=Follow.Level.WATCHING)],
        ignore_conflicts=True,  # their own earlier choice (a mute, say) stays
    )


def notify_suggestion(*, users, actor, roundup, text) -> None:
    """Tell readers about their paper suggestions (papers calls this: it sits above us).

    A draft's title is not shown to anyone but its author: the caller words ``text`` for that.
    """
    notes = Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            kind=Kind.SUGGESTION,
            actor=actor,
            roundup=roundup,
            text=text[:TEXT_MAX],
        )
        for user_id in set(users) - {getattr(actor, "pk", None)}
    )
    for note in notes:
        enqueue_on_commit(notify_tasks.send_notification_mail, note.pk)


# --- a reader's own choices --------------------------------------------------------------------


def follow_set(*, user, roundup, level) -> str:
    """Set ``user``'s level on ``roundup``'s discussion: watching, normal (no row) or muted."""
    _require_user(user)
    if level not in LEVELS:
        raise InvalidInput("Choose watching, normal or muted.", fields={"level": "Unknown level."})
    if not roundup.is_published and roundup.author_id != user.pk:
        raise NotFound("No such roundup.")
    with transaction.atomic():
        if level == NORMAL:
            Follow.objects.filter(user=user, roundup=roundup).delete()
        else:
            Follow.objects.update_or_create(user=user, roundup=roundup, defaults={"level": level})
    logger.info("user %s set %s on roundup %s", user.pk, level, roundup.pk)
    return level


def subthread_mute(*, user, comment: Comment, muted=True) -> None:
    """Stop (or, with ``muted=False``, restart) notifications of replies below ``comment``."""
    _require_user(user)
    if not comment.roundup.is_published and comment.roundup.author_id != user.pk:
        raise NotFound("No such comment.")
    with transaction.atomic():
        if muted:
            MutedSubthread.objects.get_or_create(user=user, comment=comment)
        else:
            MutedSubthread.objects.filter(user=user, comment=comment).delete()
    logger.info("user %s %s below comment %s", user.pk, "muted" if muted else "unmuted", comment.pk)


def mark_read(*, user, ids=None, everything=False) -> int:
    """Mark the reader's notifications ``ids`` (or all of them) read; returns how many changed.

    Ids that are not the reader's are ignored, as are ones already read: marking is idempotent.
    """
    _require_user(user)
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if not everything:
        ids = _clean_ids(ids)
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())  # one statement: atomic on its own


def _clean_ids(ids) -> list[int]:
    if not isinstance(ids, list | tuple) or not ids:
        raise InvalidInput("Give the ids to mark read, or all.", fields={"ids": "A list of ids."})
    if len(ids) > MARK_READ_MAX_IDS:
        raise InvalidInput(
            f"At most {MARK_READ_MAX_IDS} ids at once; mark all read instead.",
            fields={"ids": "Too many ids."},
        )
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids):
        raise InvalidInput("Ids are positive whole numbers.", fields={"ids": "Not an id."})
    return list(ids)
