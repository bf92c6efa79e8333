"""Comment threads as JSON: fetched in one query, nested with comments/thread/tree.py, written flat.

The JSON is written by walking the built forest with an explicit stack rather than handing nested
dicts to pydantic or ``json.dumps``: both recurse once per level, and a long enough reply chain
(any depth is allowed) would hit Python's recursion limit and turn a read into a 500. It is also
the hot path of the biggest threads, where per-comment validation costs more than the query.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from comments.models import Comment
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


def _viewer(user, roundup):
    """The reader's votes on the thread (one query), or None for an anonymous reader."""
    if user is None or not user.is_authenticated:
        return None
    return viewer_votes(user, roundup)


def thread_json(roundup, *, sort, user=None) -> str:
    """``{"count", "comments"}`` for a roundup: one query, and one for a signed-in reader's
    votes.

    Built with the cyclic collector paused, as the thread page is (``forum/gcpause.py``).
    """
    with paused_gc():
        rows = thread_rows(roundup, with_body=True)
        forest = build_tree(rows, sort=sort, now=timezone.now())
        count = sum(1 for row in rows if row.state == _VISIBLE)
        votes = _viewer(user, roundup)
        return f'{{"count":{count},"comments":{_forest_json(forest, votes)}}}'


def subtree_json(comment: Comment, *, sort, user=None) -> str | None:
    """One comment with its replies (one query, and one for a signed-in reader's votes), or
    None when there is nothing left to show.

    A deleted or removed comment stays readable only while visible replies hang below it, as in
    the thread.
    """
    rows = thread_rows(comment.roundup_id, tree_id=comment.tree_id, with_body=True)
    forest = build_tree(rows, sort=sort, now=timezone.now(), root_id=comment.pk)
    if not forest:
        return None
    votes = _viewer(user, comment.roundup_id)
    return _forest_json(forest, votes)[1:-1]  # the one comment, without the list around it


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
    if votes is None:
        mine = _ANONYMOUS
    else:
        mine = _VIEWER_JSON[votes.get(row.id, _NO_VOTES)]
    return f'{text[:-1]},"viewer_votes":{mine},"replies":'


_NO_VOTES = (0, 0)


def _forest_json(forest, votes=None) -> str:
    out = ["["]
    stack = [iter(forest)]
    first = [True]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            first.pop()
            out.append("]")
            if stack:  # these were some comment's replies: close that comment
                out.append("}")
            continue
        if not first[-1]:
            out.append(",")
        first[-1] = False
        out.append(_head(node.comment, votes))
        out.append("[")
        stack.append(iter(node.children))
        first.append(True)
    return "".join(out)
