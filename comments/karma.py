"""Karma: the sum of the scores of a user's comments, kept on one row per user.

Every score change goes through ``services.vote_cast``, which calls ``karma_add`` in the vote's
own transaction, so ``Karma`` (in models.py) always equals the sum; thread pages join it in
with the authors' names. ``karma_totals`` is the sum itself, for ``check_threads`` and its repair.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from .models import Comment, Karma


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
