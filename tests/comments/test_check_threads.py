"""``manage.py check_threads``: corrupt threads on purpose and watch it find and repair them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from comments.integrity import check_threads
from comments.models import Comment, Karma, Vote
from comments.services import comment_create, vote_cast
from tests import factories

pytestmark = pytest.mark.django_db


def post(roundup, author, parent=None):
    return comment_create(
        roundup=roundup, author=author, body="text", parent=parent, enforce_rate_limit=False
    )


@pytest.fixture
def threads(roundup, reader, other_reader, author):
    """Two trees: a (a1 (a1x), a2) and b (b1), with a few votes."""
    c = {}
    c["a"] = post(roundup, reader)
    c["a1"] = post(roundup, other_reader, c["a"])
    c["a1x"] = post(roundup, reader, c["a1"])
    c["a2"] = post(roundup, author, c["a"])
    c["b"] = post(roundup, other_reader)
    c["b1"] = post(roundup, reader, c["b"])
    vote_cast(comment=c["a"], user=other_reader, value=1)
    vote_cast(comment=c["a"], user=author, value=1)
    vote_cast(comment=c["a1"], user=reader, value=-1)
    return c


def run(*args):
    """Run the command; return (exit status as the shell would see it, output)."""
    out = StringIO()
    try:
        call_command("check_threads", *args, stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


def tree_fields():
    return sorted(Comment.objects.values_list("pk", "parent_id", "tree_id", "lft", "rght", "level"))


def test_clean_database_reports_ok(threads):
    status, out = run()
    assert status == 0
    assert "Checked 6 comment(s) in 2 tree(s) of all roundups." in out
    assert "OK: every thread is consistent." in out


def test_empty_database_reports_ok(db):
    assert run() == (0, "Checked 0 comment(s) in 0 tree(s) of all roundups.\n"
                        "OK: every thread is consistent.\n")  # fmt: skip


def test_shifted_subtree_is_found_then_rebuilt(threads):
    good = tree_fields()
    a1, a1x = threads["a1"], threads["a1x"]
    Comment.objects.filter(pk__in=[a1.pk, a1x.pk]).update(lft=F("lft") + 10, rght=F("rght") + 10)
    tree = threads["a"].tree_id

    status, out = run()
    assert status == 1
    assert f"tree {tree}: comment {a1.pk}: interval 12..15 is not inside its parent" in out
    assert "endpoints are not exactly 1..8 once each" in out
    assert "Run with --repair to fix them." in out
    assert tree_fields() != good  # a check alone changes nothing

    status, out = run("--repair")
    assert status == 0, out
    assert f"repaired: tree {tree}: rebuilt from parent links; lft/rght/level changed on" in out
    assert "Checked again: OK." in out
    assert tree_fields() == good
    assert check_threads().ok


def test_wrong_level_and_width_are_found(threads):
    Comment.objects.filter(pk=threads["a1x"].pk).update(level=5)
    Comment.objects.filter(pk=threads["b"].pk).update(rght=7)
    status, out = run()
    assert status == 1
    assert f"comment {threads['a1x'].pk}: level 5 is not its parent" in out
    assert f"comment {threads['b'].pk}: root has lft=1 rght=7 level=0, expected 1, 4, 0" in out
    assert "is 7 wide but its subtree of 2 comment(s) needs 4" in out
    assert run("--repair")[0] == 0
    assert check_threads().ok


def test_child_in_another_tree_id_is_moved_back(threads):
    good = tree_fields()
    Comment.objects.filter(pk=threads["b1"].pk).update(tree_id=999)
    status, out = run()
    assert status == 1
    assert f"comment {threads['b1'].pk}: tree_id 999 differs from its parent" in out
    status, out = run("--repair")
    assert status == 0, out
    assert f"tree {threads['b'].tree_id}: gave 1 comment(s) their root's tree_id" in out
    assert tree_fields() == good


def test_roots_sharing_a_tree_id_are_split(threads):
    # The partial unique index makes this impossible; drop it (inside the test's transaction)
    # to stand for a database that lost it, or rows written before it existed.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX comment_root_tree_id")
    a, b, b1 = threads["a"], threads["b"], threads["b1"]
    Comment.objects.filter(pk__in=[b.pk, b1.pk]).update(tree_id=a.tree_id)

    status, out = run()
    assert status == 1
    assert (
        f"tree {a.tree_id}: root comment {b.pk} shares tree_id {a.tree_id} with root comment "
        f"{a.pk}" in out
    )

    status, out = run("--repair")
    assert status == 0, out
    assert f"root comment {b.pk}: moved with its 1 reply from shared tree_id {a.tree_id}" in out
    b.refresh_from_db()
    b1.refresh_from_db()
    assert b.tree_id != a.tree_id
    assert b1.tree_id == b.tree_id
    assert (b.lft, b.rght, b1.lft, b1.rght) == (1, 4, 2, 3)
    assert Comment.objects.filter(parent=None).values("tree_id").distinct().count() == 2
    assert check_threads().ok


def test_broken_counters_are_recounted_from_votes(threads):
    a, a1 = threads["a"], threads["a1"]
    Comment.objects.filter(pk=a.pk).update(score=F("score") + 5, upvotes=0)
    Comment.objects.filter(pk=a1.pk).update(downvotes=3)

    status, out = run()
    assert status == 1
    assert (
        f"comment {a.pk}: score/upvotes/downvotes are 7/0/0 but its stored votes give 2/2/0" in out
    )
    assert f"comment {a1.pk}: score/upvotes/downvotes are -1/0/3" in out

    status, out = run("--repair")
    assert status == 0, out
    assert f"repaired: comment {a.pk}: score/upvotes/downvotes 7/0/0 -> 2/2/0" in out
    assert list(
        Comment.objects.filter(pk__in=[a.pk, a1.pk]).order_by("pk").values_list(
            "score", "upvotes", "downvotes"
        )
    ) == [(2, 2, 0), (-1, 0, 1)]  # fmt: skip


def test_a_repair_moves_the_thread_version_and_a_clean_check_does_not(threads, roundup):
    """A repaired score reorders the thread as a vote does: the first part's kept ranking
    (comments/thread/parts.py, under ``thread_version``) must not be reused after it."""
    from roundups.models import Roundup

    def version():
        return Roundup.objects.values_list("thread_version", flat=True).get(pk=roundup.pk)

    before = version()
    assert run("--repair")[0] == 0 and version() == before  # nothing to repair: nothing moves
    Comment.objects.filter(pk=threads["b"].pk).update(score=9)
    assert run("--repair", "--roundup", roundup.slug)[0] == 0
    assert version() == before + 1


def test_parent_cycle_cannot_be_repaired_and_exits_non_zero(threads):
    a1, a1x = threads["a1"], threads["a1x"]
    Comment.objects.filter(pk=a1.pk).update(parent=a1x.pk)
    status, out = run("--repair")
    assert status == 1
    assert "its parent links go round in a circle" in out
    assert "fix the parent link by hand" in out
    assert "problem(s) remain after the repair" in out


def test_roundup_option_checks_only_that_roundup(threads, roundup, author, reader):
    other = factories.make_roundup(author=author)
    broken = post(other, reader)
    Comment.objects.filter(pk=broken.pk).update(rght=9)
    assert run("--roundup", roundup.slug) == (
        0,
        f'Checked 6 comment(s) in 2 tree(s) of roundup "{roundup.slug}".\n'
        "OK: every thread is consistent.\n",
    )
    status, out = run("--roundup", other.slug)
    assert status == 1
    assert f"comment {broken.pk}: root has lft=1 rght=9" in out


def test_unknown_roundup_is_an_error(db):
    assert run("--roundup", "nope") == (1, 'No roundup with slug "nope".')


def test_both_axes_are_checked_and_repaired_from_the_votes_and_their_weights(
    threads, reader, other_reader, author
):
    """The counters are sums of the stored weights: a weight changed behind the service's back
    is found on either axis, and the repair recounts both axes and then karma."""
    a = threads["a"]
    for n in range(11):  # other_reader earns 10 karma (b: +11, a1: -1): a strong vote weighs 2
        vote_cast(comment=threads["b"], user=factories.make_user(f"fan{n}"), value=1)
    vote_cast(comment=a, user=other_reader, value=1, axis="agreement", strong=True)
    vote_cast(comment=a, user=author, value=-1, axis="agreement")
    assert run()[0] == 0
    a.refresh_from_db()
    assert (a.agreement, a.agree_votes, a.disagree_votes) == (2 - 1, 1, 1)

    Vote.objects.filter(comment=a, user=other_reader, axis="agreement").update(weight=3)
    Vote.objects.filter(comment=a, user=author, axis="approval").update(weight=4)
    status, out = run()
    assert status == 1
    assert (
        f"comment {a.pk}: agreement/agree_votes/disagree_votes are 1/1/1 but its stored "
        "agreement votes give 2/1/1" in out
    )
    assert (
        f"comment {a.pk}: score/upvotes/downvotes are 2/2/0 but its stored votes give 5/2/0" in out
    )

    status, out = run("--repair")
    assert status == 0, out
    assert f"repaired: comment {a.pk}: agreement/agree_votes/disagree_votes 1/1/1 -> 2/1/1" in out
    a.refresh_from_db()
    assert (a.score, a.agreement) == (5, 2)
    # The author's karma follows the repaired score; agreement never counts.
    assert Karma.objects.get(user=reader).value == sum(
        Comment.objects.filter(author=reader).values_list("score", flat=True)
    )
