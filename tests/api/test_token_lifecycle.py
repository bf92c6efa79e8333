"""API tokens end on password change, "log out everywhere", idleness and by hand; are capped."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from tests.factories import PASSWORD

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-long-passphrase-42"


def works(token):
    return ApiClient(token).get("/api/roundups").status_code == 200


@pytest.fixture
def token(reader):
    return ApiToken.objects.issue(reader, name="my script")[1]


def test_password_change_revokes_every_token(client, reader, other_reader, token):
    _, others = ApiToken.objects.issue(other_reader)
    client.login(username="reader", password=PASSWORD)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not works(token)
    assert not ApiToken.objects.filter(user=reader).exists()
    assert works(others)
    # The page that changed it stays logged in (Django re-signs that session).
    assert client.get(reverse("settings:index")).status_code == 200


def test_password_reset_revokes_every_token(client, reader, token):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(reader.pk))
    link = f"/accounts/reset/{uid}/{default_token_generator.make_token(reader)}/"
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert not works(token)


def test_admin_and_command_line_password_changes_revoke_tokens(reader, token, monkeypatch):
    reader.set_password(NEW_PASSWORD)
    reader.save()
    assert not works(token)
    _, second = ApiToken.objects.issue(reader)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD + "x")
    call_command("changepassword", "reader", stdout=open("/dev/null", "w"))
    assert not works(second)


def test_logging_in_or_saving_the_user_keeps_tokens(client, reader, token):
    assert client.login(username="reader", password=PASSWORD)
    User.objects.get(pk=reader.pk).save()
    assert works(token)


def test_log_out_everywhere_ends_every_session_and_token(reader, token):
    laptop, phone = Client(), Client()
    laptop.login(username="reader", password=PASSWORD)
    phone.force_login(reader)
    assert phone.get(reverse("settings:index")).status_code == 200
    response = laptop.post(reverse("settings:logout_everywhere"))
    assert response.status_code == 302 and response.url == reverse("login")
    for device in (laptop, phone):
        assert device.get(reverse("settings:index")).status_code == 302  # to the login page
    assert not works(token)
    # Logging in again works, and that new session lasts.
    assert (
        laptop.post(reverse("login"), {"username": "reader", "password": PASSWORD}).status_code
        == 302
    )
    assert laptop.get(reverse("settings:index")).status_code == 200
    laptop.post(reverse("settings:logout_everywhere"))
    assert laptop.get(reverse("settings:index")).status_code == 302


def test_log_out_everywhere_is_a_post(client, reader):
    client.force_login(reader)
    assert client.get(reverse("settings:logout_everywhere")).status_code == 405


def test_log_out_everywhere_works_with_sessions_in_the_cache(reader, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    laptop, phone = Client(), Client()
    laptop.login(username="reader", password=PASSWORD)
    phone.login(username="reader", password=PASSWORD)
    laptop.post(reverse("settings:logout_everywhere"))
    assert phone.get(reverse("settings:index")).status_code == 302


def test_tokens_expire_after_idle_days(reader, token, settings):
    row = ApiToken.objects.get()
    settings.API_TOKEN_IDLE_DAYS = 90
    ApiToken.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=120))
    assert not works(token)  # never used, made 120 days ago
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - timedelta(days=89))
    assert works(token)  # used 89 days ago: still alive, and the use renews it
    assert ApiToken.objects.get().last_used_at > timezone.now() - timedelta(minutes=1)
    settings.API_TOKEN_IDLE_DAYS = 0
    assert not works(token)


def test_a_read_writes_last_used_at_at_most_once_a_minute(reader, token):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    works(token)
    # Intended to prevent a write per request: the second read within a minute only reads.
    with CaptureQueriesContext(connection) as queries:
        assert works(token)
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)


def test_tokens_are_capped_per_user(anon, reader, settings):
    settings.API_TOKENS_PER_USER = 3
    for _ in range(3):
        assert (
            anon.post("/api/auth/token", {"username": "reader", "password": PASSWORD}).status_code
            == 201
        )
    response = anon.post("/api/auth/token", {"username": "reader", "password": PASSWORD})
    assert response.status_code == 409
    assert "You already have 3 API tokens" in response.json()["detail"]
    assert ApiToken.objects.filter(user=reader).count() == 3


def test_expired_tokens_do_not_count_against_the_cap(anon, reader, settings):
    settings.API_TOKENS_PER_USER = 1
    ApiToken.objects.issue(reader)
    ApiToken.objects.update(created_at=timezone.now() - timedelta(days=365))
    assert (
        anon.post("/api/auth/token", {"username": "reader", "password": PASSWORD}).status_code
        == 201
    )
    assert ApiToken.objects.count() == 1


# --- the settings page ---------------------------------------------------------------------------


def test_settings_page_is_linked_from_the_header_and_needs_a_login(client, reader):
    assert client.get(reverse("settings:index")).status_code == 302
    assert client.get(reverse("tokens:list")).status_code == 302
    client.force_login(reader)
    home = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("settings:index")}">Settings</a>' in home
    page = client.get(reverse("settings:index")).content.decode()
    assert reverse("tokens:list") in page and reverse("settings:logout_everywhere") in page


def test_tokens_page_lists_creates_once_and_revokes(client, reader, other_reader, token):
    ApiToken.objects.issue(other_reader, name="not yours")
    client.force_login(reader)
    page = client.get(reverse("tokens:list")).content.decode()
    assert "my script" in page and "not yours" not in page and "never" in page

    response = client.post(reverse("tokens:list"), {"name": "backup job"})
    html = response.content.decode()
    assert response.status_code == 200 and "shown only this once" in html
    created = ApiToken.objects.get(name="backup job")
    plain = html.split('<code class="new-token">')[1].split("</code>")[0]
    assert works(plain) and created.user == reader
    assert "shown only this once" not in client.get(reverse("tokens:list")).content.decode()

    old = ApiToken.objects.get(name="my script")
    response = client.post(reverse("tokens:revoke", args=[old.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    assert not works(token) and works(plain)


def test_revoking_someone_elses_token_is_a_404_and_a_get_changes_nothing(
    client, reader, other_reader
):
    theirs, plain = ApiToken.objects.issue(other_reader)
    client.force_login(reader)
    assert client.post(reverse("tokens:revoke", args=[theirs.pk])).status_code == 404
    client.force_login(other_reader)
    assert client.get(reverse("tokens:revoke", args=[theirs.pk])).status_code == 405
    assert works(plain)


def test_tokens_page_at_the_cap_says_so_and_writes_nothing(client, reader, settings):
    settings.API_TOKENS_PER_USER = 1
    ApiToken.objects.issue(reader)
    client.force_login(reader)
    response = client.post(reverse("tokens:list"), {"name": "one more"})
    assert response.status_code == 409
    assert "You already have 1 API tokens" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_tokens_page_needs_csrf(reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(reverse("tokens:list"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
