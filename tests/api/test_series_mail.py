"""POST/DELETE /api/series/{slug}/subscription and GET /api/roundups/{slug}/deliveries."""

import pytest

from notifications import delivery
from notifications.models import Delivery, Subscription
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def series():
    return factories.make_series("Weekly ML", slug="weekly-ml")


def test_subscribe_and_unsubscribe_the_signed_in_reader(series, as_reader, reader):
    response = as_reader.post(f"/api/series/{series.slug}/subscription")
    assert response.status_code == 200
    assert response.json() == {"series": "weekly-ml", "subscribed": True, "email": reader.email}
    assert as_reader.post(f"/api/series/{series.slug}/subscription").status_code == 200
    row = Subscription.objects.get()
    assert row.user == reader and row.is_active
    gone = as_reader.delete(f"/api/series/{series.slug}/subscription")
    assert gone.status_code == 200 and gone.json()["subscribed"] is False
    row.refresh_from_db()
    assert not row.is_active


def test_subscription_needs_credentials_and_a_series(series, anon, as_reader):
    assert anon.post(f"/api/series/{series.slug}/subscription").status_code == 401
    assert anon.delete(f"/api/series/{series.slug}/subscription").status_code == 401
    assert as_reader.post("/api/series/nope/subscription").status_code == 404
    assert as_reader.delete("/api/series/nope/subscription").status_code == 404
    assert Subscription.objects.count() == 0


def test_a_reader_without_an_address_gets_a_400(series, reader):
    reader.email = ""
    reader.save()
    response = client_for(reader).post(f"/api/series/{series.slug}/subscription")
    assert response.status_code == 400 and "email" in response.json()["detail"]
    assert Subscription.objects.count() == 0


def test_deliveries_for_the_author_and_staff_only(series, author, reader, anon, admin_user):
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    Subscription.objects.create(
        series=series, email="a@example.org", confirmed_at="2026-01-01T00:00Z"
    )
    delivery.snapshot(roundup)
    url = f"/api/roundups/{roundup.slug}/deliveries"
    expected = {"queued": 1, "sending": 0, "sent": 0, "failed": 0, "unknown": 0}
    assert client_for(author).get(url).json() == expected
    assert client_for(admin_user).get(url).json() == expected
    Delivery.objects.update(status=Delivery.Status.UNKNOWN)
    assert client_for(author).get(url).json()["unknown"] == 1
    refused = client_for(reader).get(url)
    assert refused.status_code == 403 and refused.json()["detail"]
    assert anon.get(url).status_code == 401
    assert client_for(author).get("/api/roundups/nope/deliveries").status_code == 404


def test_a_drafts_deliveries_are_404_to_other_readers(series, author, reader):
    draft = factories.make_roundup(author=author, series=series, published=False)
    url = f"/api/roundups/{draft.slug}/deliveries"
    assert client_for(reader).get(url).status_code == 404
    assert client_for(author).get(url).json() == dict.fromkeys(delivery.STATUSES, 0)


def test_the_schema_documents_the_endpoints(anon):
    paths = anon.get("/api/openapi.json").json()["paths"]
    subscription = paths["/api/series/{slug}/subscription"]
    assert {"post", "delete"} <= set(subscription)
    assert {"200", "401", "404"} <= set(subscription["post"]["responses"])
    counts = paths["/api/roundups/{slug}/deliveries"]["get"]
    assert {"200", "401", "403", "404"} <= set(counts["responses"])
