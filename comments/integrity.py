"""Checking and repairing comment threads: the logic behind ``manage.py check_threads``.

The parent links are the truth; ``tree_id``, ``lft``, ``rght`` and ``level`` are an index derived
from them, ``score``/``upvotes``/``downvotes`` a cache of the stored approval votes (weights
summed), ``agreement``/``agree_votes``/``disagree_votes`` one of the agreement votes, karma a
cache of the scores (so of the approval votes' weights), ``Roundup.comment_count`` a cache of the
visible comments (and, in ``integrity_papers``, each paper entry's count and each ``Paper`` row).
A check reads both and lists
every place they disagree; a repair re-derives the index and the counters from the
truth, under the same locks the services take (``comments/locks.py``), so it can run while
the site is up.
``Roundup.thread_version`` is not checked: it counts nothing, it only has to move (repairs move it).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from roundups.models import Roundup

from .integrity_papers import check_paper_counts, repair_paper_counts
from .karma import karma_for, karma_totals
from .locks import lock_new_root, lock_tree
from .models import Comment, Karma, Vote

# A tree shifted by one bad update can break every node in it; the first few say enough.
MAX_PROBLEMS_SHOWN_PER_TREE = 10
# Counts the apps above comments keep on rows hanging off comments (papers: each suggestion's
# supporter_count), checked and repaired with the threads. Appended in their AppConfig.ready():
# (check(roundup, report, Problem), repair(report) -> [what changed]); a check keeps what its
# repair needs in ``report.found[<its name>]``, and its repair runs under the repair's
# transaction, locking its own rows.
EXTRA_CHECKS: list[tuple[Callable, Callable]] = []


@dataclass(frozen=True)
class Problem:
    # "tree", "shared_tree_id", "counters", "agreement", "karma", "comment_count",
    # "entry_comment_count", "paper", "unrepairable", and the EXTRA_CHECKS' ("supporter_count")
    kind: str
    message: str
    tree_id: int | None = None
    comment_id: int | None = None


@dataclass
class Report:
    comments: int = 0
    trees: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Kept for the repair: trees (by tree_id) whose nested-set fields are wrong, roots that
    # share a tree_id with an older root, nodes whose tree_id is not their root's, and
    # comments whose counters disagree with the votes.
    broken_trees: set = field(default_factory=set)
    extra_roots: list = field(default_factory=list)
    misplaced: dict = field(default_factory=dict)  # root pk -> [pk of nodes with a wrong tree_id]
    members: dict = field(default_factory=dict)  # root pk -> [pk of every node of its tree]
    bad_counters: list = field(default_factory=list)
    bad_agreement: list = field(default_factory=list)  # comments whose agreement is off
    bad_karma: list = field(default_factory=list)  # user ids whose kept karma is not the sum
    bad_comment_counts: list = field(default_factory=list)  # roundup ids whose count is wrong
    bad_entry_counts: list = field(default_factory=list)  # paper entry ids whose count is wrong
    bad_papers: list = field(default_factory=list)  # paper keys whose Paper row is wrong
    found: dict = field(default_factory=dict)  # what each of EXTRA_CHECKS found, by its name

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def repairable(self) -> bool:
        return all(p.kind != "unrepairable" for p in self.problems)


def _scope(roundup):
    """Comments to check: all, or one roundup's plus any tree that shares a tree_id with it."""
    qs = Comment.objects.order_by()
    if roundup is None:
        return qs
    tree_ids = Comment.objects.filter(roundup=roundup).order_by().values("tree_id")
    return qs.filter(Q(roundup=roundup) | Q(tree_id__in=tree_ids))


def check_threads(*, roundup=None) -> Report:
    """Every disagreement between the parent links, the tree fields and the votes."""
    rows = list(_scope(roundup).values_list("pk", "parent_id", "tree_id", "lft", "rght", "level"))
    report = Report(comments=len(rows))
    nodes = {row[0]: row for row in rows}
    children = defaultdict(list)
    for pk, parent_id, *_ in rows:
        if parent_id is not None:
            children[parent_id].append(pk)

    root_of = _find_roots(nodes, report)
    members = defaultdict(list)
    for pk, root in root_of.items():
        members[root].append(pk)
    report.members = dict(members)
    report.trees = len(members)

    _check_shared_tree_ids(nodes, members, report)
    for root, pks in sorted(members.items(), key=lambda item: nodes[item[0]][2]):
        _check_tree(root, pks, nodes, children, report)
    _check_counters(roundup, report)
    _check_agreement(roundup, report)
    _check_karma(roundup, report)
    _check_comment_counts(roundup, report)
    check_paper_counts(roundup, report, Problem)
    for check, _repair in EXTRA_CHECKS:
        check(roundup, report, Problem)
    return report


def _find_roots(nodes, report) -> dict:
    """Map each comment to the root its parent links lead to; report links that lead nowhere."""
    root_of = {}
    for start in nodes:
        path, pk = [], start
        while pk not in root_of:
            path.append(pk)
            parent_id = nodes[pk][1]
            if parent_id is None:
                root = pk
                break
            if parent_id not in nodes:
                report.problems.append(
                    Problem(
                        "unrepairable",
                        f"comment {pk}: its parent {parent_id} is not in the same roundup's "
                        "threads; fix the parent link by hand.",
                        comment_id=pk,
                    )
                )
                root = None
                break
            if parent_id in path:
                report.problems.append(
                    Problem(
                        "unrepairable",
                        f"comment {pk}: its parent links go round in a circle "
                        f"({' -> '.join(map(str, path[path.index(parent_id) :] + [parent_id]))}); "
                        "fix the parent link by hand.",
                        comment_id=pk,
                    )
                )
                root = None
                break
            pk = parent_id
        else:
            root = root_of[pk]
        for node in path:
            root_of[node] = root
    return {pk: root for pk, root in root_of.items() if root is not None}


def _check_shared_tree_ids(nodes, members, report) -> None:
    by_tree_id = defaultdict(list)
    for root in members:
        by_tree_id[nodes[root][2]].append(root)
    for tree_id, roots in sorted(by_tree_id.items()):
        if len(roots) < 2:
            continue
        keeper, *others = sorted(roots)
        for root in others:
            report.extra_roots.append(root)
            report.problems.append(
                Problem(
                    "shared_tree_id",
                    f"tree {tree_id}: root comment {root} shares tree_id {tree_id} with root "
                    f"comment {keeper}; their nested-set fields overlap.",
                    tree_id=tree_id,
                    comment_id=root,
                )
            )


def _check_tree(root, pks, nodes, children, report) -> None:
    """The nested-set invariants of one tree (given by parent links) rooted at ``root``."""
    tree_id = nodes[root][2]
    misplaced = [pk for pk in pks if nodes[pk][2] != tree_id]
    if misplaced:
        report.misplaced[root] = misplaced
    size = _subtree_sizes(root, children)
    faults = []
    _, _, _, lft, rght, level = nodes[root]
    if (lft, rght, level) != (1, 2 * len(pks), 0):
        expected = f"expected 1, {2 * len(pks)}, 0"
        faults.append((root, f"root has lft={lft} rght={rght} level={level}, {expected}"))
    for pk in pks:
        faults.extend((pk, message) for message in _node_faults(pk, nodes, size[pk]))
    endpoints = _endpoint_fault(pks, nodes)
    if endpoints:
        faults.append((root, endpoints))
    if not faults:
        return
    report.broken_trees.add(tree_id)
    shown = [
        Problem("tree", f"tree {tree_id}: comment {pk}: {message}", tree_id, pk)
        for pk, message in faults[:MAX_PROBLEMS_SHOWN_PER_TREE]
    ]
    if len(faults) > len(shown):
        more = len(faults) - len(shown)
        shown.append(Problem("tree", f"tree {tree_id}: ... and {more} more", tree_id))
    report.problems.extend(shown)


def _node_faults(pk, nodes, size) -> list[str]:
    """What is wrong with one node's fields, given its subtree's ``size`` and its parent's."""
    _, parent_id, node_tree, lft, rght, level = nodes[pk]
    faults = []
    if not lft < rght:
        faults.append(f"lft={lft} is not below rght={rght}")
    if rght - lft + 1 != 2 * size:
        faults.append(
            f"interval {lft}..{rght} is {rght - lft + 1} wide but its subtree of "
            f"{size} comment(s) needs {2 * size}"
        )
    if parent_id is None:
        return faults
    _, _, parent_tree, p_lft, p_rght, p_level = nodes[parent_id]
    if node_tree != parent_tree:
        faults.append(f"tree_id {node_tree} differs from its parent {parent_id}'s {parent_tree}")
    if not (p_lft < lft and rght < p_rght):
        faults.append(
            f"interval {lft}..{rght} is not inside its parent {parent_id}'s {p_lft}..{p_rght}"
        )
    if level != p_level + 1:
        faults.append(f"level {level} is not its parent {parent_id}'s level {p_level} + 1")
    return faults


def _endpoint_fault(pks, nodes) -> str | None:
    """Unless the tree's lft/rght values are exactly 1..2n, each once: what is off."""
    endpoints = defaultdict(int)
    for pk in pks:
        endpoints[nodes[pk][3]] += 1
        endpoints[nodes[pk][4]] += 1
    expected = set(range(1, 2 * len(pks) + 1))
    reused = sorted(n for n, uses in endpoints.items() if uses > 1)
    missing = sorted(expected - endpoints.keys())
    stray = sorted(endpoints.keys() - expected)
    if not (reused or missing or stray):
        return None
    found = [("used twice", reused), ("unused", missing), ("out of range", stray)]
    detail = "; ".join(f"{label}: {_short(values)}" for label, values in found if values)
    return f"endpoints are not exactly 1..{2 * len(pks)} once each: {detail}"


def _subtree_sizes(root, children) -> dict:
    """Number of comments in each node's subtree, iteratively (threads can be deep)."""
    order, stack = [], [root]
    while stack:
        pk = stack.pop()
        order.append(pk)
        stack.extend(children.get(pk, ()))
    size = {}
    for pk in reversed(order):
        size[pk] = 1 + sum(size[child] for child in children.get(pk, ()))
    return size


def _short(values) -> str:
    return ", ".join(map(str, values[:8])) + (", ..." if len(values) > 8 else "")


def _with_stored_votes(qs, axis=Vote.Axis.APPROVAL, names=("true_score", "true_up", "true_down")):
    """Annotate the counters one axis's stored votes give: the sum of their weights up and down,
    and how many went each way (subqueries, so no join fan-out)."""

    def total(aggregate, **filters):
        votes = Vote.objects.filter(comment=OuterRef("pk"), axis=axis, **filters).order_by()
        return Coalesce(
            Subquery(votes.values("comment").annotate(n=aggregate).values("n")),
            Value(0),
            output_field=IntegerField(),
        )

    weighted, up, down = names
    return qs.annotate(
        **{
            weighted: total(Sum(F("value") * F("weight"))),
            up: total(Count("pk"), value=1),
            down: total(Count("pk"), value=-1),
        }
    )


def _check_counters(roundup, report) -> None:
    qs = _with_stored_votes(_scope(roundup)).exclude(
        score=F("true_score"),
        upvotes=F("true_up"),
        downvotes=F("true_down"),
    )
    for row in qs.values(
        "pk", "tree_id", "score", "upvotes", "downvotes", "true_score", "true_up", "true_down"
    ).order_by("pk"):
        report.bad_counters.append(row["pk"])
        report.problems.append(
            Problem(
                "counters",
                f"comment {row['pk']}: score/upvotes/downvotes are "
                f"{row['score']}/{row['upvotes']}/{row['downvotes']} but its stored votes "
                f"give {row['true_score']}/{row['true_up']}/{row['true_down']}",
                tree_id=row["tree_id"],
                comment_id=row["pk"],
            )
        )


# The agreement axis: its own counters, from its own stored votes (weights included). Never
# part of karma.
_AGREEMENT = ("agreement", "agree_votes", "disagree_votes")
_TRUE_AGREEMENT = ("true_agreement", "true_agree", "true_disagree")


def _with_stored_agreement(qs):
    return _with_stored_votes(qs, Vote.Axis.AGREEMENT, _TRUE_AGREEMENT)


def _check_agreement(roundup, report) -> None:
    """Each comment's agreement counters against its stored agreement votes."""
    qs = _with_stored_agreement(_scope(roundup)).exclude(
        agreement=F("true_agreement"),
        agree_votes=F("true_agree"),
        disagree_votes=F("true_disagree"),
    )
    for row in qs.values("pk", "tree_id", *_AGREEMENT, *_TRUE_AGREEMENT).order_by("pk"):
        report.bad_agreement.append(row["pk"])
        kept = "/".join(str(row[name]) for name in _AGREEMENT)
        true = "/".join(str(row[name]) for name in _TRUE_AGREEMENT)
        report.problems.append(
            Problem(
                "agreement",
                f"comment {row['pk']}: agreement/agree_votes/disagree_votes are {kept} but its "
                f"stored agreement votes give {true}",
                tree_id=row["tree_id"],
                comment_id=row["pk"],
            )
        )


def _repair_agreement(pks) -> list[str]:
    """Recount the agreement counters of ``pks`` from their stored votes, under the comments'
    row locks (the ones vote_cast takes)."""
    if not pks:
        return []
    list(Comment.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk"))
    changes = []
    rows = _with_stored_agreement(Comment.objects.filter(pk__in=pks)).order_by("pk")
    for row in rows.values("pk", *_AGREEMENT, *_TRUE_AGREEMENT):
        true = [row[name] for name in _TRUE_AGREEMENT]
        Comment.objects.filter(pk=row["pk"]).update(**dict(zip(_AGREEMENT, true, strict=True)))
        kept = "/".join(str(row[name]) for name in _AGREEMENT)
        changes.append(
            f"comment {row['pk']}: agreement/agree_votes/disagree_votes {kept} -> "
            f"{'/'.join(map(str, true))} (from its stored votes)"
        )
    return changes


def _check_karma(roundup, report) -> None:
    """Each author's kept karma (Karma) against the sum of their comments' scores."""
    if roundup is None:  # every row and every author: no list of ids sent to the database
        kept = dict(Karma.objects.values_list("user_id", "value"))
        true = karma_totals()
    else:
        authors = set(_scope(roundup).values_list("author_id", flat=True).distinct())
        kept, true = karma_for(authors), karma_totals(authors)
    for user_id in sorted(kept.keys() | true.keys()):
        if kept.get(user_id, 0) != true.get(user_id, 0):
            report.bad_karma.append(user_id)
            report.problems.append(
                Problem(
                    "karma",
                    f"user {user_id}: karma is {kept.get(user_id, 0)} but their comments' "
                    f"scores add up to {true.get(user_id, 0)}",
                )
            )


def _with_true_comment_count(roundups):
    """Annotate ``true_count``: the roundup's visible comments, counted."""
    visible = (
        Comment.objects.filter(roundup=OuterRef("pk"), state=Comment.State.VISIBLE)
        .order_by()
        .values("roundup")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return roundups.annotate(
        true_count=Coalesce(Subquery(visible), Value(0), output_field=IntegerField())
    )


def _check_comment_counts(roundup, report) -> None:
    """Each roundup's kept ``comment_count`` against its visible comments."""
    roundups = Roundup.objects.order_by("pk")
    if roundup is not None:
        roundups = roundups.filter(pk=roundup.pk)
    wrong = _with_true_comment_count(roundups).exclude(comment_count=F("true_count"))
    for pk, kept, true in wrong.values_list("pk", "comment_count", "true_count"):
        report.bad_comment_counts.append(pk)
        report.problems.append(
            Problem(
                "comment_count",
                f"roundup {pk}: comment_count is {kept} but it has {true} visible comment(s)",
            )
        )


# --- repair -------------------------------------------------------------------------------------


def repair_threads(*, roundup=None) -> tuple[list[str], Report]:
    """Re-derive what a check found wrong; return what changed and a fresh check.

    Runs in one transaction holding the locks the services take, in their order: the new-root
    lock when a root needs a new tree_id, each broken tree's lock (in tree_id order, after the
    root lock, so two repairs cannot deadlock; a service holds one of these at a time), then the
    row locks of the comments, karma and roundups whose counts are recomputed.
    """
    first = check_threads(roundup=roundup)
    if first.ok:
        return [], first
    with transaction.atomic():
        if first.extra_roots:
            lock_new_root()
        locked = first.broken_trees | _tree_ids_of(first.extra_roots)
        for tree_id in sorted(locked):
            lock_tree(tree_id)
        # Check again under the locks: what we repair must be what is wrong now.
        report = check_threads(roundup=roundup)
        changes = _repair_trees(report, locked)
        changes.extend(_repair_counters(report.bad_counters))
        changes.extend(_repair_agreement(report.bad_agreement))
        changes.extend(_repair_karma(roundup))
        changes.extend(_repair_comment_counts(report.bad_comment_counts))
        changes.extend(repair_paper_counts(report))
        for _check, repair in EXTRA_CHECKS:
            changes.extend(repair(report))
        if changes:
            _threads_changed(roundup)
    return changes, check_threads(roundup=roundup)


def _threads_changed(roundup) -> None:
    """Move on ``thread_version`` of every roundup in the repair's scope (``_scope``): a new
    tree_id or score reorders a thread as a post or a vote does. Last, after the row locks above,
    as the services take the roundup's row last."""
    roundups = Roundup.objects.all()
    if roundup is not None:
        roundups = roundups.filter(pk__in=_scope(roundup).values("roundup_id"))
    roundups.update(thread_version=F("thread_version") + 1)


def _repair_trees(report, locked) -> list[str]:
    """Split shared tree_ids, give misplaced nodes their root's, rebuild each broken tree: only
    trees in ``locked``, whose locks the caller holds."""
    changes, to_rebuild = [], set()
    for root in report.extra_roots:
        old = Comment.objects.values_list("tree_id", flat=True).get(pk=root)
        if old not in locked:
            continue
        new = Comment._tree_manager._get_next_tree_id()
        moved = Comment.objects.filter(pk__in=report.members[root]).update(tree_id=new)
        changes.append(
            f"root comment {root}: moved with its {moved - 1} repl"
            f"{'y' if moved == 2 else 'ies'} from shared tree_id {old} to new tree_id {new}"
        )
        to_rebuild |= {old, new}

    for root, pks in report.misplaced.items():
        tree_id = Comment.objects.values_list("tree_id", flat=True).get(pk=root)
        if tree_id not in locked:
            continue
        Comment.objects.filter(pk__in=pks).update(tree_id=tree_id)
        changes.append(f"tree {tree_id}: gave {len(pks)} comment(s) their root's tree_id")
        to_rebuild.add(tree_id)

    to_rebuild |= report.broken_trees & locked
    for tree_id in sorted(to_rebuild):
        moved, total = _rebuild_tree(tree_id)
        changes.append(
            f"tree {tree_id}: rebuilt from parent links; lft/rght/level changed on "
            f"{moved} of {total} comment(s)"
        )
    return changes


def _tree_ids_of(root_pks) -> set:
    return set(Comment.objects.filter(pk__in=root_pks).values_list("tree_id", flat=True))


def _rebuild_tree(tree_id) -> tuple[int, int]:
    """Re-derive one tree's lft/rght/level from its parent links; return (changed, total).

    Like django-mptt's ``partial_rebuild``, except that siblings are laid out in id order, which
    is the order the services inserted them in (a reply always goes last among its siblings):
    mptt's rebuild follows the current, broken ``lft`` instead. So a repaired tree is exactly
    the tree the inserts would have left. Called holding the tree's lock.
    """
    rows = list(
        Comment.objects.filter(tree_id=tree_id)
        .order_by("pk")
        .values_list("pk", "parent_id", "lft", "rght", "level")
    )
    children = defaultdict(list)
    roots = []
    for pk, parent_id, *_ in rows:
        (children[parent_id] if parent_id is not None else roots).append(pk)
    if len(roots) != 1:  # the caller split shared tree_ids first; refuse to guess
        raise RuntimeError(f"tree {tree_id} has {len(roots)} roots")
    wanted, counter = {}, 0
    # Iterative depth-first walk: a thread can be deeper than Python's recursion limit.
    stack = [(roots[0], 0, False)]
    while stack:
        pk, level, done = stack.pop()
        counter += 1
        if done:
            wanted[pk] = (wanted[pk][0], counter, level)
            continue
        wanted[pk] = (counter, None, level)
        stack.append((pk, level, True))
        stack.extend((child, level + 1, False) for child in reversed(children[pk]))
    changed = [
        Comment(pk=pk, lft=wanted[pk][0], rght=wanted[pk][1], level=wanted[pk][2])
        for pk, _, lft, rght, level in rows
        # Nodes the root cannot reach (a parent cycle) are left as they are and reported.
        if pk in wanted and (lft, rght, level) != wanted[pk]
    ]
    Comment.objects.bulk_update(changed, ["lft", "rght", "level"], batch_size=500)
    return len(changed), len(wanted)


def _repair_counters(pks) -> list[str]:
    if not pks:
        return []
    # The same row locks vote_cast takes: no vote on these comments lands while we count.
    list(Comment.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk"))
    changes = []
    for row in (
        _with_stored_votes(Comment.objects.filter(pk__in=pks))
        .order_by("pk")
        .values("pk", "score", "upvotes", "downvotes", "true_score", "true_up", "true_down")
    ):
        Comment.objects.filter(pk=row["pk"]).update(
            score=row["true_score"], upvotes=row["true_up"], downvotes=row["true_down"]
        )
        changes.append(
            f"comment {row['pk']}: score/upvotes/downvotes "
            f"{row['score']}/{row['upvotes']}/{row['downvotes']} -> "
            f"{row['true_score']}/{row['true_up']}/{row['true_down']} (from its stored votes)"
        )
    return changes


def _repair_karma(roundup) -> list[str]:
    """Set each wrong karma to the sum of the scores, after the counters are repaired.

    The karma rows are locked first, so a vote in flight (its score change not yet visible to
    this sum) waits and then adds its change on top of the repaired value.
    """
    report = Report()
    _check_karma(roundup, report)
    if not report.bad_karma:
        return []
    for user_id in report.bad_karma:
        Karma.objects.get_or_create(user_id=user_id)
    list(Karma.objects.select_for_update().filter(user_id__in=report.bad_karma).order_by("pk"))
    kept, true = karma_for(report.bad_karma), karma_totals(report.bad_karma)
    changes = []
    for user_id in report.bad_karma:
        value = true.get(user_id, 0)
        Karma.objects.filter(user_id=user_id).update(value=value)
        changes.append(f"user {user_id}: karma {kept[user_id]} -> {value} (from their comments)")
    return changes


def _repair_comment_counts(roundup_pks) -> list[str]:
    """Set each wrong ``comment_count`` to the count of visible comments.

    The roundup rows are locked first, as for karma: a change of visibility in flight either
    committed before the count (and is in it) or waits and adds its change on top.
    """
    if not roundup_pks:
        return []
    roundups = Roundup.objects.filter(pk__in=roundup_pks).order_by("pk")
    # Locked in a statement of its own: the count below then reads what committed meanwhile.
    list(roundups.select_for_update().values_list("pk"))
    changes = []
    wrong = _with_true_comment_count(roundups).exclude(comment_count=F("true_count"))
    for pk, kept, true in wrong.values_list("pk", "comment_count", "true_count"):
        Roundup.objects.filter(pk=pk).update(comment_count=true)
        changes.append(f"roundup {pk}: comment_count {kept} -> {true} (its visible comments)")
    return changes
