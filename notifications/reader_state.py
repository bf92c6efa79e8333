"""What the roundup and series pages show a signed-in reader of their own notification choices.

The follow buttons (their level on the discussion) and the series' subscribe box (subscribed,
waiting for the address's confirmation, or not) are read together in one query of scalar
subqueries, once per request: on a roundup page of a series both come from the same query, on
a series page the subscription alone. Anonymous readers cost nothing (and are told nothing: the
subscribe form never says whether an address is subscribed).
"""

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When

from .models import Follow, Subscription

NORMAL = "normal"  # no Follow row (services.NORMAL)
SUBSCRIBED, PENDING, NONE = "subscribed", "pending", "none"
_SUBSCRIPTION_RANK = {2: SUBSCRIBED, 1: PENDING}
_MEMO = "_notifications_reader_state"


def reader_state(request, *, roundup_id=None, series_id=None) -> dict:
    """``{"level": ..., "subscription": ...}`` for what is asked (keys for ``None`` ids absent).

    Kept on the request: the page's two partials each ask, and only the first one queries.
    """
    memo = request.__dict__.setdefault(_MEMO, {})
    wanted = {}
    if roundup_id is not None and ("level", roundup_id) not in memo:
        wanted["level"] = _level(request.user, roundup_id)
    if series_id is not None and ("subscription", series_id) not in memo:
        wanted["subscription"] = _subscription(request.user, series_id)
    if wanted:
        row = get_user_model().objects.filter(pk=request.user.pk).values(**wanted).first() or {}
        if "level" in wanted:
            memo["level", roundup_id] = row.get("level") or NORMAL
        if "subscription" in wanted:
            memo["subscription", series_id] = _SUBSCRIPTION_RANK.get(row.get("subscription"), NONE)
    state = {}
    if roundup_id is not None:
        state["level"] = memo["level", roundup_id]
    if series_id is not None:
        state["subscription"] = memo["subscription", series_id]
    return state


def _level(user, roundup_id) -> Subquery:
    return Subquery(
        Follow.objects.filter(user_id=OuterRef("pk"), roundup_id=roundup_id).values("level")[:1]
    )


def _subscription(user, series_id) -> Subquery:
    """2 subscribed, 1 waiting for its confirmation, NULL neither: the reader's best row, matched
    as ``subscriptions.reader_unsubscribe`` matches (their account, or their address)."""
    mine = Q(user_id=OuterRef("pk"))
    email = (user.email or "").strip().lower()
    if email:
        mine |= Q(email=email)
    rows = Subscription.objects.filter(mine, series_id=series_id, unsubscribed_at__isnull=True)
    rank = Case(
        When(confirmed_at__isnull=False, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return Subquery(rows.annotate(rank=rank).order_by("-rank").values("rank")[:1])
