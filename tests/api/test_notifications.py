"""GET /api/notifications and POST /api/notifications/read."""

import pytest

from notifications.models import Notification
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def notes(roundup, reader, other_reader):
    comment = factories.make_comment(roundup=roundup, author=other_reader)
    older = Notification.objects.create(
        user=reader, kind=Kind.SUGGESTION, text="Your suggestion was taken", actor=None
    )
    newer = Notification.objects.create(
        user=reader, kind=Kind.REPLY, actor=other_reader, roundup=roundup, comment=comment,
        text="reader2 replied to your comment on “x”",
    )  # fmt: skip
    Notification.objects.create(user=other_reader, kind=Kind.FOLLOW, text="not the reader's")
    return older, newer


def test_list_shape_newest_first(notes, reader, roundup):
    older, newer = notes
    response = client_for(reader).get("/api/notifications")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["unread"]) == (2, 2)
    assert [n["id"] for n in body["notifications"]] == [newer.pk, older.pk]
    first = body["notifications"][0]
    assert set(first) == {
        "id", "kind", "created_at", "read", "roundup", "comment_id", "actor", "text",
    }  # fmt: skip
    assert (first["kind"], first["read"], first["roundup"], first["actor"]) == (
        "reply", False, roundup.slug, "reader2",
    )  # fmt: skip
    assert first["comment_id"] == newer.comment_id
    assert body["notifications"][1]["roundup"] is None
    assert body["notifications"][1]["actor"] is None


def test_mark_read_by_ids_then_unread_filter(notes, reader):
    older, newer = notes
    api = client_for(reader)
    response = api.post("/api/notifications/read", {"ids": [newer.pk]})
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 1}
    body = api.get("/api/notifications?unread=1").json()
    assert (body["count"], body["unread"]) == (1, 1)
    assert [n["id"] for n in body["notifications"]] == [older.pk]
    everything = api.get("/api/notifications").json()
    assert [n["read"] for n in everything["notifications"]] == [True, False]


def test_mark_all_read(notes, reader, other_reader):
    response = client_for(reader).post("/api/notifications/read", {"all": True})
    assert response.json() == {"marked": 2, "unread": 0}
    # Someone else's stay unread.
    assert Notification.objects.filter(user=other_reader, read_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "body", [{}, {"ids": []}, {"all": False}, {"all": "true"}, {"ids": ["1"]}, {"ids": [0]}]
)
def test_mark_read_refuses_bad_bodies_and_writes_nothing(notes, reader, body):
    response = client_for(reader).post("/api/notifications/read", body)
    assert response.status_code in (400, 422)
    assert "detail" in response.json()
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_without_credentials_401(notes):
    assert ApiClient().get("/api/notifications").status_code == 401
    assert ApiClient().post("/api/notifications/read", {"all": True}).status_code == 401
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/notifications"]
    assert "post" in paths["/api/notifications/read"]
