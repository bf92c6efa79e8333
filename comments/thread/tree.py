"""Build a thread from the rows of one query and sort it: pure functions, no database.

The rows come in any order (usually ``(tree_id, lft)``); each needs ``id``, ``parent_id``,
``state``, ``score``, ``upvotes``, ``downvotes``, ``agree_votes``, ``disagree_votes`` and
``created_at``. One pass groups children by
parent id, so building is linear in the number of comments (django-mptt's
``cache_tree_children`` rescans the level above for every node). Sorting then orders siblings at
every depth; the shape of the tree never changes.
"""

import math
from collections.abc import Iterable
from datetime import datetime

SORTS = ("top", "new", "old", "best", "hot", "active", "controversial")
DEFAULT_SORT = "top"
MAX_DEPTH = 8  # levels shown nested on one page; deeper replies go behind "continue this thread"
WILSON_Z = 1.281551565545  # 80% confidence, as Reddit and Lobsters
HOT_GRAVITY = 1.5  # score / (age in hours + 2) ** 1.5
COLLAPSE_AT_SCORE = -5  # comments this low start collapsed

VISIBLE = "visible"


class Node:
    """One comment in a built thread."""

    __slots__ = ("comment", "children", "depth", "descendants", "last_activity", "more")

    def __init__(self, comment):
        self.comment = comment
        self.children: list[Node] = []
        self.depth = 0
        self.descendants = 0  # shown replies anywhere below this one
        self.last_activity: datetime = comment.created_at
        self.more = 0  # replies cut from a part (see parts.take_part): "N more replies"

    def __repr__(self):
        return f"<Node {self.comment.id} depth={self.depth} children={len(self.children)}>"


def wilson_lower_bound(upvotes: int, downvotes: int, z: float = WILSON_Z) -> float:
    """Lower bound of the Wilson score interval for the share of up votes (0 with no votes)."""
    n = upvotes + downvotes
    if n <= 0:
        return 0.0
    phat = upvotes / n
    z2 = z * z
    centre = phat + z2 / (2 * n)
    spread = z * math.sqrt((phat * (1 - phat) + z2 / (4 * n)) / n)
    return (centre - spread) / (1 + z2 / n)


def controversy(agree_votes: int, disagree_votes: int) -> float:
    """How divided readers are on a comment's truth: ``(a + d) ** (min(a, d) / max(a, d))``,
    where ``a`` and ``d`` count the agree and disagree votes (0 unless both are above 0).

    Reddit's controversy formula on the agreement axis: the base rewards activity, the exponent
    balance (1 when evenly split, near 0 when one-sided), so 10 agree against 10 disagree (20)
    ranks above 30 against 3 (30 ** 0.1 = 1.4), and above 2 against 2 (4). It counts votes, not
    their weights: a divided readership, not one strong voter, is what makes a comment
    controversial. Approval plays no part.
    """
    if agree_votes <= 0 or disagree_votes <= 0:
        return 0.0
    low, high = sorted((agree_votes, disagree_votes))
    return float(agree_votes + disagree_votes) ** (low / high)


def hot_score(score: int, created_at: datetime, now: datetime) -> float:
    age_hours = max((now - created_at).total_seconds(), 0.0) / 3600.0
    return score / (age_hours + 2.0) ** HOT_GRAVITY


def sort_key(sort: str, now: datetime):
    """The key that orders sibling nodes in ``sort`` (also ranks a part's siblings)."""
    # Every key ends with age and then id, so the order is total and repeatable.
    if sort == "top":
        return lambda n: (-n.comment.score, n.comment.created_at, n.comment.id)
    if sort == "new":
        return lambda n: (_neg_ts(n.comment.created_at), -n.comment.id)
    if sort == "old":
        return lambda n: (n.comment.created_at, n.comment.id)
    if sort == "best":
        return lambda n: (
            -wilson_lower_bound(n.comment.upvotes, n.comment.downvotes),
            n.comment.created_at,
            n.comment.id,
        )
    if sort == "hot":
        return lambda n: (
            -hot_score(n.comment.score, n.comment.created_at, now),
            n.comment.created_at,
            n.comment.id,
        )
    if sort == "active":
        return lambda n: (_neg_ts(n.last_activity), n.comment.created_at, n.comment.id)
    if sort == "controversial":
        return lambda n: (
            -controversy(n.comment.agree_votes, n.comment.disagree_votes),
            n.comment.created_at,
            n.comment.id,
        )
    raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")


def _neg_ts(moment: datetime) -> float:
    return -moment.timestamp()


def normalize_sort(value) -> str | None:
    """The sort named by ``value``, or None when it names none."""
    if isinstance(value, str) and value.strip().lower() in SORTS:
        return value.strip().lower()
    return None


def build_tree(rows: Iterable, *, sort: str = DEFAULT_SORT, now: datetime, root_id=None):
    """Nest ``rows`` into a sorted forest and return its top-level nodes.

    With ``root_id`` the forest is that one comment's subtree (for a permalink page); rows
    outside it are ignored. Deleted or removed comments stay as placeholders only when some
    visible comment sits below them; otherwise they are dropped. Depth counts from the top of
    the returned forest.
    """
    key = sort_key(sort, now)
    nodes, children_of = _group(rows)
    if root_id is None:
        # Roots, and orphans whose parent is not among the rows, start the forest.
        tops = [node for node in nodes.values() if node.comment.parent_id not in nodes]
    else:
        tops = [nodes[root_id]] if root_id in nodes else []
    forest = [top for top in tops if _settle(top, children_of, key)]
    forest.sort(key=key)
    return forest


def _group(rows) -> tuple[dict, dict]:
    """A node per row by id, and each parent id's child nodes: one pass."""
    nodes = {}
    children_of: dict[object, list[Node]] = {}
    for row in rows:
        node = Node(row)
        nodes[row.id] = node
        siblings = children_of.get(row.parent_id)
        if siblings is None:
            children_of[row.parent_id] = [node]
        else:
            siblings.append(node)
    return nodes, children_of


def _settle(top: Node, children_of: dict, key) -> bool:
    """Set depths, keep, sort and count below ``top``; whether ``top`` itself is kept."""
    # One walk down sets depths and lists the tree parents-first (iterative: deep chains
    # must not hit Python's recursion limit); going up that list then meets every node
    # after all of its children, to keep, sort and count them.
    order = []
    stack = [top]
    while stack:
        node = stack.pop()
        order.append(node)
        kids = children_of.get(node.comment.id)
        if kids:
            depth = node.depth + 1
            for child in kids:
                child.depth = depth
            stack.extend(kids)
    for node in reversed(order):
        kids = children_of.get(node.comment.id)
        if not kids:
            continue
        kept = [child for child in kids if child.comment.state == VISIBLE or child.children]
        if len(kept) > 1:
            kept.sort(key=key)
        node.children = kept
        descendants = len(kept)
        last = node.last_activity
        for child in kept:
            descendants += child.descendants
            if child.last_activity > last:
                last = child.last_activity
        node.descendants = descendants
        node.last_activity = last
    return _kept(top)


def _kept(node: Node) -> bool:
    return node.comment.state == VISIBLE or bool(node.children)


class More:
    """Where a part cut a comment's replies (``Node.more``): "N more replies", after the shown
    ones, one level below the comment."""

    __slots__ = ("parent", "depth", "count")

    def __init__(self, parent: Node):
        self.parent = parent
        self.depth = parent.depth + 1
        self.count = parent.more


def walk(forest, *, max_depth: int = MAX_DEPTH):
    """Yield ``(node, is_cut)`` in display order, depth first, and a ``More`` after the shown
    replies of a comment whose replies a part cut (``(More, False)``).

    A node at ``max_depth - 1`` that has children is yielded with ``is_cut=True`` and its children
    are not: the page shows "continue this thread" there instead.
    """
    stack = list(reversed(forest))
    while stack:
        node = stack.pop()
        if node.__class__ is More:
            yield node, False
            continue
        cut = node.depth >= max_depth - 1 and bool(node.children or node.more)
        yield node, cut
        if not cut:
            if node.more:
                stack.append(More(node))
            stack.extend(reversed(node.children))


def count_shown(forest) -> int:
    return sum(1 + node.descendants for node in forest)
