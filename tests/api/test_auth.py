"""Tokens, the session with CSRF, and the login rate limit."""

import hashlib

import pytest
from django.test import Client

from accounts.login_limits import ACCOUNT_FREE_FAILURES, ADDRESS_FAILURES
from api.models import ApiToken
from tests.factories import PASSWORD, make_user

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/auth/token"


def test_token_is_issued_with_201_and_stored_only_as_its_hash(anon, reader):
    response = anon.post(TOKEN_URL, {"username": "reader", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json()["token"]
    row = ApiToken.objects.get(user=reader)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiClient(token).get("/api/roundups").status_code == 200


@pytest.mark.parametrize(
    "username,password", [("reader", "wrong password"), ("nobody", PASSWORD), ("READER", "x")]
)
def test_wrong_credentials_are_401(anon, reader, username, password):
    response = anon.post(TOKEN_URL, {"username": username, "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password."}
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(anon):
    make_user("gone").__class__.objects.filter(username="gone").update(is_active=False)
    response = anon.post(TOKEN_URL, {"username": "gone", "password": PASSWORD})
    assert response.status_code == 401


def test_missing_fields_are_422_with_detail(anon):
    response = anon.post(TOKEN_URL, {"username": "reader"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "password"]


def test_failed_logins_are_rate_limited_even_for_the_right_password(anon, reader):
    for _ in range(ACCOUNT_FREE_FAILURES):
        assert anon.post(TOKEN_URL, {"username": "reader", "password": "no"}).status_code == 401
    response = anon.post(TOKEN_URL, {"username": "reader", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]


def test_failures_are_counted_per_address_across_usernames(anon, reader):
    for n in range(ADDRESS_FAILURES.limit):
        anon.post(TOKEN_URL, {"username": f"guess{n}", "password": "no"})
    response = anon.post(TOKEN_URL, {"username": "reader", "password": PASSWORD})
    assert response.status_code == 429


def test_delete_revokes_only_the_token_used(reader):
    _, first = ApiToken.objects.issue(reader)
    _, second = ApiToken.objects.issue(reader)
    assert ApiClient(first).delete(TOKEN_URL).status_code == 204
    response = ApiClient(first).get("/api/roundups")
    assert response.status_code == 401
    assert ApiClient(second).get("/api/roundups").status_code == 200
    assert ApiClient(first).delete(TOKEN_URL).status_code == 401


def test_delete_needs_a_token_not_a_session(reader):
    client = Client()
    client.force_login(reader)
    assert client.delete(TOKEN_URL).status_code == 401
    assert ApiClient().delete(TOKEN_URL).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer not-a-token", "Bearer " + "x" * 500, "Basic dXNlcjpwYXNz", "Bearer"]
)
def test_bad_authorization_header_is_401_on_reads_and_writes(roundup, header):
    client = ApiClient()
    assert client.get("/api/roundups", headers={"Authorization": header}).status_code == 401
    response = client.post(
        f"/api/roundups/{roundup.slug}/comments", {"body": "hi"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert "detail" in response.json()


def test_token_of_a_deactivated_user_stops_working(reader):
    _, token = ApiToken.objects.issue(reader)
    reader.is_active = False
    reader.save()
    assert ApiClient(token).get("/api/roundups").status_code == 401


def test_writes_without_credentials_are_401(anon, roundup):
    response = anon.post(f"/api/roundups/{roundup.slug}/comments", {"body": "hi"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_session_writes_need_the_csrf_token(reader, roundup):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    url = f"/api/roundups/{roundup.slug}/comments"
    refused = ApiClient(client=browser).post(url, {"body": "from the browser"})
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF check failed")

    browser.get("/accounts/login/")  # any page that sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = ApiClient(client=browser).post(
        url, {"body": "from the browser"}, headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201
    assert accepted.json()["author"] == "reader"


def test_bearer_writes_need_no_csrf_token(reader, roundup):
    _, token = ApiToken.objects.issue(reader)
    client = ApiClient(token, client=Client(enforce_csrf_checks=True))
    response = client.post(f"/api/roundups/{roundup.slug}/comments", {"body": "from a bot"})
    assert response.status_code == 201


def test_session_reads_see_own_drafts(author):
    from tests.factories import make_roundup

    draft = make_roundup(author=author, published=False)
    browser = Client()
    browser.force_login(author)
    assert browser.get(f"/api/roundups/{draft.slug}").status_code == 200
    assert Client().get(f"/api/roundups/{draft.slug}").status_code == 404
