"""Every write to the comment thread: check, then do, then log.

Each public function is keyword-only and runs in one transaction. Permission and validation come
first and write nothing; then the lock; then the write; then the moderation log row. The HTML
views and the JSON API both call these, so each rule lives here once.

Concurrency. django-mptt keeps no lock of its own: two replies into one tree at once both shift
the same ``lft``/``rght`` ranges, and two new roots both take ``max(tree_id) + 1``. So every insert
first takes a lock inside its transaction:

* a reply locks its tree (``_lock_tree``): only writers of that one tree wait;
* a new root locks the whole table's tree-id sequence (``_lock_new_root``), since the race is
  over the table-wide maximum;
* the partial unique index on ``tree_id`` for roots turns any race that slips through into an
  ``IntegrityError`` instead of two merged trees.

On PostgreSQL the locks are transaction-scoped advisory locks. SQLite has one writer at a time and
the settings start every transaction with ``BEGIN IMMEDIATE``, which already serializes them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.roles import is_moderator
from forum.markdown import render_markdown

from .models import Comment, CommentRevision, ModerationAction, ReadMarker, Vote

# Advisory-lock keys (PostgreSQL). The two-int form keeps tree locks in their own namespace.
NEW_ROOT_LOCK_KEY = 0x52_4F_4F_54  # "ROOT": one lock for the table-wide max(tree_id)
TREE_LOCK_NAMESPACE = 0x54_52_45_45  # "TREE": (namespace, tree_id) locks one tree
REASON_MAX_LENGTH = 500  # a sentence or two for the public log


class CommentError(Exception):
    """A write was refused; ``status`` is the HTTP status a view should answer with."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(CommentError):
    status = 400


class NotAllowed(CommentError):
    status = 403


class NotFound(CommentError):
    status = 404


class RateLimited(CommentError):
    status = 429


# --- locks -------------------------------------------------------------------------------------


def _lock_new_root() -> None:
    """Serialize new roots: called inside the transaction that inserts one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NEW_ROOT_LOCK_KEY])


def _lock_tree(tree_id: int) -> None:
    """Serialize writes to one tree: called inside the transaction that changes it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TREE_LOCK_NAMESPACE, tree_id])


# --- checks ------------------------------------------------------------------------------------


def _require_user(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to do that.")
    if not user.is_active:
        raise NotAllowed("This account is disabled.")


def _require_open_thread(roundup, user=None) -> None:
    if not roundup.is_published:
        raise NotFound("No such roundup.")
    if roundup.comments_locked and not (user is not None and is_moderator(user)):
        raise NotAllowed("Comments on this roundup are locked.")


def clean_body(body) -> str:
    """The body as it will be stored, or ``InvalidInput`` with what is wrong."""
    if not isinstance(body, str):
        raise InvalidInput("The comment must be text.")
    body = body.replace("\r\n", "\n").replace("\x00", "").strip()
    if not body:
        raise InvalidInput("The comment is empty.")
    if len(body) > settings.COMMENT_MAX_LENGTH:
        raise InvalidInput(
            f"The comment is {len(body):,} characters long; "
            f"the limit is {settings.COMMENT_MAX_LENGTH:,}."
        )
    return body


def _clean_reason(reason, *, required: bool) -> str:
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("The reason must be text.")
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput("Give a reason: moderators' actions are logged publicly.")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(f"The reason is too long (at most {REASON_MAX_LENGTH} characters).")
    return reason


def _consume_rate_limit(user) -> None:
    """Count one post against the user's window; refuse past the limit.

    Kept in the cache, so with Redis the count holds across every web process.
    """
    window = settings.COMMENT_RATE_WINDOW
    limit = settings.COMMENT_RATE_LIMIT
    bucket = int(timezone.now().timestamp()) // window
    key = f"ratelimit:comment:{user.pk}:{bucket}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    if count > limit:
        raise RateLimited(
            f"You are posting too fast: at most {limit} comments every {window} seconds. "
            "Wait a moment and try again."
        )


def can_edit(comment: Comment, user) -> bool:
    """Authors edit their own visible comments; moderators edit any comment that is not deleted."""
    if not user.is_authenticated or comment.state == Comment.State.DELETED:
        return False
    if is_moderator(user):
        return True
    return comment.author_id == user.pk and comment.state == Comment.State.VISIBLE


def can_delete(comment: Comment, user) -> bool:
    return (
        user.is_authenticated
        and comment.author_id == user.pk
        and comment.state == Comment.State.VISIBLE
    )


# --- writes ------------------------------------------------------------------------------------


def comment_create(
    *, roundup, author, body, parent: Comment | int | None = None, enforce_rate_limit=True
) -> Comment:
    """Post a comment on ``roundup``, as a reply to ``parent`` or as a new root."""
    _require_user(author)
    _require_open_thread(roundup, author)
    body = clean_body(body)
    if parent is not None and not isinstance(parent, Comment):
        try:
            parent = Comment.objects.get(pk=int(parent))
        except (TypeError, ValueError, Comment.DoesNotExist):
            raise InvalidInput("The comment you are replying to does not exist.") from None
    if parent is not None:
        _check_reply_target(parent, roundup)
    body_html = render_markdown(body)
    if enforce_rate_limit:
        _consume_rate_limit(author)

    with transaction.atomic():
        comment = Comment(roundup=roundup, author=author, body=body, body_html=body_html)
        if parent is None:
            _lock_new_root()
        else:
            _lock_tree(parent.tree_id)
            # Re-read under the lock: the tree fields may have moved, and the parent may have
            # been removed since we checked.
            parent = Comment.objects.get(pk=parent.pk)
            _check_reply_target(parent, roundup)
            comment.parent = parent
        comment.save()
    return comment


def _check_reply_target(parent: Comment, roundup) -> None:
    if parent.roundup_id != roundup.pk:
        raise InvalidInput("The comment you are replying to belongs to another roundup.")
    if parent.state == Comment.State.REMOVED:
        raise InvalidInput("The comment you are replying to was removed by a moderator.")
    if parent.state == Comment.State.DELETED:
        raise InvalidInput("The comment you are replying to was deleted.")


@dataclass(frozen=True)
class VoteResult:
    score: int
    upvotes: int
    downvotes: int
    value: int


def vote_cast(*, comment: Comment, user, value) -> VoteResult:
    """Vote a comment up (1), down (-1) or take the vote back (0)."""
    _require_user(user)
    if isinstance(value, bool) or value not in (1, -1, 0):
        raise InvalidInput("A vote is 1 (up), -1 (down) or 0 (take it back).")
    if comment.author_id == user.pk:
        raise NotAllowed("You cannot vote on your own comment.")
    roundup = comment.roundup
    if not roundup.is_published:
        raise NotFound("No such roundup.")
    if roundup.comments_locked:
        raise NotAllowed("Comments on this roundup are locked.")

    with transaction.atomic():
        # The comment row is the lock: votes on one comment are applied one at a time, so the
        # counters always equal the stored votes.
        locked = Comment.objects.select_for_update().only("pk", "state").get(pk=comment.pk)
        if locked.state != Comment.State.VISIBLE:
            raise InvalidInput("You cannot vote on a deleted or removed comment.")
        existing = Vote.objects.filter(comment_id=comment.pk, user=user).first()
        old = existing.value if existing else 0
        if value != old:
            if value == 0:
                existing.delete()
            elif existing:
                existing.value = value
                existing.save(update_fields=["value"])
            else:
                Vote.objects.create(comment_id=comment.pk, user=user, value=value)
            Comment.objects.filter(pk=comment.pk).update(
                score=F("score") + (value - old),
                upvotes=F("upvotes") + (int(value == 1) - int(old == 1)),
                downvotes=F("downvotes") + (int(value == -1) - int(old == -1)),
            )
        score, upvotes, downvotes = Comment.objects.filter(pk=comment.pk).values_list(
            "score", "upvotes", "downvotes"
        )[0]
    comment.score, comment.upvotes, comment.downvotes = score, upvotes, downvotes
    return VoteResult(score=score, upvotes=upvotes, downvotes=downvotes, value=value)


def comment_edit(*, comment: Comment, by, body, reason="") -> Comment:
    """Change a comment's text, keeping the old text as a revision.

    The author edits their own comment; a moderator edits anyone's and must give a reason, which
    goes to the public log.
    """
    _require_user(by)
    as_moderator = comment.author_id != by.pk
    if as_moderator and not is_moderator(by):
        raise NotAllowed("You can only edit your own comments.")
    if not can_edit(comment, by):
        raise InvalidInput("This comment can no longer be edited.")
    _require_open_thread(comment.roundup, by)
    body = clean_body(body)
    reason = _clean_reason(reason, required=as_moderator)
    if body == comment.body:
        return comment
    body_html = render_markdown(body)
    now = timezone.now()

    with transaction.atomic():
        CommentRevision.objects.create(
            comment=comment, body=comment.body, edited_by=by, edited_at=now, reason=reason
        )
        # update(), not save(): an MPTT save may try to move the node.
        Comment.objects.filter(pk=comment.pk).update(
            body=body, body_html=body_html, edited_at=now, edited_by=by
        )
        if as_moderator:
            _log(by, ModerationAction.Action.EDIT, comment=comment, reason=reason)
    comment.body, comment.body_html, comment.edited_at, comment.edited_by = body, body_html, now, by
    return comment


def comment_delete(*, comment: Comment, by) -> Comment:
    """The author withdraws their comment. Nothing is erased: it becomes a placeholder."""
    _require_user(by)
    if comment.author_id != by.pk:
        raise NotAllowed("You can only delete your own comments.")
    if comment.state != Comment.State.VISIBLE:
        raise InvalidInput("This comment is already deleted or removed.")
    _set_state(comment, Comment.State.DELETED)
    return comment


def comment_remove(*, comment: Comment, by, reason) -> Comment:
    """A moderator hides a comment; its replies stay in place."""
    _require_user(by)
    if not is_moderator(by):
        raise NotAllowed("Only moderators can remove comments.")
    reason = _clean_reason(reason, required=True)
    if comment.state == Comment.State.REMOVED:
        raise InvalidInput("This comment is already removed.")
    with transaction.atomic():
        _set_state(comment, Comment.State.REMOVED)
        _log(by, ModerationAction.Action.REMOVE, comment=comment, reason=reason)
    return comment


def comment_restore(*, comment: Comment, by, reason) -> Comment:
    """A moderator brings back a removed comment (an author's own deletion stays)."""
    _require_user(by)
    if not is_moderator(by):
        raise NotAllowed("Only moderators can restore comments.")
    reason = _clean_reason(reason, required=True)
    if comment.state != Comment.State.REMOVED:
        raise InvalidInput("Only a removed comment can be restored.")
    with transaction.atomic():
        _set_state(comment, Comment.State.VISIBLE)
        _log(by, ModerationAction.Action.RESTORE, comment=comment, reason=reason)
    return comment


def roundup_lock(*, roundup, by, reason, locked=True):
    """A moderator stops (or, with ``locked=False``, allows again) new comments and votes."""
    _require_user(by)
    if not is_moderator(by):
        raise NotAllowed("Only moderators can lock or unlock threads.")
    reason = _clean_reason(reason, required=True)
    if roundup.comments_locked == locked:
        raise InvalidInput("The thread is already " + ("locked." if locked else "unlocked."))
    with transaction.atomic():
        type(roundup).objects.filter(pk=roundup.pk).update(comments_locked=locked)
        action = ModerationAction.Action.LOCK if locked else ModerationAction.Action.UNLOCK
        _log(by, action, roundup=roundup, user=roundup.author, reason=reason)
    roundup.comments_locked = locked
    return roundup


def read_marker_touch(*, user, roundup, seen_at=None) -> None:
    """Record that ``user`` has seen ``roundup``'s thread as of ``seen_at`` (default: now)."""
    if not user.is_authenticated:
        return
    seen_at = seen_at or timezone.now()
    try:
        with transaction.atomic():
            ReadMarker.objects.update_or_create(
                user=user, roundup=roundup, defaults={"last_seen_at": seen_at}
            )
    except IntegrityError:  # another tab of the same reader created it first
        ReadMarker.objects.filter(user=user, roundup=roundup).update(last_seen_at=seen_at)


def _set_state(comment: Comment, state: str) -> None:
    Comment.objects.filter(pk=comment.pk).update(state=state)
    comment.state = state


def _log(moderator, action, *, reason, comment=None, roundup=None, user=None) -> ModerationAction:
    if comment is not None:
        roundup = roundup or comment.roundup
        user = user or comment.author
    return ModerationAction.objects.create(
        moderator=moderator, action=action, comment=comment, roundup=roundup, user=user,
        reason=reason,
    )  # fmt: skip
