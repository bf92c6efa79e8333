"""Who hears about a new comment (or a new mention in an edit): run by a task, not the request.

The request that posts a comment does a fixed minimum (``services.on_comment_posted``: the
poster follows the discussion, and the task is enqueued with the write); everything that grows
with the discussion runs here, in a worker: the follow levels, the mentions, the muted
subthreads, the notification rows and the mails they start.

The rules (Discourse's post alerter): never the actor, never what the reader cannot see (a
removed or deleted comment, a draft: checked when the task runs, so a comment removed before it
runs notifies nobody), one notification per post and reader of the most specific kind
(reply > mention > follow), nothing below a muted subthread or in a muted discussion. Any task
may run twice: the rows are inserted with ``ignore_conflicts`` against the unique constraint
``notification_once_per_comment``, and each mail is claimed before it is sent.
"""

from django.db.models import Subquery

from comments.models import Comment

from .models import Follow, MailState, MutedSubthread, Notification

Kind = Notification.Kind
TEXT_MAX = 1000  # Notification.text
PER_COMMENT_KINDS = (Kind.REPLY, Kind.MENTION, Kind.FOLLOW)

SENTENCES = {
    Kind.REPLY: "{actor} replied to your comment on “{title}”",
    Kind.MENTION: "{actor} mentioned you in a comment on “{title}”",
    Kind.FOLLOW: "{actor} commented on “{title}”",
}


def visible_comment(comment_id) -> Comment | None:
    """The comment if readers can see it now (visible, in a published roundup), else None."""
    comment = (
        Comment.objects.select_related("roundup", "author", "parent")
        .filter(pk=comment_id, state=Comment.State.VISIBLE)
        .first()
    )
    if comment is None or not comment.roundup.is_published:
        return None
    return comment


def fan_out(comment_id: int, mentioned_ids, *, mentions_only: bool = False) -> list[int]:
    """Write the notifications of one comment; returns the ids of its unmailed ones.

    ``mentions_only``: an edit added ``mentioned_ids``; only they are told, as mentions.
    Costs a fixed number of queries whatever the number of followers: the comment, the levels,
    the mutes, one INSERT and the read of the new rows' ids.
    """
    comment = visible_comment(comment_id)
    if comment is None:
        return []
    roundup = comment.roundup
    levels = dict(Follow.objects.filter(roundup=roundup).values_list("user_id", "level"))
    if mentions_only:
        kinds = {user_id: Kind.MENTION for user_id in mentioned_ids}
        _drop_muted_and_actor(kinds, comment, levels)
    else:
        kinds = kinds_for(comment, mentioned_ids, levels)
    if kinds and comment.parent_id is not None:
        for user_id in muted_below(comment, kinds):
            del kinds[user_id]
    if not kinds:
        return []
    actor, title = comment.author.username, roundup.title
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id, kind=kind, actor_id=comment.author_id, roundup=roundup,
                comment=comment, text=SENTENCES[kind].format(actor=actor, title=title)[:TEXT_MAX],
            )
            for user_id, kind in kinds.items()
        ],
        ignore_conflicts=True,  # a retried task, or a reader told already about this comment
    )  # fmt: skip
    return list(
        Notification.objects.filter(
            comment=comment, user_id__in=list(kinds), kind__in=PER_COMMENT_KINDS,
            mail_state=MailState.PENDING,
        ).values_list("pk", flat=True)
    )  # fmt: skip


def kinds_for(comment: Comment, mentioned_ids, levels: dict) -> dict[int, str]:
    """Each reader to tell and the most specific kind for them (dict order: first kind wins)."""
    kinds: dict[int, str] = {}
    if comment.parent_id is not None:
        kinds[comment.parent.author_id] = Kind.REPLY
    for user_id in mentioned_ids:
        kinds.setdefault(user_id, Kind.MENTION)
    for user_id, level in levels.items():
        if level == Follow.Level.WATCHING:
            kinds.setdefault(user_id, Kind.FOLLOW)
    _drop_muted_and_actor(kinds, comment, levels)
    return kinds


def _drop_muted_and_actor(kinds: dict, comment: Comment, levels: dict) -> None:
    for user_id, level in levels.items():
        if level == Follow.Level.MUTED:
            kinds.pop(user_id, None)
    kinds.pop(comment.author_id, None)


def muted_below(comment: Comment, user_ids) -> set[int]:
    """Who of ``user_ids`` muted a comment above ``comment``: one query, read from the tree.

    The task runs outside the tree's lock, and other replies may shift ``lft``/``rght`` at any
    moment, so the comment's own bounds are read in the same statement (one snapshot) rather
    than taken from the row read earlier.
    """
    own = Comment.objects.filter(pk=comment.pk)
    return set(
        MutedSubthread.objects.filter(
            user_id__in=list(user_ids),
            comment__tree_id=comment.tree_id,
            comment__lft__lt=Subquery(own.values("lft")),
            comment__rght__gt=Subquery(own.values("rght")),
        ).values_list("user_id", flat=True)
    )
