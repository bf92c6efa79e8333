"""Sign-up, login, logout, password change and reset."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-long-passphrase-42"


def signup_data(**changes):
    data = {
        "username": "newreader",
        "email": "newreader@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def test_signup_strips_control_characters_but_not_from_passwords(client):
    password = NEW_PASSWORD + "\x1b"  # compared, never shown: kept exactly as typed
    data = signup_data(
        username="new\x1breader",
        email="newreader\x01@example.org",
        password1=password,
        password2=password,
    )
    response = client.post(reverse("signup"), data)
    assert response.status_code == 302
    user = User.objects.get(username="newreader")
    assert user.email == "newreader@example.org"
    assert user.check_password(password)


def test_signup_page_has_labelled_fields(client):
    response = client.get(reverse("signup"))
    html = response.content.decode()
    assert response.status_code == 200
    for field in ["username", "email", "password1", "password2"]:
        assert f'<label for="id_{field}"' in html


def test_signup_creates_an_account_and_logs_in(client):
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302 and response.url == reverse("home")
    user = User.objects.get(username="newreader")
    assert user.check_password(NEW_PASSWORD) and user.email == "newreader@example.org"
    assert not user.groups.exists() and not user.is_staff
    assert client.get(reverse("home")).context["user"] == user


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"password2": "something-else-99"}, "The two password fields didn’t match."),
        ({"password1": "123", "password2": "123"}, "This password is too short."),
        ({"email": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"username": "bad name!"}, "Enter a valid username."),
        ({"username": "reader"}, "A user with that username already exists."),
        ({"email": "READER@example.org"}, "An account with this email address already exists."),
    ],
)
def test_signup_errors_are_shown_and_nothing_is_written(client, reader, changes, message):
    before = User.objects.count()
    response = client.post(reverse("signup"), signup_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_signup_redirects_users_who_are_logged_in(client, reader):
    client.force_login(reader)
    assert client.get(reverse("signup")).status_code == 302


def test_login_and_logout(client, reader):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b"Forgot your password?" in page.content
    response = client.post(reverse("login"), {"username": "reader", "password": factories.PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == reader
    # Logout is a POST (a GET is refused) and lands on the home page.
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("home")
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_wrong_password_shows_an_error(client, reader):
    response = client.post(reverse("login"), {"username": "reader", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password." in response.content


def test_login_follows_next(client, reader):
    response = client.post(
        reverse("login") + "?next=/series/x/",
        {"username": "reader", "password": factories.PASSWORD, "next": "/series/x/"},
    )
    assert response.url == "/series/x/"


def test_password_change(client, reader):
    assert client.get(reverse("password_change")).status_code == 302  # anonymous → login
    client.force_login(reader)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert b"Password changed" in response.content
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)


def test_password_change_with_wrong_old_password_changes_nothing(client, reader):
    client.force_login(reader)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content
    reader.refresh_from_db()
    assert reader.check_password(factories.PASSWORD)


def test_password_reset_by_email(client, reader):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": reader.email}, follow=True)
    assert b"Check your email" in response.content
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Roundups password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    page = client.get(link, follow=True)  # Django swaps the token for a session-held one
    assert b"Choose a new password" in page.content
    set_url = page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert b"Your password is reset" in response.content
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)


def test_password_reset_with_a_bad_link_says_so(client, reader):
    response = client.get("/accounts/reset/MQ/bad-token/")
    assert response.status_code == 200
    assert b"This link no longer works" in response.content


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert b"Check your email" in response.content
    assert mail.outbox == []


def test_logged_out_template_renders(client):
    from django.template.loader import render_to_string

    assert "You are logged out" in render_to_string("registration/logged_out.html")
