"""/healthz: what the load balancer and the container health check ask before sending traffic."""

import json
from unittest import mock

import pytest
import redis
from django.db import OperationalError, connections
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthy_database_answers_200_with_small_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert len(response.content) < 200
    # A cached "ok" would hide an outage from the load balancer.
    assert "no-cache" in response["Cache-Control"]


def test_database_down_answers_503(client):
    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["database"] == "OperationalError"
    assert "connection refused" not in response.content.decode()  # no internals to the world


def test_failing_query_answers_503(client):
    """Connected but broken (e.g. a read-only failover mid-switch): still not healthy."""
    cursor = mock.MagicMock()
    cursor.__enter__.return_value.execute.side_effect = OperationalError("server closed")
    with mock.patch.object(connections["default"], "cursor", return_value=cursor):
        response = client.get("/healthz")
    assert response.status_code == 503


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_is_not_redirected_to_https(client):
    """SecurityMiddleware strips the leading slash before matching SECURE_REDIRECT_EXEMPT, so the
    pattern is ^healthz$; the home page proves the redirect itself is on."""
    assert client.get("/healthz").status_code == 200
    home = client.get("/")
    assert home.status_code == 301
    assert home["Location"].startswith("https://")
    # Only the exact path is exempt, not anything that starts with it.
    assert client.get("/healthzfoo").status_code == 301


def test_healthz_rejects_writes(client):
    assert client.post("/healthz").status_code == 405


def test_cache_down_answers_503_and_names_it(client):
    """Writes need the cache (rate limits, sessions' copies): a load balancer must hear of it."""
    with mock.patch(
        "forum.views.cache.get", side_effect=redis.exceptions.ConnectionError("refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "error",
        "database": "ok",
        "cache": "ConnectionError",
    }


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: refused at once
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
)
def test_a_real_unreachable_redis_answers_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["cache"] == "ConnectionError"


def test_liveness_asks_no_dependency(client):
    """/healthz/live answers while the database is down: restarting the process would not help."""
    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@override_settings(SECURE_SSL_REDIRECT=True)
def test_liveness_is_not_redirected_to_https(client):
    assert client.get("/healthz/live").status_code == 200
