"""Every notifications write: who hears about what, following, muting, marking read.

Receivers of the lower apps' hooks (registered in ``apps.py``) run inside the writer's
transaction, each in a savepoint (``forum/hooks.py``). Each costs a fixed number of queries
whatever the number of followers, and writes its rows with one ``bulk_create``. The rules
(Discourse's post alerter): never the actor, never what the reader cannot see (a removed comment,
a draft), one notification per post and reader, of the most specific kind (reply > mention >
follow), nothing below a muted subthread or in a muted discussion.
"""

import logging

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from forum.errors import InvalidInput, NotAllowed, NotFound

from .models import Follow, MutedSubthread, Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind
TEXT_MAX = 1000  # Notification.text
NORMAL = "normal"  # the level without a row: replies and mentions only
LEVELS = (Follow.Level.WATCHING, NORMAL, Follow.Level.MUTED)
MARK_READ_MAX_IDS = 500  # one request's worth; a reader clears more with "all"

_SENTENCES = {
    Kind.REPLY: "{actor} replied to your comment on “{title}”",
    Kind.MENTION: "{actor} mentioned you in a comment on “{title}”",
    Kind.FOLLOW: "{actor} commented on “{title}”",
}
_MODERATION = {
    "edit": "A moderator edited your comment on “{title}”: {reason}",
    "remove": "A moderator removed your comment on “{title}”: {reason}",
    "restore": "A moderator restored your comment on “{title}”: {reason}",
}


def _require_user(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to do that.")


# --- receivers of comments' and roundups' hooks ------------------------------------------------


def on_comment_posted(*, comment: Comment, mentioned_ids) -> None:
    """Tell the parent's author, the mentioned and the followers; the poster follows."""
    roundup = comment.roundup
    levels = dict(Follow.objects.filter(roundup=roundup).values_list("user_id", "level"))
    if comment.author_id not in levels:
        Follow.objects.bulk_create(
            [Follow(user_id=comment.author_id, roundup=roundup, level=Follow.Level.WATCHING)],
            ignore_conflicts=True,  # a concurrent follow of the same reader already did it
        )
    if not roundup.is_published or comment.state != Comment.State.VISIBLE:
        return
    kinds = _kinds_for(comment, mentioned_ids, levels)
    if kinds and comment.parent_id is not None:
        for user_id in _muted_below(comment, kinds):
            del kinds[user_id]
    if not kinds:
        return  # bulk_create would still open a (write) transaction for nothing
    actor, title = comment.author.username, roundup.title
    Notification.objects.bulk_create([
        Notification(
            user_id=user_id, kind=kind, actor_id=comment.author_id, roundup=roundup,
            comment=comment, text=_SENTENCES[kind].format(actor=actor, title=title)[:TEXT_MAX],
        )
        for user_id, kind in kinds.items()
    ])  # fmt: skip


def _kinds_for(comment: Comment, mentioned_ids, levels: dict) -> dict[int, str]:
    """Each reader to tell and the most specific kind for them (dict order: first kind wins)."""
    kinds: dict[int, str] = {}
    if comment.parent_id is not None:
        kinds[comment.parent.author_id] = Kind.REPLY
    for user_id in mentioned_ids:
        kinds.setdefault(user_id, Kind.MENTION)
    for user_id, level in levels.items():
        if level == Follow.Level.WATCHING:
            kinds.setdefault(user_id, Kind.FOLLOW)
        elif level == Follow.Level.MUTED:
            kinds.pop(user_id, None)
    kinds.pop(comment.author_id, None)
    return kinds


def _muted_below(comment: Comment, user_ids) -> set[int]:
    """Who of ``user_ids`` muted a comment above ``comment``: one query, read from the tree.

    Called by ``comment_posted``, inside the post's transaction and under its tree's lock
    (``comments/locks.py``), so the new comment's ``lft``/``rght`` are still current.
    """
    return set(
        MutedSubthread.objects.filter(
            user_id__in=list(user_ids),
            comment__tree_id=comment.tree_id,
            comment__lft__lt=comment.lft,
            comment__rght__gt=comment.rght,
        ).values_list("user_id", flat=True)
    )


def on_comment_moderated(*, comment: Comment, by, action, reason) -> None:
    """Tell the author what a moderator did to their comment, and why."""
    if by.pk == comment.author_id or action not in _MODERATION:
        return
    text = _MODERATION[action].format(title=comment.roundup.title, reason=reason)
    Notification.objects.create(
        user_id=comment.author_id, kind=Kind.MODERATION, actor=None, roundup=comment.roundup,
        comment=comment, text=text[:TEXT_MAX],
    )  # fmt: skip


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
    Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            kind=Kind.SUGGESTION,
            actor=actor,
            roundup=roundup,
            text=text[:TEXT_MAX],
        )
        for user_id in set(users) - {getattr(actor, "pk", None)}
    )


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
