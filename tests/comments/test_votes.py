"""Two-axis votes: approval and agreement, normal and strong, weighted by the voter's karma.

Every transition on each axis, the weight tiers, a vote keeping the weight it was cast with,
karma moving by the weight (on approval only), and the refusals that write nothing.
"""

import pytest
from django.db import IntegrityError, transaction

from comments.integrity import check_threads
from comments.karma import STRONG_VOTE_TIERS, vote_weight
from comments.models import Comment, Karma, Vote
from comments.services import comment_create, vote_cast
from forum.errors import InvalidInput, NotAllowed
from tests import factories

pytestmark = pytest.mark.django_db

COUNTERS = {
    "approval": ("score", "upvotes", "downvotes"),
    "agreement": ("agreement", "agree_votes", "disagree_votes"),
}


def post(roundup, author, body="text"):
    return comment_create(roundup=roundup, author=author, body=body, enforce_rate_limit=False)


def axis_counters(comment, axis):
    comment.refresh_from_db()
    return tuple(getattr(comment, name) for name in COUNTERS[axis])


def karma(user):
    return Karma.objects.filter(user=user).values_list("value", flat=True).first() or 0


def with_karma(user, value):
    Karma.objects.update_or_create(user=user, defaults={"value": value})
    return user


# Each step on one axis, by a voter with 100 karma (normal 1, strong 3):
#
#   cast                  standing vote       weighted sum  up  down  karma moved (approval)
#   none -> up            up, weight 1             1         1    0      +1
#   up -> strong up       strong up, weight 3      3         1    0      +2
#   strong up -> down     down, weight 1          -1         0    1      -4
#   down -> none          (row deleted)            0         0    0      +1
STEPS = [
    (1, False, (1, False, 1), (1, 1, 0)),
    (1, True, (1, True, 3), (3, 1, 0)),
    (-1, False, (-1, False, 1), (-1, 0, 1)),
    (0, False, None, (0, 0, 0)),
]


@pytest.mark.parametrize("axis", ["approval", "agreement"])
def test_every_transition_on_each_axis(roundup, reader, other_reader, axis):
    comment = post(roundup, reader)
    voter = with_karma(other_reader, 100)
    other_axis = "agreement" if axis == "approval" else "approval"
    for value, strong, standing, counters in STEPS:
        result = vote_cast(comment=comment, user=voter, value=value, axis=axis, strong=strong)
        stored = Vote.objects.filter(comment=comment, user=voter, axis=axis)
        assert [(v.value, v.strong, v.weight) for v in stored] == ([standing] if standing else [])
        assert axis_counters(comment, axis) == counters
        assert tuple(getattr(result, name) for name in COUNTERS[axis]) == counters
        assert (result.axis, result.value, result.strong) == (axis, value, strong)
        assert result.weight == (standing[2] if standing else 0)
        # The other axis never moves; karma follows the approval score only.
        assert axis_counters(comment, other_axis) == (0, 0, 0)
        assert karma(reader) == (comment.score if axis == "approval" else 0)
    assert not Vote.objects.exists()


def test_both_axes_are_voted_independently(roundup, reader, other_reader):
    comment = post(roundup, reader)
    vote_cast(comment=comment, user=other_reader, value=1)
    vote_cast(comment=comment, user=other_reader, value=-1, axis="agreement")
    vote_cast(comment=comment, user=other_reader, value=0)  # takes back approval only
    assert axis_counters(comment, "approval") == (0, 0, 0)
    assert axis_counters(comment, "agreement") == (-1, 0, 1)
    assert list(Vote.objects.values_list("axis", "value")) == [("agreement", -1)]


def test_the_same_vote_cast_again_changes_nothing(roundup, reader, other_reader):
    comment = post(roundup, reader)
    vote_cast(comment=comment, user=other_reader, value=1, strong=True, axis="agreement")
    before = list(Vote.objects.values_list("pk", "value", "strong", "weight", "created_at"))
    vote_cast(comment=comment, user=other_reader, value=1, strong=True, axis="agreement")
    assert list(Vote.objects.values_list("pk", "value", "strong", "weight", "created_at")) == before
    assert axis_counters(comment, "agreement") == (1, 1, 0)


# Karma -> weight of a normal and of a strong vote: LessWrong's tiers (comments/karma.py).
TIERS = [
    (-40, 1, 1), (0, 1, 1), (9, 1, 1), (10, 1, 2), (99, 1, 2), (100, 1, 3), (249, 1, 3),
    (250, 1, 4), (500, 1, 5), (999, 1, 5), (1_000, 2, 6), (2_500, 2, 7), (5_000, 2, 8),
    (10_000, 2, 9), (25_000, 2, 10), (50_000, 2, 11), (75_000, 2, 12), (100_000, 2, 13),
    (175_000, 2, 14), (250_000, 2, 15), (499_999, 2, 15), (500_000, 2, 16), (10**9, 2, 16),
]  # fmt: skip


@pytest.mark.parametrize(("karma_value", "normal", "strong"), TIERS)
def test_weights_by_tier(karma_value, normal, strong):
    assert vote_weight(karma_value, strong=False) == normal
    assert vote_weight(karma_value, strong=True) == strong


def test_the_tiers_are_lesswrongs_sixteen():
    assert [weight for _, weight in STRONG_VOTE_TIERS] == list(range(1, 17))
    assert STRONG_VOTE_TIERS[0] == (0, 1) and STRONG_VOTE_TIERS[-1] == (500_000, 16)


@pytest.mark.parametrize(("karma_value", "strong", "weight"), [(10, True, 2), (1_000, False, 2),
                                                                (25_000, True, 10)])  # fmt: skip
def test_karma_moves_by_the_weight_of_the_vote(
    roundup, reader, other_reader, karma_value, strong, weight
):
    comment = post(roundup, reader)
    with_karma(other_reader, karma_value)
    vote_cast(comment=comment, user=other_reader, value=-1, strong=strong)
    assert axis_counters(comment, "approval") == (-weight, 0, 1)
    assert karma(reader) == -weight
    vote_cast(comment=comment, user=other_reader, value=0)
    assert karma(reader) == 0


def test_a_vote_keeps_the_weight_it_was_cast_with(roundup, reader, other_reader):
    comment = post(roundup, reader)
    with_karma(other_reader, 10)
    vote_cast(comment=comment, user=other_reader, value=1, strong=True)  # weighs 2
    with_karma(other_reader, 100)  # a strong vote would now weigh 3
    vote_cast(comment=comment, user=other_reader, value=1, strong=True)  # the same vote: kept
    assert Vote.objects.get().weight == 2 and axis_counters(comment, "approval") == (2, 1, 0)
    vote_cast(comment=comment, user=other_reader, value=-1, strong=True)  # a new vote: weighed now
    assert Vote.objects.get().weight == 3 and axis_counters(comment, "approval") == (-3, 0, 1)
    assert karma(reader) == -3


@pytest.mark.parametrize("axis", ["approval", "agreement"])
@pytest.mark.parametrize("strong", [False, True])
def test_no_vote_on_your_own_comment_on_either_axis(roundup, reader, axis, strong):
    comment = post(roundup, reader)
    with pytest.raises(NotAllowed, match="your own comment") as refused:
        vote_cast(comment=comment, user=reader, value=1, axis=axis, strong=strong)
    assert refused.value.status == 403
    assert not Vote.objects.exists() and axis_counters(comment, axis) == (0, 0, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"axis": "karma"}, "axis is approval or agreement"),
        ({"axis": None}, "axis is approval or agreement"),
        ({"axis": ["approval"]}, "axis is approval or agreement"),
        ({"strong": 1}, "strength is true (strong) or false (normal)"),
        ({"strong": "yes"}, "strength is true (strong) or false (normal)"),
        ({"value": 2}, "A vote is 1 (up), -1 (down) or 0"),
    ],
)
def test_bad_axis_strength_or_value_is_refused_and_writes_nothing(
    roundup, reader, other_reader, kwargs, message
):
    comment = post(roundup, reader)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        vote_cast(comment=comment, user=other_reader, **{"value": 1, **kwargs})
    assert not Vote.objects.exists()
    assert Comment.objects.filter(pk=comment.pk, score=0, agreement=0).exists()


def test_one_vote_per_reader_per_axis_is_enforced_by_the_database(roundup, reader, other_reader):
    comment = post(roundup, reader)
    factories.make_vote(comment=comment, user=other_reader, value=1)
    Vote.objects.create(
        comment=comment, user=other_reader, roundup=roundup, axis="agreement", value=1
    )  # the other axis is a vote of its own
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            comment=comment, user=other_reader, roundup=roundup, axis="agreement", value=-1
        )


@pytest.mark.parametrize(
    "fields",
    [{"axis": "karma"}, {"weight": 0}, {"weight": 17}, {"value": 2}],
)
def test_the_database_refuses_votes_no_service_casts(roundup, reader, other_reader, fields):
    comment = post(roundup, reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            **{"comment": comment, "user": other_reader, "roundup": roundup, "value": 1, **fields}
        )


def test_many_voters_on_both_axes_keep_every_counter_true(roundup, reader, author):
    comment = post(roundup, reader)
    for n, voter_karma in enumerate([0, 10, 100, 1_000, 5_000]):
        voter = with_karma(factories.make_user(f"voter{n}"), voter_karma)
        vote_cast(comment=comment, user=voter, value=1 - 2 * (n % 2), strong=n % 3 == 0)
        vote_cast(comment=comment, user=voter, value=-1 + 2 * (n % 2), axis="agreement",
                  strong=True)  # fmt: skip
    Karma.objects.filter(user__username__startswith="voter").delete()  # only scores make karma
    assert check_threads().ok
