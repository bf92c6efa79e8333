"""forum/mail.py: one message builder with RFC 8058 headers, and signed one-click unsubscribe."""

import email
from email import policy

import pytest
from django.core import signing
from django.test import Client

from forum import mail
from forum.errors import NotFound

stopped: list[tuple[str, str]] = []


def _apply(subject, arg):
    if arg == "gone":
        raise NotFound("You are no longer subscribed to this.")
    stopped.append((subject, arg))
    return f"No more {arg} mail to {subject}."


@pytest.fixture(autouse=True)
def test_kind():
    stopped.clear()
    mail.register_unsubscribe("test", describe=lambda s, a: f"Stop {a} mail to {s}?", apply=_apply)
    yield
    mail._kinds.pop("test", None)


def test_message_has_both_parts_both_headers_and_the_link_in_each(settings):
    settings.SITE_URL = "https://roundups.example"
    url = mail.unsubscribe_url("test", 42, "replies")
    message = mail.build_message(
        to="a@example.org",
        subject="New\r\nBcc: x@evil",
        text="Hello",
        html="<p>Hello</p>",
        unsubscribe=url,
    )
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert parsed["To"] == "a@example.org"
    assert parsed["Subject"] == "New Bcc: x@evil" and parsed["Bcc"] is None
    assert parsed["List-Unsubscribe"].strip() == f"<{url}>"  # a long header may be folded
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url.startswith("https://roundups.example/unsubscribe/")
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Hello" in text and url in text
    assert "<p>Hello</p>" in html and url in html


def test_unknown_kind_cannot_make_a_token():
    with pytest.raises(ValueError):
        mail.unsubscribe_token("nope", 1)


def test_get_shows_what_it_stops_and_changes_nothing(db):
    token = mail.unsubscribe_token("test", 7, "digest")
    response = Client().get(f"/unsubscribe/{token}")
    assert response.status_code == 200
    assert "Stop digest mail to 7?" in response.content.decode()
    assert stopped == []


def test_one_click_post_without_session_or_csrf_applies_it(db):
    token = mail.unsubscribe_token("test", 7, "replies")
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert response.content.decode() == "No more replies mail to 7."
    assert stopped == [("7", "replies")]
    # The page's own button: same effect, a page back; twice is harmless.
    page = client.post(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "No more replies mail to 7." in page.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.Signer(salt="another").sign_object(["test", "7", "replies"]),
        signing.Signer(salt=mail.SALT).sign_object(["retired", "7", ""]),
    ],
)
def test_forged_or_unknown_tokens_are_refused_and_write_nothing(db, token):
    response = Client().post(f"/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert (
        "not valid" in response.content.decode() or "no longer sends" in response.content.decode()
    )
    assert stopped == []


def test_tampered_subject_is_refused(db):
    token = mail.unsubscribe_token("test", 7, "replies")
    other = mail.unsubscribe_token("test", 8, "replies")
    spliced = token.split(":")[0] + ":" + other.split(":", 1)[1]
    assert Client().post(f"/unsubscribe/{spliced}").status_code == 400


def test_a_subscription_already_gone_is_a_404_page(db):
    token = mail.unsubscribe_token("test", 7, "gone")
    response = Client().post(f"/unsubscribe/{token}")
    assert response.status_code == 404
    assert "no longer subscribed" in response.content.decode()
