"""Comment threads as JSON: fetched in one query, nested with comments/thread/tree.py, written flat.

The JSON is written by walking the built forest with an explicit stack rather than handing nested
dicts to pydantic or ``json.dumps``: both recurse once per level, and a long enough reply chain
(any depth is allowed) would hit Python's recursion limit and turn a read into a 500. It is also
the hot path of the biggest threads, where per-comment validation costs more than the query.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from comments.models import Comment
from comments.thread.parts import PART_COMMENTS, fits_whole, replies_part, roots_part
from comments.thread.queries import thread_rows, viewer_votes
from comments.thread.tree import build_tree
from comments.thread.votes import STATES
from forum.gcpause import paused_gc

# The rows are the thread page's own (comments/thread/row.py), read by the same one query, with
# the markdown source added (``with_body``): the API shows ``body``, a page never fetches it.
_VISIBLE = Comment.State.VISIBLE
_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _state_json(state: int) -> str:
    strong = "true" if abs(state) == 2 else "false"
    return f'{{"value":{(state > 0) - (state < 0)},"strong":{strong}}}'


# The reader's votes on a comment, for every pair of states (see comments/thread/votes.py):
# written once, looked up per comment. ``null`` for an anonymous reader.
_VIEWER_JSON = {
    (approval, agreement): f'{{"approval":{_state_json(approval)},'
    f'"agreement":{_state_json(agreement)}}}'
    for approval in STATES
    for agreement in STATES
}
_ANONYMOUS = "null"
_NO_VOTES = (0, 0)


def _viewer(user, roundup):
    """The reader's votes on the thread (one query), or None for an anonymous reader."""
    if user is None or not user.is_authenticated:
        return None
    return viewer_votes(user, roundup)


def thread_json(roundup, *, sort, limit=PART_COMMENTS, cursor=None, user=None) -> str:
    """``{"count", "comments", "next"}``: a part of a roundup's thread (``comments/thread/
    parts.py``), ``limit`` comments or so, from ``cursor`` (a ``parts.Cursor``) or the start.

    Two queries (the ranking, then the part's trees; a later part reads its kept ranking from
    the cache instead), or one for a thread that fits in a part (``parts.fits_whole``), and one
    for a signed-in reader's votes on both axes (``viewer_votes``). Built
    with the cyclic collector paused, as the thread page is (``forum/gcpause.py``). A bad
    cursor raises ``InvalidInput`` (400).
    """
    with paused_gc():
        rows = None
        if cursor is None and fits_whole(roundup) and limit >= PART_COMMENTS:
            rows = thread_rows(roundup, with_body=True)  # a small thread: one query, as the page
        part = roots_part(
            roundup, sort=sort, now=timezone.now(), cursor=cursor, budget=limit,
            with_body=True, max_depth=None, rows=rows,
        )  # fmt: skip
        following = _encoder.encode(part.next.encode()) if part.next else "null"
        comments = _forest_json(part.siblings, _viewer(user, roundup))
        return f'{{"count":{roundup.comment_count},"comments":{comments},"next":{following}}}'


def subtree_json(
    comment: Comment, *, sort, limit=PART_COMMENTS, cursor=None, with_next=False, user=None
):
    """One comment with a part of its replies (one query, and one for a signed-in reader's
    votes), or None when there is nothing left
    to show; ``with_next`` adds ``"next"``, the cursor of its next part of replies.

    A deleted or removed comment stays readable only while visible replies hang below it, as in
    the thread. Its replies are cut as a thread's are (``"more_replies"``).
    """
    now = timezone.now()
    rows = thread_rows(comment.roundup_id, tree_id=comment.tree_id, with_body=True)
    forest = build_tree(rows, sort=sort, now=now, root_id=comment.pk)
    if not forest:
        return None
    part = replies_part(
        comment.roundup, comment.pk, forest, sort=sort, now=now, cursor=cursor, budget=limit,
        max_depth=None,
    )  # fmt: skip
    votes = _viewer(user, comment.roundup_id)
    body = _forest_json(part.siblings, votes)[1:-1]  # the one comment, without the list around it
    if not with_next:
        return body
    following = _encoder.encode(part.next.encode()) if part.next else "null"
    return f'{body[:-1]},"next":{following}}}'


def _head(row, votes) -> str:
    """A comment's JSON object up to its ``"replies":`` key."""
    shown = row.state == _VISIBLE
    text = _encoder.encode(
        {
            "id": row.id,
            "parent": row.parent_id,
            "author": row.author_name if shown else None,
            "body": row.body if shown else "",
            "body_html": row.body_html if shown else "",
            "score": row.score,
            "upvotes": row.upvotes,
            "downvotes": row.downvotes,
            "agreement": row.agreement,
            "agree_votes": row.agree_votes,
            "disagree_votes": row.disagree_votes,
            "created_at": row.created_at,
            "edited_at": row.edited_at,
            "state": row.state,
        }
    )
    mine = _ANONYMOUS if votes is None else _VIEWER_JSON[votes.get(row.id, _NO_VOTES)]
    return f'{text[:-1]},"viewer_votes":{mine},"replies":'


def _tail(node) -> str:
    """What closes a comment's object after its replies: ``"more_replies"`` when a part cut
    some of them."""
    return f',"more_replies":{node.more}}}' if node.more else "}"


def _forest_json(forest, votes=None) -> str:
    out = ["["]
    stack = [iter(forest)]
    first = [True]
    owners = [None]  # the comment whose replies each open list holds
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            first.pop()
            out.append("]")
            owner = owners.pop()
            if owner is not None:  # these were some comment's replies: close that comment
                out.append(_tail(owner))
            continue
        if not first[-1]:
            out.append(",")
        first[-1] = False
        out.append(_head(node.comment, votes))
        out.append("[")
        stack.append(iter(node.children))
        first.append(True)
        owners.append(node)
    return "".join(out)
