"""Failed logins are limited on the login page and the API alike (accounts/login_limits.py)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.login_limits import ACCOUNT_BACKOFF_BASE, ACCOUNT_FREE_FAILURES, ADDRESS_FAILURES
from forum import ratelimit
from tests.broken_cache import BROKEN_CACHES
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/auth/token"


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(ratelimit, "clock", lambda: now["t"])
    return now


def html_login(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def api_login(username, password, **meta):
    body = json.dumps({"username": username, "password": password})
    return Client().post(TOKEN_URL, body, content_type="application/json", **meta)


def logged_in(client):
    return client.get(reverse("home")).context["user"].is_authenticated


def test_forty_wrong_passwords_then_the_right_one_is_refused_while_limited(client, reader, clock):
    statuses = [html_login(client, "reader", f"guess-{n}").status_code for n in range(40)]
    assert statuses[:ACCOUNT_FREE_FAILURES] == [200] * ACCOUNT_FREE_FAILURES
    assert set(statuses[ACCOUNT_FREE_FAILURES:]) == {429}
    response = html_login(client, "reader", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == ACCOUNT_BACKOFF_BASE
    assert "Too many failed logins; try again in 15 seconds." in response.content.decode()
    assert not logged_in(client)
    # Refused tries were not counted: the wait is the first one, and waiting it out is enough.
    clock["t"] += ACCOUNT_BACKOFF_BASE
    assert html_login(client, "reader", PASSWORD).status_code == 302
    assert logged_in(client)


def test_each_further_failure_doubles_the_wait(client, reader, clock):
    for n in range(ACCOUNT_FREE_FAILURES):
        html_login(client, "reader", f"guess-{n}")
    clock["t"] += ACCOUNT_BACKOFF_BASE
    assert html_login(client, "reader", "again wrong").status_code == 200
    assert html_login(client, "reader", PASSWORD)["Retry-After"] == str(2 * ACCOUNT_BACKOFF_BASE)


def test_api_failures_block_the_login_page(client, reader, clock):
    for _ in range(ACCOUNT_FREE_FAILURES):
        assert api_login("reader", "wrong").status_code == 401
    assert html_login(client, "reader", PASSWORD).status_code == 429


def test_login_page_failures_block_the_api(client, reader, clock):
    for _ in range(ACCOUNT_FREE_FAILURES):
        html_login(client, "reader", "wrong")
    response = api_login("reader", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(ACCOUNT_BACKOFF_BASE)
    assert response.json()["detail"].startswith("Too many failed logins")


def test_spraying_from_one_address_is_stopped_there_and_does_not_lock_the_owner_out(
    client, reader, clock
):
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    names = ["reader", "admin", "author"] + [f"random{n}" for n in range(40)]
    statuses = [api_login(name, "Password1", **attacker).status_code for name in names]
    assert statuses.count(401) == ADDRESS_FAILURES.limit
    assert set(statuses[ADDRESS_FAILURES.limit :]) == {429}
    # The owner, from their own address, gets in with the right password.
    assert html_login(client, "reader", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_many_addresses_guessing_one_account_cannot_lock_the_owner_out(client, reader, clock):
    for n in range(50):
        api_login("reader", f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}")
    # Every attacking address that comes back meets the account's backoff...
    assert api_login("reader", PASSWORD, REMOTE_ADDR="203.0.113.1").status_code == 429
    # ...but the owner's address has not failed, so the owner is not locked out.
    assert html_login(client, "reader", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_forwarded_for_is_honoured_only_behind_the_tls_proxy(reader, settings, clock):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(ADDRESS_FAILURES.limit):
        api_login(f"guess{n}", "x", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)

    settings.BEHIND_TLS_PROXY = False  # everyone is 10.0.0.1, whatever the header says
    spoofed = api_login("reader", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)
    assert spoofed.status_code == 429

    ratelimit.reset("login-address", "10.0.0.1", ADDRESS_FAILURES)
    settings.BEHIND_TLS_PROXY = True  # the right-most hop, appended by the proxy, is the client
    for n in range(ADDRESS_FAILURES.limit):
        api_login(f"guess{n}", "x", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    attacker = api_login("reader", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert attacker.status_code == 429
    # A client cannot pick its address: a forged left-hand hop changes nothing.
    forged = "198.51.100.9, 203.0.113.7"
    assert api_login("reader", PASSWORD, HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429
    owner = api_login("reader", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)
    assert owner.status_code == 201


def test_login_page_and_token_creation_work_while_the_cache_is_down(client, reader, settings):
    # Sessions in the database: sessions kept in a Redis that is down are another matter (the
    # session store's, not the limiter's).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.CACHES = BROKEN_CACHES
    assert html_login(client, "reader", "wrong").status_code == 200
    assert html_login(client, "reader", PASSWORD).status_code == 302
    assert api_login("reader", PASSWORD).status_code == 201


# --- password reset ------------------------------------------------------------------------------


def reset(client, email, **meta):
    return client.post(reverse("password_reset"), {"email": email}, follow=True, **meta)


def test_password_reset_mail_is_limited_per_target_address(client, reader, clock):
    from django.core import mail

    for n in range(20):
        response = reset(client, reader.email, REMOTE_ADDR=f"203.0.113.{n}")
        assert b"Check your email" in response.content
    assert len(mail.outbox) == 3
    clock["t"] += 2 * 60 * 60
    reset(client, reader.email)
    assert len(mail.outbox) == 4


def test_password_reset_mail_is_limited_per_client(client, db, clock):
    from django.core import mail

    from tests.factories import make_user

    users = [make_user(f"person{n}") for n in range(12)]
    for user in users:
        assert b"Check your email" in reset(client, user.email).content
    assert len(mail.outbox) == 10
    # Another client is not held up by this one.
    reset(client, users[-1].email, REMOTE_ADDR="198.51.100.2")
    assert len(mail.outbox) == 11
