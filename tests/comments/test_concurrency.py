"""Parallel writers on PostgreSQL: the locks in comments/services.py keep every tree whole.

Real threads, each with its own database connection, released together by a barrier. Without
the locks these fail: two replies into one tree shift the same lft/rght ranges, two new roots
take the same max(tree_id) + 1 (the partial unique index then raises), and two votes by one user
both read "no vote yet".
"""

import random
import threading
from collections import defaultdict

from django.db import connections

from comments.integrity import check_threads
from comments.models import Comment, Karma, Vote
from comments.services import comment_create, comment_delete, comment_remove, vote_cast
from forum.errors import InvalidInput
from tests import factories
from tests.support.databases import postgres_race_marks

pytestmark = postgres_race_marks()

WRITERS = 8
COMMENTS_EACH = 25
NEW_ROOT_SHARE = 0.25  # the rest are replies, so most inserts land in a few busy trees


def run_in_threads(targets):
    """Start one thread per target behind a barrier; return the exceptions they raised."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(target):
        try:
            barrier.wait()
            target()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=wrap, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_parallel_replies_and_roots_keep_every_tree_whole(roundup):
    writers = [factories.make_user(f"writer{n}") for n in range(WRITERS)]
    seeds = [
        comment_create(
            roundup=roundup, author=writers[0], body=f"seed {n}", enforce_rate_limit=False
        )
        for n in range(3)
    ]
    known = [c.pk for c in seeds]  # comments any writer may reply to
    known_lock = threading.Lock()
    intended = {c.pk: None for c in seeds}  # comment pk -> the parent pk it was given

    def writer(n):
        rng = random.Random(n)

        def write():
            for i in range(COMMENTS_EACH):
                with known_lock:
                    parent = None if rng.random() < NEW_ROOT_SHARE else rng.choice(known)
                comment = comment_create(
                    roundup=roundup,
                    author=writers[n],
                    body=f"writer {n} comment {i}",
                    parent=parent,
                    enforce_rate_limit=False,
                )
                with known_lock:
                    known.append(comment.pk)
                    intended[comment.pk] = parent

        return write

    errors = run_in_threads([writer(n) for n in range(WRITERS)])
    assert errors == []

    rows = {
        pk: (parent_id, tree_id, lft, rght, level)
        for pk, parent_id, tree_id, lft, rght, level in Comment.objects.values_list(
            "pk", "parent_id", "tree_id", "lft", "rght", "level"
        )
    }
    assert len(rows) == 3 + WRITERS * COMMENTS_EACH
    # Concurrent posts add up on the roundup's row: none is lost or counted twice.
    roundup.refresh_from_db()
    assert roundup.comment_count == len(rows)
    # Every comment exists under the parent it was given.
    assert {pk: row[0] for pk, row in rows.items()} == intended

    roots = [pk for pk, row in rows.items() if row[0] is None]
    assert len({rows[pk][1] for pk in roots}) == len(roots), "two roots share a tree_id"

    children = defaultdict(list)
    for pk, (parent_id, *_) in rows.items():
        if parent_id is not None:
            children[parent_id].append(pk)

    def subtree(pk):
        found, stack = [], [pk]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(children[node])
        return found

    for root in roots:
        members = subtree(root)
        tree_id = rows[root][1]
        assert {rows[pk][1] for pk in members} == {tree_id}
        # In each tree the endpoints 1..2n are each used once.
        endpoints = sorted(e for pk in members for e in rows[pk][2:4])
        assert endpoints == list(range(1, 2 * len(members) + 1))
        assert rows[root][4] == 0
        for pk in members:
            parent_id, _, lft, rght, level = rows[pk]
            # Every interval is exactly as wide as its subtree.
            assert rght - lft + 1 == 2 * len(subtree(pk))
            if parent_id is not None:
                _, _, p_lft, p_rght, p_level = rows[parent_id]
                assert p_lft < lft and rght < p_rght
                assert level == p_level + 1
    # Nothing in the table belongs to no tree.
    assert sum(len(subtree(root)) for root in roots) == len(rows)
    assert check_threads().ok


VOTERS = 20
TWICE = 8  # voters who send a second vote at the same moment as their first


def test_parallel_votes_match_the_stored_votes(roundup, author):
    comment = comment_create(
        roundup=roundup, author=author, body="Vote on me", enforce_rate_limit=False
    )
    voters = [factories.make_user(f"voter{n}") for n in range(VOTERS)]

    def vote(user, value):
        return lambda: vote_cast(comment=comment, user=user, value=value)

    targets = [vote(user, 1 if n % 3 else -1) for n, user in enumerate(voters)]
    # The first TWICE voters also vote again at once: some the same way, some switching,
    # some taking it back. Which of their two lands last is up to the race; either is fine.
    second = [1, -1, 0, 1, -1, 0, -1, 1]
    targets += [vote(voters[n], second[n]) for n in range(TWICE)]
    errors = run_in_threads(targets)
    assert errors == []

    comment.refresh_from_db()
    values = list(Vote.objects.filter(comment=comment).values_list("value", flat=True))
    assert len(values) >= VOTERS - TWICE  # the voters who voted once all count
    assert comment.score == sum(values)
    assert comment.upvotes == values.count(1)
    assert comment.downvotes == values.count(-1)
    assert check_threads().ok


def test_parallel_votes_on_both_axes_match_the_stored_votes_and_weights(roundup, author):
    """20 readers vote at once on both axes of one comment, strong and not, with weights from
    their karma; several vote twice on each axis at the same moment. Both axes' counters and
    the author's karma equal the sums of the stored votes' weights."""
    comment = comment_create(
        roundup=roundup, author=author, body="Vote on me twice", enforce_rate_limit=False
    )
    voters = [factories.make_user(f"voter{n}") for n in range(VOTERS)]
    # Karma 0, 10, 100, 1,000, 10,000 in turn: strong votes weigh 1, 2, 3, 6, 9; normal 1 or 2.
    Karma.objects.bulk_create(
        [
            Karma(user=user, value=(0, 10, 100, 1_000, 10_000)[n % 5])
            for n, user in enumerate(voters)
        ]
    )

    def vote(user, value, axis, strong):
        return lambda: vote_cast(comment=comment, user=user, value=value, axis=axis, strong=strong)

    targets = []
    for n, user in enumerate(voters):
        targets.append(vote(user, 1 if n % 3 else -1, "approval", n % 2 == 0))
        targets.append(vote(user, -1 if n % 4 else 1, "agreement", n % 3 == 0))
    second = [(1, True), (-1, False), (0, False), (1, False), (-1, True), (0, True), (-1, False),
              (1, True)]  # fmt: skip
    for n in range(TWICE):
        value, strong = second[n]
        targets.append(vote(voters[n], value, "approval", strong))
        targets.append(vote(voters[n], -value, "agreement", not strong))
    random.Random(3).shuffle(targets)
    assert run_in_threads(targets) == []

    comment.refresh_from_db()
    for axis, (total, ups, downs) in {
        "approval": ("score", "upvotes", "downvotes"),
        "agreement": ("agreement", "agree_votes", "disagree_votes"),
    }.items():
        stored = list(
            Vote.objects.filter(comment=comment, axis=axis).values_list("value", "weight", "strong")
        )
        assert len(stored) >= VOTERS - TWICE  # the voters who voted once all count
        assert getattr(comment, total) == sum(value * weight for value, weight, _ in stored)
        assert getattr(comment, ups) == sum(1 for value, _, _ in stored if value == 1)
        assert getattr(comment, downs) == sum(1 for value, _, _ in stored if value == -1)
        assert any(weight > 1 for _, weight, _ in stored)  # the weights were really in play
    assert Karma.objects.get(user=author).value == comment.score
    Karma.objects.filter(user__in=voters).delete()  # given, not earned: karma is scores only
    assert check_threads().ok


def test_parallel_votes_on_one_authors_comments_keep_karma(roundup, author):
    """Votes on different comments of one author lock different rows but move one karma row,
    and the first ones race to create it."""
    comments = [
        comment_create(roundup=roundup, author=author, body=f"Mine {n}", enforce_rate_limit=False)
        for n in range(4)
    ]
    voters = [factories.make_user(f"voter{n}") for n in range(VOTERS)]
    targets = [
        (
            lambda user=user, n=n: vote_cast(
                comment=comments[n % 4], user=user, value=1 - 2 * (n % 5 == 0)
            )
        )
        for n, user in enumerate(voters)
    ]
    assert run_in_threads(targets) == []
    scores = sum(Comment.objects.filter(author=author).values_list("score", flat=True))
    assert scores == sum(
        Vote.objects.filter(comment__author=author).values_list("value", flat=True)
    )
    assert Karma.objects.get(user=author).value == scores
    assert check_threads().ok


def test_a_delete_racing_a_remove_is_counted_once(roundup, author, moderator):
    """The author deletes and a moderator removes each comment at the same moment: one of the
    two wins per comment, and the roundup's count drops by exactly one for it."""
    comments = [
        comment_create(roundup=roundup, author=author, body=f"Gone {n}", enforce_rate_limit=False)
        for n in range(6)
    ]
    others = [
        comment_create(roundup=roundup, author=author, body="Stays", enforce_rate_limit=False)
    ]

    def delete(comment):
        return lambda: _refused_or_done(lambda: comment_delete(comment=comment, by=author))

    def remove(comment):
        return lambda: _refused_or_done(
            lambda: comment_remove(comment=comment, by=moderator, reason="Spam")
        )

    targets = [make(comment) for comment in comments for make in (delete, remove)]
    assert run_in_threads(targets) == []
    roundup.refresh_from_db()
    assert roundup.comment_count == len(others) == 1
    assert check_threads().ok


def _refused_or_done(action):
    try:
        action()
    except InvalidInput:  # the other writer got there first
        pass
