"""Comment threads as JSON: fetched in one query, nested with comments/thread/tree.py, written flat.

The JSON is written by walking the built forest with an explicit stack rather than handing nested
dicts to pydantic or ``json.dumps``: both recurse once per level, and a long enough reply chain
(any depth is allowed) would hit Python's recursion limit and turn a read into a 500. It is also
the hot path of the biggest threads, where per-comment validation costs more than the query.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from comments.models import Comment
from comments.thread.queries import thread_rows
from comments.thread.tree import build_tree
from forum.gcpause import paused_gc

# The rows are the thread page's own (comments/thread/row.py), read by the same one query, with
# the markdown source added (``with_body``): the API shows ``body``, a page never fetches it.
_VISIBLE = Comment.State.VISIBLE
_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def thread_json(roundup, *, sort) -> str:
    """``{"count", "comments"}`` for a roundup: one query.

    Built with the cyclic collector paused, as the thread page is (``forum/gcpause.py``).
    """
    with paused_gc():
        rows = thread_rows(roundup, with_body=True)
        forest = build_tree(rows, sort=sort, now=timezone.now())
        count = sum(1 for row in rows if row.state == _VISIBLE)
        return f'{{"count":{count},"comments":{_forest_json(forest)}}}'


def subtree_json(comment: Comment, *, sort) -> str | None:
    """One comment with its replies (one query), or None when there is nothing left to show.

    A deleted or removed comment stays readable only while visible replies hang below it, as in
    the thread.
    """
    rows = thread_rows(comment.roundup_id, tree_id=comment.tree_id, with_body=True)
    forest = build_tree(rows, sort=sort, now=timezone.now(), root_id=comment.pk)
    if not forest:
        return None
    return _forest_json(forest)[1:-1]  # the one comment, without the list around it


def _head(row) -> str:
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
            "created_at": row.created_at,
            "edited_at": row.edited_at,
            "state": row.state,
        }
    )
    return text[:-1] + ',"replies":'


def _forest_json(forest) -> str:
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
        out.append(_head(node.comment))
        out.append("[")
        stack.append(iter(node.children))
        first.append(True)
    return "".join(out)
