"""Series mail: the signed-in reader's subscription to a series, and a roundup's delivery counts."""

from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from forum.errors import NotAllowed
from notifications import delivery, subscriptions
from roundups.models import Roundup, Series

from ..auth import WRITE_AUTH
from ..schemas import Slug, errors

series_router = Router(tags=["series"])
deliveries_router = Router(tags=["roundups"])


class SubscriptionOut(Schema):
    series: str = Field(description="The series' slug.")
    subscribed: bool = Field(description="Whether each new roundup of it is mailed to you.")
    email: str = Field(description="Your account's address, where the mail goes.")


class DeliveryCounts(Schema):
    queued: int = Field(description="Waiting for a worker (or for a retry after a failure).")
    sending: int = Field(description="Claimed by a worker, mid-send.")
    sent: int = Field(description="Accepted by the mail server.")
    failed: int = Field(description="Given up after every retry; the error is in the admin.")
    unknown: int = Field(
        description="Its worker died mid-send: it may or may not have gone out. Never resent "
        "unless the author asks (the edit page's button)."
    )


def _series(slug: str) -> Series:
    found = Series.objects.filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


@series_router.post(
    "/{slug}/subscription",
    response={200: SubscriptionOut, **errors(401, 404, 422)},
    auth=WRITE_AUTH,
)
def subscription_create(request, slug: Slug):
    """Mail each new roundup of the series to your account's address (idempotent)."""
    series = _series(slug)
    row = subscriptions.reader_subscribe(user=request.user, series=series)
    return {"series": series.slug, "subscribed": True, "email": row.email}


@series_router.delete(
    "/{slug}/subscription",
    response={200: SubscriptionOut, **errors(401, 404, 422)},
    auth=WRITE_AUTH,
)
def subscription_delete(request, slug: Slug):
    """Stop mailing the series to you (idempotent)."""
    series = _series(slug)
    subscriptions.reader_unsubscribe(user=request.user, series=series)
    return {"series": series.slug, "subscribed": False, "email": request.user.email}


@deliveries_router.get(
    "/{slug}/deliveries",
    response={200: DeliveryCounts, **errors(401, 403, 404, 422)},
    auth=WRITE_AUTH,
)
def delivery_counts(request, slug: Slug):
    """How the roundup's mail to its series' subscribers stands: its author and staff only."""
    roundup = Roundup.objects.visible_to(request.user).filter(slug=slug).first()
    if roundup is None:
        raise Http404
    if not delivery.may_see(roundup, request.user):
        raise NotAllowed("Only the roundup's author and staff see its deliveries.")
    return delivery.counts(roundup.pk)
