"""Threads in parts: a page of sibling comments at a time, behind opaque keyset cursors.

A *part* is a run of siblings (the roundup's top-level comments, or one comment's direct replies
on its permalink page) in the chosen sort, each with its replies, about ``PART_COMMENTS``
comments in all. Below the siblings every comment shows at most ``REPLIES_SHOWN`` of its replies
(the best ones in the sort) and one "N more replies" link for the rest.

Why a frozen ranking, and not a keyset over the live sort key
-------------------------------------------------------------
``new``, ``old`` and ``active`` sort by keys that never change for a snapshot moment, but
``top``, ``best`` and ``hot`` sort by votes, which keep arriving while a reader pages: with a
cursor holding "after score 12, id 4031", a comment voted from 11 up to 13 between two fetches
would be shown twice, and one voted down from 13 to 11 never. Votes keep no history (a vote is
changed or taken back in place), so the order as it was cannot be recomputed later either. So
the order of the siblings is *frozen* at the first fetch: the ranking (their ids, in the sort,
with ``hot`` decayed to that moment) is computed once, and the cursor is a keyset over that
frozen order: "the ranking whose digest is D, from position i on". A part takes a contiguous run
of it and the next cursor starts right after, so following cursors from the first part to the
last yields every sibling exactly once, whatever is posted or voted meanwhile; a sibling posted
after the first fetch is not in the ranking (it shows on the next first part).

The ranking is kept in the cache under its digest (so every reader who sees the same order
shares one entry, and a page view writes only when the order changed) for ``RANKING_SECONDS``,
and only when the thread does not fit in one part. When the entry is gone (evicted, expired)
the ranking is computed again and kept going if its digest is unchanged; otherwise the cursor
has expired (400, start again). Cursors are signed (``django.core.signing``): a tampered or
made-up one is a 400, never a guess.

A first part does not rank every top-level comment on each view either: ``first_ranking`` keeps
its start (``HEAD_IDS`` ids, its digest, length and moment) under the thread's version
(``Roundup.thread_version``, moved in the transaction of every post, change of state and vote),
the sort and the paper, and a first part of an unchanged thread reads that one entry instead of
the ranking query. The version comes with the roundup row the view has already read, so it costs
no query, and a ranking kept under it was computed after that version was committed: it is never
older than the thread the reader's row shows. ``hot`` decays with time, so its entry is also
keyed by a ``HOT_BUCKET_SECONDS`` bucket and ranked at the bucket's start, which is its cursors'
moment: every reader in the bucket shares it, and a later part ranks exactly as the first did.

No OFFSET anywhere: the ranking reads the siblings' sort keys in one query (``rank_roots``),
and a part reads the trees of its window of siblings by ``tree_id`` (``queries.thread_rows``).
"""

import hashlib
import json
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.core.cache import cache
from django.db import connections
from django.db.models import F, Max, OuterRef, Q, Subquery

from forum.errors import InvalidInput

from ..models import Comment
from .tree import MAX_DEPTH, SORTS, Node, build_tree, sort_key

# About 150 comments a part: a long screenful of discussion and about 250 KB of HTML, so the
# first part of a 50,000-comment thread costs what a small thread costs; most roundups (tens of
# comments) still fit in one part, as Reddit's ~200-comment first fetch does.
PART_COMMENTS = 150
# A part reads the trees of this share of ``budget`` top-level comments: a top-level comment
# brings a few replies (four on average in the benchmarks' realistic threads), so half the budget
# in trees fills a part while reading a third of the rows a tree per budgeted comment would; a
# thread of lone comments gets parts of half the size.
ROOTS_READ = 0.5
# The most a client may ask for in one part (the API's ``limit``).
MAX_PART_COMMENTS = 500
# Below the siblings of a part, each comment shows its best few replies, then "N more replies":
# enough for a conversation to read on, not so many that one busy comment fills the part.
REPLIES_SHOWN = 5
# How long a frozen ranking is kept for its cursors: a reading session, with room to spare.
RANKING_SECONDS = 6 * 3600
# ``hot`` decays with time, so a kept first ranking of it serves one minute of readers, all
# ranked at the minute's start: a comment's decay moves its place far more slowly than that
# (hours: tree.hot_score), and one ranking query a minute is nothing at the views a busy
# thread gets.
HOT_BUCKET_SECONDS = 60
# What a first part keeps of its ranking under the thread's version: the window of the largest
# part a client may ask for (``MAX_PART_COMMENTS``), 2 KB whatever the thread's size; a first
# part that needs more (a link to a comment further down) ranks afresh.
HEAD_IDS = int(MAX_PART_COMMENTS * ROOTS_READ)
_SALT = "comments.thread.parts"
_CACHE_PREFIX = "thread-ranking:"
_FIRST_PREFIX = "thread-first:"


@dataclass(frozen=True)
class Cursor:
    """Where the next part starts: position ``index`` of the ranking with digest ``digest``.

    Bound to one roundup, one parent (0: the top level), one sort and one paper filter (0: none);
    ``taken_at`` is the moment the ranking was frozen (``hot`` decays to it).
    """

    roundup_id: int
    parent_id: int
    sort: str
    paper_id: int
    digest: str
    index: int
    taken_at: float

    def encode(self) -> str:
        fields = [self.roundup_id, self.parent_id, self.sort, self.paper_id, self.digest,
                  self.index, self.taken_at]  # fmt: skip
        return signing.dumps(fields, salt=_SALT, compress=True)

    @classmethod
    def decode(cls, value: str) -> "Cursor":
        """The cursor in ``value``; ``InvalidInput`` (400) for anything we did not sign."""
        try:
            fields = signing.loads(value, salt=_SALT)
            cursor = cls(*fields)
        except (signing.BadSignature, TypeError, ValueError):
            raise InvalidInput(
                "This cursor is not one we gave out: start from the first part."
            ) from None
        ints = (cursor.roundup_id, cursor.parent_id, cursor.paper_id, cursor.index)
        if not all(type(v) is int and v >= 0 for v in ints) or cursor.sort not in SORTS:
            raise InvalidInput("This cursor is not one we gave out: start from the first part.")
        return cursor

    def check(self, *, roundup_id: int, parent_id: int | None) -> None:
        if self.roundup_id != roundup_id or self.parent_id != (parent_id or 0):
            raise InvalidInput("This cursor belongs to another thread: start from its first part.")


def digest_of(ranking: list[int], *, scope: tuple) -> str:
    """A short digest of a ranking and what it ranks (roundup, parent, sort, paper): readers
    who see the same order share one kept ranking, whenever they came."""
    hasher = hashlib.blake2b(repr(scope).encode(), digest_size=12)
    hasher.update(ranking.tobytes() if isinstance(ranking, array) else array("q", ranking))
    return hasher.hexdigest()


def keep_ranking(digest: str, ranking: list[int], *, renew: bool = False) -> None:
    """Keep ``ranking`` for its cursors, unless a reader who saw the same order already did
    (``renew``: and then keep theirs ``RANKING_SECONDS`` from now)."""
    key = _CACHE_PREFIX + digest
    # Both ask without fetching it back: ~100 KB at 12,500 roots.
    kept = cache.touch(key, RANKING_SECONDS) if renew else cache.has_key(key)
    if not kept:
        stored = ranking if isinstance(ranking, array) else array("q", ranking)
        cache.set(key, stored.tobytes(), RANKING_SECONDS)


def kept_ranking(digest: str) -> array | None:
    stored = cache.get(_CACHE_PREFIX + digest)
    return None if stored is None else array("q", stored)


# --- the ranking of the roundup's top-level comments -----------------------------------------


def rank_roots(roundup, *, sort: str, now: datetime, paper_id=None) -> array:
    """The ``tree_id`` of every top-level comment of ``roundup`` (of one paper's, with
    ``paper_id``), in ``sort`` order at ``now``: one query over the roots only.

    The same order ``tree.build_tree`` gives the roots (``tree.sort_key``): ``active`` ranks a
    root by its tree's latest visible comment, or the root itself (a deleted comment kept as a
    placeholder always has a visible reply posted after it, so that is the same moment).
    """
    roots = Comment.objects.filter(roundup=roundup, parent__isnull=True)
    if paper_id:
        roots = roots.filter(paper_entry_id=paper_id)
    if sort == "top":
        return _tree_ids(roots.order_by("-score", "created_at", "id"))
    if sort == "new":
        return _tree_ids(roots.order_by("-created_at", "-id"))
    if sort == "old":
        return _tree_ids(roots.order_by("created_at", "id"))
    if sort == "active":
        latest = (
            Comment.objects.filter(roundup=roundup, tree_id=OuterRef("tree_id"))
            .filter(Q(state=Comment.State.VISIBLE) | Q(parent__isnull=True))
            .order_by()  # the tree order would join the GROUP BY: one row a tree, not a node
            .values("tree_id")
            .annotate(latest=Max("created_at"))
            .values("latest")
        )
        ordered = roots.annotate(latest=Subquery(latest)).order_by(
            F("latest").desc(), "created_at", "id"
        )
        return _tree_ids(ordered)
    # best, hot and controversial: the key is a formula of the counters, worked out as the tree
    # does.
    fields = _RankRow.__slots__
    key = sort_key(sort, now)
    nodes = [_RankNode(values) for values in roots.values_list(*fields)]
    nodes.sort(key=key)
    return array("q", [node.comment.tree_id for node in nodes])


def _tree_ids(ordered) -> array:
    """The ``tree_id`` column of ``ordered``, straight from the cursor into 8 bytes an id: a
    list of Python ints would hold ~40 bytes an id, for every top-level comment of the thread."""
    sql, params = ordered.values_list("tree_id").query.get_compiler(using=ordered.db).as_sql()
    connection = connections[ordered.db]
    if connection.vendor == "sqlite":
        # One JSON array built by SQLite, parsed in C: a row a root through the driver costs
        # twice as much, and it is what grows with the thread on a first part (bench/parts.py).
        # An aggregate reads its ORDER BY subquery in order (SQLite never flattens the two).
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT json_group_array(tree_id) FROM ({sql})", params)
            return array("q", json.loads(cursor.fetchone()[0]))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return array("q", (row[0] for row in cursor))


class _RankRow:
    __slots__ = (
        "tree_id", "id", "score", "upvotes", "downvotes", "agree_votes", "disagree_votes",
        "created_at",
    )  # fmt: skip

    def __init__(self, values):
        (self.tree_id, self.id, self.score, self.upvotes, self.downvotes, self.agree_votes,
         self.disagree_votes, self.created_at) = values  # fmt: skip


class _RankNode:
    """Just enough of a ``tree.Node`` for ``tree.sort_key``."""

    __slots__ = ("comment", "last_activity")

    def __init__(self, values):
        self.comment = _RankRow(values)
        self.last_activity = self.comment.created_at


# --- a first part's ranking, kept under the thread's version ----------------------------------


@dataclass(frozen=True)
class FirstRanking:
    """The ranking a first part starts: ``ids`` is all of it when just computed, its first
    ``HEAD_IDS`` when kept; ``length`` counts all of it; ``taken_at`` is its moment."""

    ids: array
    length: int
    digest: str
    taken_at: float


def first_ranking(roundup, *, sort: str, now: datetime, paper_id=None,
                  whole: bool = False) -> FirstRanking:  # fmt: skip
    """The ranking of ``roundup``'s top-level comments for a first part: the one kept under the
    thread's version (one cache read, no query), or ``rank_roots`` (then kept). ``whole``: the
    whole ranking is needed (a link to a comment), so it is computed.

    ``roundup.thread_version`` must come from the row as read for this request (the page's and
    the API's roundup): a ranking is then never older than the thread the row shows.
    """
    key, moment = _first_key(roundup, sort, paper_id, now)
    if not whole:
        kept = cache.get(key)
        if kept is not None:
            digest, taken_at, length, head = kept
            return FirstRanking(array("q", head), length, digest, taken_at)
    ids = rank_roots(roundup, sort=sort, now=moment, paper_id=paper_id)
    digest = digest_of(ids, scope=(roundup.pk, 0, sort, paper_id or 0))
    ranking = FirstRanking(ids, len(ids), digest, moment.timestamp())
    if len(ids) > 1:
        # Whenever a part could leave some out (a client's part may be one comment long), its
        # cursors must find the ranking: kept at least as long as the entry below, which hands
        # them out.
        keep_ranking(ranking.digest, ids, renew=True)
    head = ids[:HEAD_IDS].tobytes()
    timeout = HOT_BUCKET_SECONDS if sort == "hot" else RANKING_SECONDS
    cache.set(key, (ranking.digest, ranking.taken_at, ranking.length, head), timeout)
    return ranking


def _first_key(roundup, sort, paper_id, now) -> tuple[str, datetime]:
    """The cache key of a first part's kept ranking, and the moment it ranks at: ``now``, or for
    ``hot`` the start of ``now``'s ``HOT_BUCKET_SECONDS`` bucket (in the key too)."""
    # The roundup's creation moment names it beside its id: a database restored or built anew
    # under a cache that lived on numbers its roundups and versions again.
    born = int(roundup.created_at.timestamp() * 1_000_000)
    key = f"{_FIRST_PREFIX}{roundup.pk}.{born}:{sort}:{paper_id or 0}:{roundup.thread_version}"
    if sort != "hot":
        return key, now
    bucket = int(now.timestamp() // HOT_BUCKET_SECONDS)
    return f"{key}:{bucket}", datetime.fromtimestamp(bucket * HOT_BUCKET_SECONDS, UTC)


# --- cutting a part out of a built forest ------------------------------------------------------


def take_part(siblings: list[Node], *, budget: int, max_depth: int | None = MAX_DEPTH,
              keep: frozenset = frozenset()) -> tuple[list[Node], int]:  # fmt: skip
    """The first siblings whose replies fit in ``budget`` comments, each cut to size.

    Walks each sibling's replies breadth-first, best first: a comment shows at most
    ``REPLIES_SHOWN`` replies, and none once the budget is spent; the rest are counted on it
    (``Node.more``) for its "N more replies". The first sibling is always taken, and every taken
    sibling shows at least its first ``REPLIES_SHOWN`` replies, so a part can run a little over.
    ``keep``: ids that must stay shown (the path down to a linked comment). Returns the taken
    siblings and how many comments they show.
    """
    taken: list[Node] = []
    shown = 0
    for sibling in siblings:
        if taken and shown >= budget:
            break
        taken.append(sibling)
        shown += 1 + _cut(sibling, max(budget - shown - 1, REPLIES_SHOWN), max_depth, keep)
    return taken, shown


def _cut(top: Node, allowance: int, max_depth: int | None, keep: frozenset) -> int:
    """Cut ``top``'s replies breadth-first to ``allowance`` comments; how many stay shown."""
    shown = 0
    queue = [top]
    for node in queue:  # the queue grows as it is walked: breadth first
        kids = node.children
        if not kids:
            continue
        if max_depth is not None and node.depth >= max_depth - 1:
            continue  # "continue this thread": its replies are on its own page
        room = max(0, min(REPLIES_SHOWN, allowance - shown))
        kept = [kid for i, kid in enumerate(kids) if i < room or kid.comment.id in keep]
        if len(kept) < len(kids):
            node.more = sum(1 + kid.descendants for kid in kids) - sum(
                1 + kid.descendants for kid in kept
            )
            node.children = kept
        shown += len(kept)
        queue.extend(kept)
    return shown


# --- fetching a part ---------------------------------------------------------------------------


@dataclass
class Part:
    """A part ready to render: its siblings (cut to size), what it shows, where the next starts.

    ``start`` is the position of its first sibling in the frozen ranking (0: the first part).
    """

    siblings: list[Node]
    shown: int
    next: Cursor | None
    start: int


def roots_part(roundup, *, sort, now, paper_id=None, cursor=None, budget=PART_COMMENTS,
               around=None, with_body=False, max_depth=MAX_DEPTH, rows=None) -> Part:  # fmt: skip
    """A part of the roundup's top-level comments with their replies: two queries (the ranking,
    or the kept ranking from the cache: a later part's, or an unchanged thread's first part's;
    then the window's trees).

    ``rows``: the whole thread, already read (a small thread: see ``fits_whole``); the ranking is
    then the built forest's order and no query is run. ``around``: a comment (``tree_id`` and
    the ids down to it) the part must show: the first part when it holds it, else the part that
    starts at its top-level comment.
    """
    length = digest = None  # the ranking's own, unless a kept first ranking says otherwise
    if rows is not None:
        taken_at, start = now.timestamp(), 0
        forest = build_tree(rows, sort=sort, now=now)
        ranking = [node.comment.tree_id for node in forest]

        def fetch(ranking, start, budget):
            window = forest[start : start + budget]
            return list(enumerate(window)), len(window)
    elif cursor is not None:
        cursor.check(roundup_id=roundup.pk, parent_id=None)
        sort, paper_id, start = cursor.sort, cursor.paper_id or None, cursor.index
        taken_at, digest = cursor.taken_at, cursor.digest
        moment = datetime.fromtimestamp(taken_at, UTC)
        ranking = _ranking_for(
            cursor, lambda: rank_roots(roundup, sort=sort, now=moment, paper_id=paper_id)
        )
    else:
        start = 0
        whole = around is not None or int(budget * ROOTS_READ) > HEAD_IDS
        first = first_ranking(roundup, sort=sort, now=now, paper_id=paper_id, whole=whole)
        ranking, length, digest, taken_at = first.ids, first.length, first.digest, first.taken_at
    scope = (roundup.pk, 0, sort, paper_id or 0, taken_at)
    keep = frozenset(around.path) if around is not None else frozenset()
    if rows is None:
        fetch = _window_fetcher(roundup, sort=sort, now=now, with_body=with_body)
    taken, shown, consumed = _take(fetch(ranking, start, budget), budget, max_depth, keep)
    if (
        around is not None
        and cursor is None
        and around.tree_id not in {node.comment.tree_id for node in taken}
    ):
        if around.tree_id in ranking:  # a later part: start it at the linked comment's tree
            start = ranking.index(around.tree_id)
            taken, shown, consumed = _take(fetch(ranking, start, budget), budget, max_depth, keep)
    end = start + consumed
    return _part(ranking, scope, taken, shown, start, end, length=length, digest=digest)


def fits_whole(roundup) -> bool:
    """Whether a first part may read the whole thread in one query: it holds no more visible
    comments than a part shows (placeholders aside), so the ranking query would be a waste."""
    return roundup.comment_count <= PART_COMMENTS


def _window_fetcher(roundup, *, sort, now, with_body):
    from .queries import thread_rows

    def fetch(ranking, start, budget):
        window = ranking[start : start + max(1, int(budget * ROOTS_READ))]
        rows = thread_rows(roundup, tree_ids=window, with_body=with_body) if window else []
        forest = build_tree(rows, sort=sort, now=now)
        order = {tree_id: i for i, tree_id in enumerate(window)}
        forest.sort(key=lambda node: order[node.comment.tree_id])
        return [(order[node.comment.tree_id], node) for node in forest], len(window)

    return fetch


def _take(fetched, budget, max_depth, keep):
    """``take_part`` over a fetched window; also how many ranking positions it used up."""
    placed, window_size = fetched
    taken, shown = take_part([node for _, node in placed], budget=budget, max_depth=max_depth,
                             keep=keep)  # fmt: skip
    if len(taken) < len(placed):
        consumed = placed[len(taken)][0]  # up to the first sibling left out
    else:
        consumed = window_size  # the whole window (dropped placeholders included)
    return taken, shown, consumed


def _part(ranking, scope, taken, shown, start, end, *, length=None, digest=None) -> Part:
    """The part, with a cursor for the next when the ranking goes on (kept for it, if new).

    ``digest``: the ranking's, already kept (a cursor's, or a first ranking's); ``length``: the
    ranking's when ``ranking`` is only its start (a kept first ranking).
    """
    following = None
    if end < (len(ranking) if length is None else length):
        if digest is None:
            digest = digest_of(ranking, scope=scope[:4])  # not the moment: see digest_of
            keep_ranking(digest, ranking)
        roundup_id, parent_id, sort, paper_id, taken_at = scope
        following = Cursor(roundup_id, parent_id, sort, paper_id, digest, end, taken_at)
    return Part(siblings=taken, shown=shown, next=following, start=start)


def _ranking_for(cursor: Cursor, recompute) -> list[int]:
    """The frozen ranking a cursor points into: kept, or computed again if nothing changed."""
    ranking = kept_ranking(cursor.digest)
    if ranking is None:
        ranking = recompute()
        scope = (cursor.roundup_id, cursor.parent_id, cursor.sort, cursor.paper_id)
        if digest_of(ranking, scope=scope[:4]) != cursor.digest:
            raise InvalidInput(
                "This cursor has expired and the thread has changed since: start again from "
                "the first part."
            )
        keep_ranking(cursor.digest, ranking)
    if cursor.index > len(ranking):
        raise InvalidInput("This cursor is not one we gave out: start from the first part.")
    return ranking


def replies_part(roundup, comment_id, forest, *, sort, now, cursor=None, budget=PART_COMMENTS,
                 max_depth=MAX_DEPTH) -> Part:  # fmt: skip
    """A part of one comment's direct replies, cut out of its built subtree (``forest``: the
    comment's node alone, from ``build_tree(..., root_id=...)``); the node keeps only the part.

    The replies' order is frozen at the first fetch as the top level's is (see the module).
    """
    (target,) = forest
    children = target.children
    by_id = {node.comment.id: node for node in children}
    if cursor is not None:
        cursor.check(roundup_id=roundup.pk, parent_id=comment_id)
        moment = datetime.fromtimestamp(cursor.taken_at, UTC)
        key = sort_key(cursor.sort, moment)
        ranking = _ranking_for(
            cursor, lambda: [node.comment.id for node in sorted(children, key=key)]
        )
        start = cursor.index
    else:
        start = 0
        ranking = [node.comment.id for node in children]  # build_tree sorted them at ``now``
    window = [by_id[i] for i in ranking[start : start + budget] if i in by_id]
    taken, shown = take_part(window, budget=budget, max_depth=max_depth)
    if len(taken) < len(window):
        end = ranking.index(window[len(taken)].comment.id)
    else:
        end = min(start + budget, len(ranking))
    target.children = taken
    taken_at = cursor.taken_at if cursor is not None else now.timestamp()
    scope = (roundup.pk, comment_id, sort if cursor is None else cursor.sort, 0, taken_at)
    digest = cursor.digest if cursor is not None else None
    return _part(ranking, scope, [target], shown, start, end, digest=digest)


@dataclass(frozen=True)
class Around:
    """A comment a link points at: its tree, and its id with every id above it (kept shown)."""

    tree_id: int
    path: frozenset
