"""Karma: the sum of the scores of a user's comments."""

from django.db.models import Sum

from .models import Comment


def karma_for(user_ids) -> dict[int, int]:
    """Karma of each user id, in one query (users with no comments get 0)."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    rows = (
        Comment.objects.filter(author_id__in=user_ids)
        .order_by()
        .values("author_id")
        .annotate(karma=Sum("score"))
        .values_list("author_id", "karma")
    )
    karma = dict.fromkeys(user_ids, 0)
    karma.update({author_id: total or 0 for author_id, total in rows})
    return karma
