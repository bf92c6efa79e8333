"""Karma: the sum of the scores of a user's comments, kept on one row per user; and the weight
a vote is cast with, which grows with the voter's karma.

Every score change goes through ``services.vote_cast``, which calls ``karma_add`` in the vote's
own transaction, so ``Karma`` (in models.py) always equals the sum; thread pages join it in
with the authors' names. ``karma_totals`` is the sum itself, for ``check_threads`` and its repair.
A score is the sum of its approval votes' weights, so karma moves by each vote's weight.

Vote weights are LessWrong's (ForumMagnum, ``lib/voting/voteTypes.ts``: ``userSmallVotePower``
and ``userBigVotePower``), kept as they are so readers coming from there find the votes they
know. A normal vote weighs 1, or 2 from 1,000 karma. A strong vote weighs by the first tier
the voter's karma reaches, from the top:

    karma    0   10  100  250  500  1,000  2,500  5,000  10,000  25,000  50,000
    weight   1    2    3    4    5      6      7      8       9      10      11

    karma    75,000  100,000  175,000  250,000  500,000
    weight       12       13       14       15       16

So a strong vote is never lighter than a normal one. Negative karma weighs 1. The weight is
stored on the vote when it is cast (``Vote.weight``); a voter's karma changing later never
rewrites it.
"""

from bisect import bisect_right

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from .models import MAX_VOTE_WEIGHT, Comment, Karma

NORMAL_VOTE_DOUBLES_AT = 1_000  # a normal vote weighs 2 from this karma on
# (karma at least, weight of a strong vote), lowest first.
STRONG_VOTE_TIERS = (
    (0, 1), (10, 2), (100, 3), (250, 4), (500, 5), (1_000, 6), (2_500, 7), (5_000, 8),
    (10_000, 9), (25_000, 10), (50_000, 11), (75_000, 12), (100_000, 13), (175_000, 14),
    (250_000, 15), (500_000, MAX_VOTE_WEIGHT),
)  # fmt: skip
_TIER_KARMA = [karma for karma, _ in STRONG_VOTE_TIERS]


def vote_weight(karma: int, *, strong: bool) -> int:
    """What a vote by a voter with ``karma`` weighs: see the tiers above."""
    if not strong:
        return 2 if karma >= NORMAL_VOTE_DOUBLES_AT else 1
    tier = bisect_right(_TIER_KARMA, karma) - 1
    return STRONG_VOTE_TIERS[tier][1] if tier >= 0 else 1


def karma_for(user_ids) -> dict[int, int]:
    """Karma of each user id, in one query (0 for users no vote has reached)."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    karma = dict.fromkeys(user_ids, 0)
    karma.update(Karma.objects.filter(user_id__in=user_ids).values_list("user_id", "value"))
    return karma


def karma_add(user_id: int, delta: int) -> None:
    """Add a vote's change of score to its comment's author; call inside the vote's transaction.

    A user without a row yet starts from the sum of their comments' scores, which already holds
    this vote (the caller has updated the comment). Two first votes at once both try to create
    the row: the second waits on the key, fails, and adds its change to the first's row.
    """
    if not delta:
        return
    if Karma.objects.filter(user_id=user_id).update(value=F("value") + delta):
        return
    total = karma_totals([user_id]).get(user_id, 0)
    try:
        with transaction.atomic():
            Karma.objects.create(user_id=user_id, value=total)
    except IntegrityError:
        Karma.objects.filter(user_id=user_id).update(value=F("value") + delta)


def karma_totals(user_ids=None) -> dict[int, int]:
    """The true karma, summed from the comments' scores: every author, or those of ``user_ids``."""
    comments = Comment.objects.order_by()
    if user_ids is not None:
        comments = comments.filter(author_id__in=list(user_ids))
    rows = comments.values("author_id").annotate(total=Sum("score"))
    return {row["author_id"]: row["total"] or 0 for row in rows}
