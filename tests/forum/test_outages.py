"""A database or Redis outage answers 503 with Retry-After, never a bare 500 (forum/outages.py)."""

import json
from unittest import mock

import pytest
import redis
from django.db import InterfaceError, OperationalError, connections
from django.test import Client

from forum.outages import RETRY_AFTER
from tests import factories

pytestmark = pytest.mark.django_db


def database_down(error=None):
    error = error or OperationalError("could not connect to server: Connection refused")
    return mock.patch.object(connections["default"], "cursor", side_effect=error)


def test_page_during_a_database_outage_is_a_short_503_page(client):
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    body = response.content.decode()
    assert "Briefly unavailable" in body
    assert f"try again in {RETRY_AFTER} seconds" in body
    assert "Connection refused" not in body  # no internals


def test_server_closed_the_connection_is_an_outage_too(client):
    with database_down(InterfaceError("connection already closed")):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)


@pytest.mark.parametrize("path", ["/api/roundups", "/api/roundups/some-slug/comments"])
def test_api_during_a_database_outage_is_json_503(client, path):
    with database_down():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert set(json.loads(response.content)) == {"detail"}


def test_api_write_during_a_database_outage_is_json_503(client, reader, roundup):
    from api.models import ApiToken

    _, token = ApiToken.objects.issue(reader)
    with database_down():
        response = client.post(
            f"/api/roundups/{roundup.slug}/comments",
            {"body": "lost?"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 503
    assert "detail" in json.loads(response.content)
    assert response["Retry-After"] == str(RETRY_AFTER)


def test_redis_connection_error_in_a_view_is_503(client):
    with mock.patch(
        "roundups.views.page_from_request", side_effect=redis.exceptions.ConnectionError("down")
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)


def test_redis_timeout_under_the_api_is_json_503(client):
    with mock.patch(
        "api.endpoints.roundups.Roundup.objects.published",
        side_effect=redis.exceptions.TimeoutError("slow"),
    ):
        response = client.get("/api/roundups")
    assert response.status_code == 503
    assert "detail" in json.loads(response.content)


def test_outage_met_in_a_middleware_is_503_not_500():
    """Saving the session happens after the view, outside process_exception: handler500 sees it."""
    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)


def test_other_errors_stay_500():
    client = Client(raise_request_exception=False)
    with mock.patch("roundups.views.page_from_request", side_effect=RuntimeError("a real bug")):
        response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_a_redis_bad_command_is_a_bug_not_an_outage():
    client = Client(raise_request_exception=False)
    with mock.patch(
        "roundups.views.page_from_request", side_effect=redis.exceptions.ResponseError("WRONGTYPE")
    ):
        response = client.get("/")
    assert response.status_code == 500


def test_page_still_works_after_the_outage(client, author):
    factories.make_roundup(author=author, title="Still here")
    with database_down():
        assert client.get("/").status_code == 503
    response = client.get("/")
    assert response.status_code == 200
    assert "Still here" in response.content.decode()
