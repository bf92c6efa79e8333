"""Sessions while Redis is down: signed-in readers stay signed in (forum/sessions.py)."""

import socket

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_down():
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
        SESSION_ENGINE="forum.sessions",
    )


def test_signed_in_reader_stays_signed_in_while_redis_is_down(client, reader):
    with redis_down():
        client.force_login(reader)  # the session row is written; the cache copy fails quietly
        assert Session.objects.count() == 1
        response = client.get("/accounts/password_change/")
        assert response.status_code == 200  # not a redirect to the login page, not a 500
        assert response.context["user"] == reader


def test_logout_while_redis_is_down_ends_the_session(client, reader):
    with redis_down():
        client.force_login(reader)
        assert client.post("/accounts/logout/").status_code == 302
        assert Session.objects.count() == 0
        response = client.get("/accounts/password_change/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_store_answers_exists_from_the_database_when_redis_is_down(reader):
    from forum.sessions import SessionStore

    with redis_down():
        store = SessionStore()
        store["who"] = reader.pk
        store.save(must_create=True)
        assert SessionStore().exists(store.session_key)
        assert SessionStore(store.session_key).load() == {"who": reader.pk}
        assert not SessionStore().exists("no-such-session-key-000000000000")
