"""The pure tree builder: every sort at several depths, ties, placeholders and the cut-off.

Each expected tree is written as an aligned table: one comment per line, indented by depth, in
display order, so a failure shows which sibling moved.
"""

from collections import namedtuple
from datetime import UTC, datetime, timedelta

import pytest

from comments.thread.tree import (
    MAX_DEPTH,
    SORTS,
    build_tree,
    controversy,
    count_shown,
    hot_score,
    normalize_sort,
    walk,
    wilson_lower_bound,
)

Row = namedtuple(
    "Row",
    "id parent_id state score upvotes downvotes created_at agree_votes disagree_votes",
    defaults=(0, 0),
)
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=100)


def row(id, parent, score=0, up=0, down=0, minute=0, state="visible", agree=0, disagree=0):
    return Row(id, parent, state, score, up, down, T0 + timedelta(minutes=minute), agree, disagree)


def outline(forest, max_depth=100):
    """The tree as the page shows it: one "  " per depth, then the id (and "…" where cut)."""
    return [
        "  " * node.depth + str(node.comment.id) + (" …" if cut else "")
        for node, cut in walk(forest, max_depth=max_depth)
    ]


# The thread every sort is checked on (minutes after T0; NOW is minute 100):
#
#   id  parent  score  up  down  minute  agree  disagree  controversy
#    1    -       3     3    0      0      2       2        4
#    2    -       5     6    1     10     30       3        33 ** 0.1 = 1.42
#    3    -       3     3    0     20      0       0        0    same score as 1, younger
#    4    1       1     1    0     30      5       5       10
#    5    1       4     4    0     40      1       0        0
#    6    1       4     5    1     50      3       2        5 ** (2/3) = 2.92
#    7    5       0     0    0     60      0       0        0
#    8    5       2     2    0     70      1       1        2
#    9    2      -1     0    1     80      4       4        8
THREAD = [
    row(1, None, 3, 3, 0, 0, agree=2, disagree=2),
    row(2, None, 5, 6, 1, 10, agree=30, disagree=3),
    row(3, None, 3, 3, 0, 20),
    row(4, 1, 1, 1, 0, 30, agree=5, disagree=5),
    row(5, 1, 4, 4, 0, 40, agree=1),
    row(6, 1, 4, 5, 1, 50, agree=3, disagree=2),
    row(7, 5, 0, 0, 0, 60),
    row(8, 5, 2, 2, 0, 70, agree=1, disagree=1),
    row(9, 2, -1, 0, 1, 80, agree=4, disagree=4),
]

# Display order per sort (depth shown by indent):
#
#   top        new        old        best       hot        active     controversial
#   2          3          1          1          2          2          1
#     9        2            4          5          9          9            4
#   1            9          5            8      3          1            6
#     5        1              7          7      1            5          5
#       8        6            8        6          6            8          8
#       7        5          6          4          5            7          7
#     6            8      2          3              8        6        2
#     4            7        9        2              7        4          9
#   3            4      3              9        4          3          3
EXPECTED = {
    "top": ["2", "  9", "1", "  5", "    8", "    7", "  6", "  4", "3"],
    "new": ["3", "2", "  9", "1", "  6", "  5", "    8", "    7", "  4"],
    "old": ["1", "  4", "  5", "    7", "    8", "  6", "2", "  9", "3"],
    "best": ["1", "  5", "    8", "    7", "  6", "  4", "3", "2", "  9"],
    "hot": ["2", "  9", "3", "1", "  6", "  5", "    8", "    7", "  4"],
    "active": ["2", "  9", "1", "  5", "    8", "    7", "  6", "  4", "3"],
    "controversial": ["1", "  4", "  6", "  5", "    8", "    7", "2", "  9", "3"],
}


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_orders_siblings_at_every_depth(sort):
    assert outline(build_tree(THREAD, sort=sort, now=NOW)) == EXPECTED[sort]


@pytest.mark.parametrize("sort", SORTS)
def test_sorting_never_changes_the_shape(sort):
    forest = build_tree(reversed(THREAD), sort=sort, now=NOW)  # row order does not matter
    parents = {n.comment.id: n.comment.parent_id for n, _ in walk(forest)}
    assert parents == {r.id: r.parent_id for r in THREAD}
    depths = {n.comment.id: n.depth for n, _ in walk(forest)}
    assert depths == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 1}


def test_best_is_not_top():
    # 2 has the higher score, but one down vote in seven puts its lower bound under 3-of-3's.
    assert wilson_lower_bound(6, 1) < wilson_lower_bound(3, 0)
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(3, 0) == pytest.approx(0.6462, abs=1e-4)


def test_controversy_rewards_activity_and_balance():
    assert controversy(10, 10) == 20  # evenly split: the exponent is 1
    assert controversy(30, 3) == pytest.approx(33**0.1)  # one-sided: near 1, however busy
    assert controversy(10, 10) > controversy(2, 2) > controversy(30, 3)
    assert controversy(5, 0) == controversy(0, 5) == controversy(0, 0) == 0.0


def test_hot_decays_with_age():
    assert hot_score(4, T0, T0) == pytest.approx(4 / 2**1.5)
    assert hot_score(4, T0, T0 + timedelta(hours=10)) < hot_score(1, T0, T0 + timedelta(hours=1))


# Ties: same score and same age fall back to the id, so the order is total.
#
#   id  parent  score  minute     top/best/hot/active   old    new
#   10    -       2      5        10                    10     12
#   11    -       2      5        11                    11     11
#   12    -       2      5        12                    12     10
TIES = [row(12, None, 2, 2, 0, 5), row(10, None, 2, 2, 0, 5), row(11, None, 2, 2, 0, 5)]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("top", ["10", "11", "12"]),
        ("best", ["10", "11", "12"]),
        ("hot", ["10", "11", "12"]),
        ("active", ["10", "11", "12"]),
        ("controversial", ["10", "11", "12"]),
        ("old", ["10", "11", "12"]),
        ("new", ["12", "11", "10"]),
    ],
)
def test_ties_break_by_age_then_id(sort, expected):
    assert outline(build_tree(TIES, sort=sort, now=NOW)) == expected


# Active lifts an old comment whose subtree has a new reply:
#
#   id  parent  minute                active    new
#   20    -       0     (oldest)      20        21
#   21    -      50                     22      20
#   22   20      90     (newest)      21          22
def test_active_lifts_an_old_comment_with_a_new_reply():
    rows = [row(20, None, minute=0), row(21, None, minute=50), row(22, 20, minute=90)]
    assert outline(build_tree(rows, sort="active", now=NOW)) == ["20", "  22", "21"]
    assert outline(build_tree(rows, sort="new", now=NOW)) == ["21", "20", "  22"]


def test_active_counts_activity_deep_in_the_subtree():
    # 30 (minute 0) -> 31 (minute 1) -> 32 (minute 99); 33 is a root from minute 60.
    rows = [row(30, None, minute=0), row(31, 30, minute=1), row(32, 31, minute=99)]
    rows.append(row(33, None, minute=60))
    forest = build_tree(rows, sort="active", now=NOW)
    assert outline(forest) == ["30", "  31", "    32", "33"]
    assert forest[0].last_activity == T0 + timedelta(minutes=99)


# Placeholders: a deleted or removed comment stays only while a visible comment sits below it.
#
#   id  parent  state      shown as
#   40    -     deleted    40 (placeholder: 41 is visible below it)
#   41   40     visible      41
#   42    -     removed    42 (placeholder: 44 is visible two levels down)
#   43   42     deleted      43 (placeholder)
#   44   43     visible        44
#   45    -     deleted    (dropped: nothing visible below)
#   46   45     removed      (dropped)
#   47    -     visible    47
#   48   47     deleted      (dropped: a leaf)
PLACEHOLDERS = [
    row(40, None, minute=0, state="deleted"),
    row(41, 40, minute=1),
    row(42, None, minute=2, state="removed"),
    row(43, 42, minute=3, state="deleted"),
    row(44, 43, minute=4),
    row(45, None, minute=5, state="deleted"),
    row(46, 45, minute=6, state="removed"),
    row(47, None, minute=7),
    row(48, 47, minute=8, state="deleted"),
]


def test_placeholders_keep_visible_replies_and_empty_branches_drop():
    forest = build_tree(PLACEHOLDERS, sort="old", now=NOW)
    assert outline(forest) == ["40", "  41", "42", "  43", "    44", "47"]
    assert [n.descendants for n in forest] == [1, 2, 0]
    assert count_shown(forest) == 6


# The cut-off: a chain 10 deep shows MAX_DEPTH (8) levels; the last shown one is marked cut
# ("continue this thread") and its replies are not yielded.
#
#   depth  0  1  2  3  4  5  6  7    8  9
#   id    50 51 52 53 54 55 56 57…  58 59
def test_depth_cut_off():
    chain = [row(50, None)] + [row(50 + d, 49 + d, minute=d) for d in range(1, 10)]
    forest = build_tree(chain, sort="top", now=NOW)
    shown = outline(forest, max_depth=MAX_DEPTH)
    assert len(shown) == MAX_DEPTH
    assert shown[-1] == "  " * 7 + "57 …"
    assert outline(forest, max_depth=3) == ["50", "  51", "    52 …"]
    # A leaf at the last depth is not cut: there is nothing to continue to.
    assert outline(build_tree(chain[:8], sort="top", now=NOW))[-1] == "  " * 7 + "57"


#   With root_id=5 (the permalink page of 5), depth counts from 5:
#   5
#     8
#     7
def test_root_id_builds_one_subtree_with_depth_from_it():
    forest = build_tree(THREAD, sort="top", now=NOW, root_id=5)
    assert outline(forest) == ["5", "  8", "  7"]
    assert build_tree(THREAD, sort="top", now=NOW, root_id=999) == []


def test_orphans_start_the_forest():
    # A subtree read on its own (its parent outside the rows) still shows.
    rows = [row(60, 999, minute=0), row(61, 60, minute=1)]
    assert outline(build_tree(rows, sort="old", now=NOW)) == ["60", "  61"]


def test_deep_chains_do_not_recurse():
    chain = [row(1, None)] + [row(i, i - 1, minute=i % 50) for i in range(2, 5001)]
    forest = build_tree(chain, sort="old", now=NOW)
    assert forest[0].descendants == 4999


@pytest.mark.parametrize(
    "value, expected",
    [("top", "top"), (" Hot ", "hot"), ("ACTIVE", "active"), ("bogus", None), (None, None)],
)
def test_normalize_sort(value, expected):
    assert normalize_sort(value) == expected


def test_unknown_sort_is_a_programming_error():
    with pytest.raises(ValueError):
        build_tree(THREAD, sort="bogus", now=NOW)
