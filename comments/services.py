"""Every write to the comment thread: check, then do, then log.

Each public function is keyword-only and runs in one transaction. Permission and validation come
first and write nothing; then the lock (``comments/locks.py``: why each write needs one); then the
write; then the moderation log row. The HTML views and the JSON API both call these, so each rule
lives here once. Refusals are ``forum.errors`` exceptions, carrying the message and HTTP status.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from forum import ratelimit
from forum.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from forum.hooks import fire
from forum.markdown import find_mentions, render_markdown
from forum.text import clean_text
from roundups.models import Paper, PaperEntry, Roundup

from . import hooks
from .karma import karma_add, vote_weight
from .locks import lock_comment, lock_new_root, lock_reply_target
from .models import (
    VISIT_GAP,
    Comment,
    CommentRevision,
    CommentText,
    Karma,
    ModerationAction,
    ReadMarker,
    Vote,
)
from .permissions import may_edit, may_lock, may_moderate

REASON_MAX_LENGTH = 500  # a sentence or two for the public log
# Previews write nothing but render Markdown and look up mentions: one a second per user
# is more than anyone clicks, and keeps a script from using the renderer as a free service.
PREVIEW_RATE = ratelimit.Rate(limit=60, window=60)


# --- checks ------------------------------------------------------------------------------------


def _require_user(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to do that.")
    if not user.is_active:
        raise NotAllowed("This account is disabled.")


def _require_open_thread(roundup, user=None) -> None:
    if not roundup.is_published:
        raise NotFound("No such roundup.")
    if roundup.comments_locked and not may_moderate(user):
        raise NotAllowed("Comments on this roundup are locked.")


def clean_body(body) -> str:
    """The body as it will be stored, or ``InvalidInput`` with what is wrong."""
    if not isinstance(body, str):
        raise InvalidInput("The comment must be text.")
    body = clean_text(body).strip()
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
    reason = clean_text(reason or "", multiline=False).strip()
    if required and not reason:
        raise InvalidInput("Give a reason: moderators' actions are logged publicly.")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(f"The reason is too long (at most {REASON_MAX_LENGTH} characters).")
    return reason


def _comment_rate() -> ratelimit.Rate:
    return ratelimit.Rate(settings.COMMENT_RATE_LIMIT, settings.COMMENT_RATE_WINDOW)


def _consume_rate_limit(user) -> str:
    """Count one post against the user's limit (forum/ratelimit.py); refuse past it.

    Returns the limiter key, for ``_refund_rate_limit`` when the post is not written after all.
    A refused attempt is not counted, so waiting is always enough to post again.
    """
    rate = _comment_rate()
    key = str(user.pk)
    retry_after = ratelimit.hit("comment", key, rate)
    if retry_after:
        raise RateLimited(
            f"You are posting too fast: at most {rate.limit} comments every {rate.window} "
            "seconds. Wait a minute and try again.",
            retry_after=retry_after,
        )
    return key


def _refund_rate_limit(key) -> None:
    """Give back a counted post that was not written after all."""
    ratelimit.refund("comment", key, _comment_rate())


def render_body(body: str) -> tuple[str, dict[str, int]]:
    """A comment's HTML, with @mentions of existing users linked, and those users' ids by name.

    One query finds every name the text mentions (case-insensitive, exact), none without any.
    """
    names = find_mentions(body)
    if not names:
        return render_markdown(body), {}
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    found = get_user_model().objects.filter(query).values_list("pk", "username")
    usernames, ids = {}, {}
    for pk, username in found:
        usernames[username.lower()] = username
        ids[username.lower()] = pk
    return render_markdown(body, mentions=usernames), ids


def comment_preview(*, user, body) -> str:
    """The HTML ``body`` would be posted as: the same cleaning, limit and sanitizer as
    ``comment_create``, nothing written. Rate-limited per user (``PREVIEW_RATE``)."""
    _require_user(user)
    retry_after = ratelimit.hit("comment-preview", str(user.pk), PREVIEW_RATE)
    if retry_after:
        raise RateLimited(
            f"Too many previews: at most {PREVIEW_RATE.limit} every {PREVIEW_RATE.window} "
            "seconds. Wait a moment and try again.",
            retry_after=retry_after,
        )
    body_html, _mentioned = render_body(clean_body(body))
    return body_html


# --- writes ------------------------------------------------------------------------------------


def _resolve_parent(parent) -> Comment | None:
    if parent is None or isinstance(parent, Comment):
        return parent
    if isinstance(parent, bool):  # True == 1 in Python; a flag is never a comment id
        raise InvalidInput("The comment you are replying to does not exist.")
    try:
        return Comment.objects.get(pk=int(parent))
    except (TypeError, ValueError, OverflowError, Comment.DoesNotExist):
        raise InvalidInput("The comment you are replying to does not exist.") from None


def comment_create(
    *,
    roundup,
    author,
    body,
    parent: Comment | int | None = None,
    enforce_rate_limit=True,
    paper_entry=None,
) -> Comment:
    """Post a comment on ``roundup``, as a reply to ``parent`` or as a new root.

    A new root may be about one of the roundup's papers (``paper_entry``, an entry or its id);
    a reply always takes its root's paper, and a ``paper_entry`` passed with it is ignored.
    """
    _require_user(author)
    _require_open_thread(roundup, author)
    body = clean_body(body)
    parent = _resolve_parent(parent)
    if parent is not None:
        _check_reply_target(parent, roundup)
    else:
        paper_entry = _resolve_paper_entry(paper_entry, roundup)
    body_html, mentioned = render_body(body)
    rate_key = _consume_rate_limit(author) if enforce_rate_limit else None

    try:
        with transaction.atomic():
            comment = Comment(roundup=roundup, author=author)
            if parent is None:
                lock_new_root()
                comment.paper_entry = paper_entry
            else:
                # Re-read under the lock: the tree fields may have moved, and the parent may
                # have been removed since we checked. mptt re-reads the parent's tree fields
                # too (refresh_target), but only the lock makes that read still true at insert.
                parent = lock_reply_target(parent.pk, parent.tree_id)
                _check_reply_target(parent, roundup)
                comment.parent = parent
                comment.paper_entry_id = parent.paper_entry_id  # the root's, passed down
            comment.save()  # the tree row first: the text row's key is its id
            CommentText.objects.create(comment=comment, body=body, body_html=body_html)
            _count_visible(roundup.pk, +1, comment.paper_entry_id)  # and thread_version
            fire(hooks.comment_posted, comment=comment, mentioned_ids=list(mentioned.values()))
    except BaseException:
        if rate_key is not None:
            _refund_rate_limit(rate_key)
        raise
    return comment


def _resolve_paper_entry(paper_entry, roundup):
    """The entry a new root comment is about (None for the whole roundup), or ``InvalidInput``."""
    if paper_entry is None or paper_entry == "":
        return None
    if isinstance(paper_entry, PaperEntry):
        found = paper_entry if paper_entry.roundup_id == roundup.pk else None
    else:
        try:
            pk = int(paper_entry)
        except (TypeError, ValueError):
            pk = None
        found = PaperEntry.objects.filter(pk=pk, roundup=roundup).first() if pk else None
    if found is None:
        raise InvalidInput("The paper you chose is not one of this roundup's papers.")
    return found


def _check_reply_target(parent: Comment, roundup) -> None:
    if parent.roundup_id != roundup.pk:
        raise InvalidInput("The comment you are replying to belongs to another roundup.")
    if parent.state == Comment.State.REMOVED:
        raise InvalidInput("The comment you are replying to was removed by a moderator.")
    if parent.state == Comment.State.DELETED:
        raise InvalidInput("The comment you are replying to was deleted.")


@dataclass(frozen=True)
class VoteResult:
    """Both axes' counters after a vote, and the vote now standing on the axis voted on."""

    score: int
    upvotes: int
    downvotes: int
    agreement: int
    agree_votes: int
    disagree_votes: int
    axis: str
    value: int  # 1 up, -1 down, 0 none
    strong: bool
    weight: int  # what the standing vote adds to its axis (0 with none)


VOTE_VALUES = (1, -1, 0)  # up, down, take back
AXES = tuple(Vote.Axis.values)  # ("approval", "agreement")
# Each axis's counters on the comment: its weighted sum, then how many votes went up and down.
AXIS_COLUMNS = {
    Vote.Axis.APPROVAL: ("score", "upvotes", "downvotes"),
    Vote.Axis.AGREEMENT: ("agreement", "agree_votes", "disagree_votes"),
}
_COUNTERS = (*AXIS_COLUMNS[Vote.Axis.APPROVAL], *AXIS_COLUMNS[Vote.Axis.AGREEMENT])


def _check_vote(value, axis, strong) -> None:
    # Exactly an int: True, 1.0 and Decimal(1) all compare equal to 1 and would slip through.
    if type(value) is not int or value not in VOTE_VALUES:
        raise InvalidInput("A vote is 1 (up), -1 (down) or 0 (take it back).")
    if not isinstance(axis, str) or axis not in AXES:
        raise InvalidInput("A vote's axis is approval or agreement.")
    if type(strong) is not bool:
        raise InvalidInput("A vote's strength is true (strong) or false (normal).")


def vote_cast(
    *, comment: Comment, user, value, axis: str = Vote.Axis.APPROVAL, strong: bool = False
) -> VoteResult:
    """Vote a comment up (1), down (-1) or take the vote back (0), on one axis.

    ``approval`` (the score: karma and the sorts) or ``agreement`` (never karma); ``strong``
    votes weigh more as the voter's karma grows (``karma.vote_weight``). The weight is worked out
    when the vote changes and stored with it; the same vote cast again changes nothing. On the
    approval axis the author's karma moves by the change in the weighted score.
    """
    _require_user(user)
    _check_vote(value, axis, strong)
    if comment.author_id == user.pk:
        raise NotAllowed("You cannot vote on your own comment.")
    roundup = comment.roundup
    if not roundup.is_published:
        raise NotFound("No such roundup.")
    if roundup.comments_locked:
        raise NotAllowed("Comments on this roundup are locked.")

    strong = strong and value != 0
    with transaction.atomic():
        # The comment row is the lock: votes on one comment are applied one at a time, so the
        # counters always equal the stored votes.
        locked = lock_comment(comment.pk)
        if locked.state != Comment.State.VISIBLE:
            raise InvalidInput("You cannot vote on a deleted or removed comment.")
        existing, voter_karma = _standing_vote(comment.pk, user.pk, axis)
        weight = existing.weight if existing else 0
        if existing is None or (existing.value, existing.strong) != (value, strong):
            weight = vote_weight(voter_karma, strong=strong) if value else 0
            _record_vote(locked, user, existing, value, axis, strong, weight)
        counters = Comment.objects.filter(pk=comment.pk).values_list(*_COUNTERS)[0]
    for name, count in zip(_COUNTERS, counters, strict=True):
        setattr(comment, name, count)
    return VoteResult(*counters, axis=str(axis), value=value, strong=strong, weight=weight)


@dataclass(frozen=True)
class _Standing:
    pk: int
    value: int
    strong: bool
    weight: int


_STANDING_SQL: dict[str, str] = {}


def _standing_vote(comment_id: int, user_id: int, axis: str) -> tuple[_Standing | None, int]:
    """The reader's vote on this axis (None without one) and the reader's karma, which weighs a
    new vote: one query, written here once per database, not by the ORM on every vote (a second
    query and the ORM's compiling cost about a tenth of a vote on SQLite)."""
    using = Vote.objects.db
    sql = _STANDING_SQL.get(using)
    if sql is None:
        quote = connections[using].ops.quote_name
        vote, karma = quote(Vote._meta.db_table), quote(Karma._meta.db_table)
        sql = _STANDING_SQL[using] = (
            f"SELECT v.{quote('id')}, v.{quote('value')}, v.{quote('strong')}, "
            f"v.{quote('weight')}, (SELECT k.{quote('value')} FROM {karma} k "
            f"WHERE k.{quote('user_id')} = %s) FROM (SELECT 1 AS one) AS o LEFT JOIN {vote} v "
            f"ON v.{quote('comment_id')} = %s AND v.{quote('user_id')} = %s "
            f"AND v.{quote('axis')} = %s"
        )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [user_id, comment_id, user_id, str(axis)])
        pk, value, strong, weight, karma_value = cursor.fetchone()
    standing = None if pk is None else _Standing(pk, value, bool(strong), weight)
    return standing, karma_value or 0


def _record_vote(locked: Comment, user, existing, value, axis, strong, weight) -> None:
    """Store the new vote (or delete it for 0) and move the counters and karma by the change;
    called under the comment's row lock."""
    old_value, old_weight = (existing.value, existing.weight) if existing else (0, 0)
    if value == 0:
        if existing is None:
            return
        Vote.objects.filter(pk=existing.pk).delete()
    elif existing is not None:
        Vote.objects.filter(pk=existing.pk).update(value=value, strong=strong, weight=weight)
    else:
        Vote.objects.create(
            comment_id=locked.pk, roundup_id=locked.roundup_id, user=user, axis=axis,
            value=value, strong=strong, weight=weight,
        )  # fmt: skip
    total, ups, downs = AXIS_COLUMNS[axis]
    delta = value * weight - old_value * old_weight
    Comment.objects.filter(pk=locked.pk).update(
        **{
            total: F(total) + delta,
            ups: F(ups) + (int(value == 1) - int(old_value == 1)),
            downs: F(downs) + (int(value == -1) - int(old_value == -1)),
        }
    )
    if axis == Vote.Axis.APPROVAL:
        karma_add(locked.author_id, delta)
    # Either axis moves a sort (top and hot by score, best by the up and down counts,
    # controversial by agreement): the thread's kept rankings are stale. The one statement a
    # vote adds; last, so the roundup's row is locked only until the commit just after.
    _thread_changed(locked.roundup_id)


@dataclass(frozen=True)
class EditPlan:
    """What ``comment_edit_check`` accepted: the cleaned text and reason."""

    body: str
    reason: str
    as_moderator: bool


def comment_edit_check(*, comment: Comment, by, body, reason="") -> EditPlan:
    """Every check of ``comment_edit``, writing nothing (forms call it to show errors early)."""
    _require_user(by)
    as_moderator = comment.author_id != by.pk
    if as_moderator and not may_moderate(by):
        raise NotAllowed("You can only edit your own comments.")
    if not may_edit(by, comment):
        raise InvalidInput("This comment can no longer be edited.")
    _require_open_thread(comment.roundup, by)
    body = clean_body(body)
    reason = _clean_reason(reason, required=as_moderator)
    return EditPlan(body=body, reason=reason, as_moderator=as_moderator)


def comment_edit(*, comment: Comment, by, body, reason="") -> Comment:
    """Change a comment's text, keeping the old text as a revision.

    The author edits their own comment; a moderator edits anyone's and must give a reason, which
    goes to the public log. An edit that changes nothing writes nothing.
    """
    plan = comment_edit_check(comment=comment, by=by, body=body, reason=reason)
    if plan.body == comment.text.body:
        return comment
    body_html, mentioned = render_body(plan.body)
    now = timezone.now()

    with transaction.atomic():
        # Under the row lock, the revision keeps the text really being replaced, even if
        # another edit landed after the caller read ``comment``.
        current = lock_comment(comment.pk, with_text=True)
        if not may_edit(by, current):
            raise InvalidInput("This comment can no longer be edited.")
        if plan.body == current.text.body:
            comment.text = current.text  # what is stored
            return comment
        CommentRevision.objects.create(
            comment=comment, body=current.text.body, edited_by=by, edited_at=now, reason=plan.reason
        )
        # update(), not save(): an MPTT save may try to move the node. The text is its own row.
        CommentText.objects.filter(pk=comment.pk).update(body=plan.body, body_html=body_html)
        # No sort reads the text or the edit time, so an edit leaves ``thread_version`` alone
        # (a sort that ranked by either would make this write bump it too).
        Comment.objects.filter(pk=comment.pk).update(edited_at=now, edited_by=by)
        old_names = set(find_mentions(current.text.body))
        added = [pk for name, pk in mentioned.items() if name not in old_names]
        if added and not plan.as_moderator:  # the author named someone new: they hear of it
            fire(hooks.comment_edited, comment=comment, mentioned_ids=added)
        if plan.as_moderator:
            edit = ModerationAction.Action.EDIT
            # At the edit's own time: the thread row finds the reason by (comment, edited_at).
            _log(by, edit, comment=comment, reason=plan.reason, at=now)
            fire(hooks.comment_moderated, comment=comment, by=by, action=edit, reason=plan.reason)
    # The caller's instance shows what is now stored.
    comment.text = CommentText(comment=comment, body=plan.body, body_html=body_html)
    comment.edited_at, comment.edited_by = now, by
    return comment


def comment_delete(*, comment: Comment, by) -> Comment:
    """The author withdraws their comment. Nothing is erased: it becomes a placeholder."""
    _require_user(by)
    if comment.author_id != by.pk:
        raise NotAllowed("You can only delete your own comments.")
    with transaction.atomic():
        if not _change_state(comment, Comment.State.DELETED, allowed_from=Comment.State.VISIBLE):
            raise InvalidInput("This comment is already deleted or removed.")
    return comment


def comment_remove(*, comment: Comment, by, reason) -> Comment:
    """A moderator hides a visible comment; its replies stay in place.

    A comment its author deleted is not removed: it shows nothing already, and a later restore
    would bring back what the author withdrew.
    """
    return _moderate(
        comment, by, reason, to=Comment.State.REMOVED, action=ModerationAction.Action.REMOVE,
        refused="Only a visible comment can be removed; this one is already gone.",
    )  # fmt: skip


def comment_restore(*, comment: Comment, by, reason) -> Comment:
    """A moderator brings back a removed comment (an author's own deletion stays)."""
    return _moderate(
        comment, by, reason, to=Comment.State.VISIBLE, action=ModerationAction.Action.RESTORE,
        refused="Only a removed comment can be restored.",
    )  # fmt: skip


def _moderate(comment: Comment, by, reason, *, to, action, refused) -> Comment:
    """Remove (visible -> removed) or restore (removed -> visible), with the log row."""
    _require_user(by)
    if not may_moderate(by):
        raise NotAllowed(f"Only moderators can {action.value} comments.")
    reason = _clean_reason(reason, required=True)
    before = Comment.State.VISIBLE if to == Comment.State.REMOVED else Comment.State.REMOVED
    with transaction.atomic():
        if not _change_state(comment, to, allowed_from=before):
            raise InvalidInput(refused)
        _log(by, action, comment=comment, reason=reason)
        fire(hooks.comment_moderated, comment=comment, by=by, action=action, reason=reason)
    return comment


def roundup_lock(*, roundup, by, reason, locked=True):
    """A moderator stops (or, with ``locked=False``, allows again) new comments and votes."""
    _require_user(by)
    if not may_lock(by):
        raise NotAllowed("Only moderators can lock or unlock threads.")
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        # Conditional update: of two moderators locking at once, one is told it already is.
        changed = (
            type(roundup)
            .objects.filter(pk=roundup.pk, comments_locked=not locked)
            .update(comments_locked=locked)
        )
        if not changed:
            roundup.comments_locked = locked
            raise InvalidInput("The thread is already " + ("locked." if locked else "unlocked."))
        action = ModerationAction.Action.LOCK if locked else ModerationAction.Action.UNLOCK
        _log(by, action, roundup=roundup, user=roundup.author, reason=reason)
    roundup.comments_locked = locked
    return roundup


def read_marker_touch(*, user, roundup, seen_at=None) -> None:
    """Record that ``user`` has seen ``roundup``'s thread as of ``seen_at`` (default: now)."""
    if not user.is_authenticated:
        return
    seen_at = seen_at or timezone.now()
    # Every signed-in page view lands here: one UPDATE for a returning reader, no transaction.
    # A view more than VISIT_GAP after the last one begins a new visit: the last view becomes
    # the visit's "new since" (read_marker.new_since). Both right-hand sides read the row as it
    # was before the UPDATE (SQL's rule, on PostgreSQL and SQLite alike).
    markers = ReadMarker.objects.filter(user=user, roundup=roundup)
    changes = {
        "visit_since": Case(
            When(last_seen_at__lt=seen_at - VISIT_GAP, then=F("last_seen_at")),
            default=F("visit_since"),
        ),
        "last_seen_at": seen_at,
    }
    if markers.update(**changes):
        return
    try:
        with transaction.atomic():
            ReadMarker.objects.create(user=user, roundup=roundup, last_seen_at=seen_at)
    except IntegrityError:  # another tab of the same reader created it first
        markers.update(**changes)


def _change_state(comment: Comment, state: str, *, allowed_from: str) -> bool:
    """Move ``comment`` to ``state`` if it is still in ``allowed_from``: called inside the
    transaction of the delete, remove or restore.

    One conditional UPDATE: an author's delete racing a moderator's remove cannot overwrite it,
    whatever state the caller's copy of the comment showed. The roundup's count of visible
    comments and its ``thread_version`` move with it, in the same transaction (a placeholder
    shows or goes, ``active`` ranks by visible replies).
    """
    changed = Comment.objects.filter(pk=comment.pk, state=allowed_from).update(state=state)
    if changed:
        comment.state = state
        visible = Comment.State.VISIBLE
        delta = int(state == visible) - int(allowed_from == visible)
        _count_visible(comment.roundup_id, delta, comment.paper_entry_id)
        if delta:
            fire(hooks.comment_visibility_changed, comment=comment, visible=delta > 0)
    return bool(changed)


def _count_visible(roundup_id: int, delta: int, paper_entry_id: int | None = None) -> None:
    """Move ``Roundup.comment_count`` by ``delta``, and for a comment about a paper its entry's
    and its ``Paper``'s counts; and move the roundup's ``thread_version`` on, in the same UPDATE
    (a post or a change of state costs no statement more for it): called inside the transaction
    that posted a comment or changed its state, after that change (the row locks it takes are
    then held only briefly).

    Relative, so concurrent changes add up; a decrement never takes a count below 0 (a count
    that drifted is for ``check_threads --repair`` to fix, not a reason to refuse a delete), and
    the version moves even then. The SQL is written here rather than by the ORM's
    ``update(F(...))``: compiling that query on every post cost a fifth of a reply on SQLite (see
    the issue #8 note in bench/findings.md).
    """
    with connections[Roundup.objects.db].cursor() as cursor:
        cursor.execute(*_thread_sql(roundup_id, delta))
        if paper_entry_id is not None and delta:
            entry = PaperEntry._meta.db_table
            cursor.execute(*_count_sql(entry, "id = %s", [paper_entry_id], delta))
            # The paper's row counts the entries of published roundups: a comment is only ever
            # on one, but the check keeps the two definitions the same.
            of_entry = (
                f"paper_key = (SELECT e.paper_key FROM {entry} e JOIN {Roundup._meta.db_table} r"
                " ON r.id = e.roundup_id WHERE e.id = %s AND r.status = %s"
                " AND r.published_at IS NOT NULL)"
            )
            params = [paper_entry_id, Roundup.Status.PUBLISHED]
            cursor.execute(*_count_sql(Paper._meta.db_table, of_entry, params, delta))


def _thread_changed(roundup_id: int) -> None:
    """Move the roundup's ``thread_version`` on, for a write that changes how its thread ranks
    without changing its count (a vote): inside that write's transaction, one UPDATE."""
    _count_visible(roundup_id, 0)


def _thread_sql(roundup_id: int, delta: int) -> tuple[str, list]:
    """The roundup row's UPDATE: ``comment_count`` moved by ``delta`` (never below 0: then left
    as it is) and ``thread_version`` by one."""
    sets, params = ["thread_version = thread_version + 1"], []
    if delta > 0:
        sets.append("comment_count = comment_count + %s")
        params = [delta]
    elif delta < 0:
        sets.append(
            "comment_count = CASE WHEN comment_count >= %s THEN comment_count + %s"
            " ELSE comment_count END"
        )
        params = [-delta, delta]
    sql = f"UPDATE {Roundup._meta.db_table} SET {', '.join(sets)} WHERE id = %s"
    return sql, [*params, roundup_id]


def _count_sql(table: str, where: str, params: list, delta: int) -> tuple[str, list]:
    """``UPDATE table SET comment_count = comment_count + delta WHERE ...``, never below 0."""
    sql = f"UPDATE {table} SET comment_count = comment_count + %s WHERE {where}"
    params = [delta, *params]
    if delta < 0:
        sql += " AND comment_count >= %s"
        params.append(-delta)
    return sql, params


def _log(
    moderator, action, *, reason, comment=None, roundup=None, user=None, at=None
) -> ModerationAction:
    if comment is not None:
        roundup = roundup or comment.roundup
        user = user or comment.author
    return ModerationAction.objects.create(
        moderator=moderator, action=action, comment=comment, roundup=roundup, user=user,
        reason=reason, created_at=at or timezone.now(),
    )  # fmt: skip
