"""The inbox, the header's unread count, and the follow and mute buttons."""

import re

import pytest
from django.urls import reverse

from comments.thread.page import anchor_url
from notifications.inbox import INBOX_PAGE_SIZE
from notifications.models import Follow, MailPreference, MutedSubthread, Notification
from tests import factories

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
INBOX = "/notifications/"


def note(user, **fields):
    fields.setdefault("kind", Kind.FOLLOW)
    fields.setdefault("text", "Something happened")
    return Notification.objects.create(user=user, **fields)


def test_inbox_needs_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inbox_newest_first_marks_unread_then_reads_them(client, reader, roundup, other_reader):
    comment = factories.make_comment(roundup=roundup, author=other_reader)
    old = note(reader, text="Old news", roundup=roundup)
    new = note(reader, text="Fresh news", comment=comment, roundup=roundup)
    client.force_login(reader)
    html = client.get(INBOX).content.decode()
    assert html.index("Fresh news") < html.index("Old news")
    assert html.count('class="notification is-unread"') == 2
    assert f'href="{anchor_url(comment)}"' in html
    assert f'href="{roundup.get_absolute_url()}"' in html
    new.refresh_from_db(), old.refresh_from_db()
    assert new.is_read and old.is_read  # the visit read them
    assert 'class="notification is-unread"' not in client.get(INBOX).content.decode()


def test_unread_replies_in_one_thread_collapse(client, reader, roundup):
    for _ in range(3):
        note(reader, kind=Kind.REPLY, roundup=roundup, text="a reply")
    client.force_login(reader)
    html = client.get(INBOX).content.decode()
    assert f"3 replies to your comments on “{roundup.title}”" in html
    assert "a reply" not in html


def test_inbox_pages(client, reader):
    for i in range(INBOX_PAGE_SIZE + 1):
        note(reader, text=f"note {i}")
    client.force_login(reader)
    first = client.get(INBOX).content.decode()
    assert "Page 1 of 2" in first and "note 0\n" not in first
    assert "note 0\n" in client.get(INBOX + "?page=2").content.decode()


def test_mark_all_read(client, reader, other_reader):
    for _ in range(INBOX_PAGE_SIZE + 2):
        note(reader)
    note(other_reader)
    client.force_login(reader)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=reader, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other_reader, read_at__isnull=True).count() == 1


def test_inbox_query_count(client, reader, roundup, django_assert_num_queries, session_queries):
    for _ in range(5):
        note(reader, roundup=roundup)
    client.force_login(reader)
    # Intended to prevent an n+1: session, user, the paginator's count, the page (actor, roundup
    # and comment joined), the user's and groups' permissions (the "New roundup" link), the
    # header's count, and marking the shown ones read: one UPDATE.
    with django_assert_num_queries(7 + session_queries):
        client.get(INBOX)


def test_header_shows_the_unread_count(client, reader):
    note(reader), note(reader)
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert '<span class="unread-count" title="unread">(2)</span>' in html


def test_header_costs_one_query_signed_in_and_none_anonymous(
    client, reader, roundup, django_assert_num_queries, session_queries
):
    # The home page: anonymous, the roundups list (1 query, keyset, as tests/roundups/
    # test_home.py asserts); signed in adds the session, the user, their permissions (the "New
    # roundup" link) and exactly one for the header's unread count.
    with django_assert_num_queries(1) as anonymous:
        client.get("/")
    client.force_login(reader)
    with django_assert_num_queries(len(anonymous) + session_queries + 3 + 1):
        client.get("/")


def test_follow_buttons_work_without_javascript(client, reader, roundup):
    client.force_login(reader)
    html = client.get(roundup.get_absolute_url()).content.decode()
    action = reverse("notifications:follow", args=[roundup.slug])
    assert html.count(f'action="{action}"') == 3
    for level, expected in [("watching", "watching"), ("muted", "muted"), ("normal", None)]:
        response = client.post(action, {"level": level})
        assert response.status_code == 302 and response["Location"] == roundup.get_absolute_url()
        row = Follow.objects.filter(user=reader, roundup=roundup).first()
        assert (row.level if row else None) == expected


def test_follow_refuses_unknown_level_and_drafts(client, reader, author):
    draft = factories.make_roundup(author=author, published=False)
    client.force_login(reader)
    client.post(reverse("notifications:follow", args=[draft.slug]), {"level": "watching"})
    assert not Follow.objects.exists()


def test_anonymous_sees_no_follow_buttons(client, roundup):
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert "notifications/follow" not in html


def test_mute_subthread_confirm_then_post(client, reader, roundup, other_reader):
    comment = factories.make_comment(roundup=roundup, author=other_reader)
    client.force_login(reader)
    url = reverse("notifications:mute", args=[comment.pk])
    assert url in client.get(comment.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 200
    assert not MutedSubthread.objects.exists()  # a GET only asks
    client.post(url)
    assert MutedSubthread.objects.filter(user=reader, comment=comment).exists()
    client.post(url, {"unmute": "1"})
    assert not MutedSubthread.objects.exists()


def test_mute_a_draft_comment_is_404(client, reader, author):
    draft = factories.make_roundup(author=author, published=False)
    comment = factories.make_comment(roundup=draft, author=author)
    client.force_login(reader)
    assert client.post(reverse("notifications:mute", args=[comment.pk])).status_code == 404


def test_follow_buttons_show_the_readers_current_level(client, reader, roundup):
    client.force_login(reader)
    action = reverse("notifications:follow", args=[roundup.slug])
    for level, sentence in [
        ("normal", "You hear of replies to you and mentions only."),
        ("watching", "You follow this discussion."),
        ("muted", "You muted this discussion."),
    ]:
        if level != "normal":
            client.post(action, {"level": level})
        html = client.get(roundup.get_absolute_url()).content.decode()
        assert f'data-level="{level}">{sentence}' in html
        assert html.count('aria-pressed="true"') == 1
        assert re.search(rf'value="{level}"><button [^>]*aria-pressed="true"', html)


def test_settings_page_shows_the_mail_preferences_with_defaults(client, reader):
    client.force_login(reader)
    html = client.get("/settings/").content.decode()
    assert 'action="/settings/notifications/"' in html
    defaults = {"reply": "immediately", "follow": "digest", "mention": "immediately",
                "moderation": "immediately", "suggestion": "digest"}  # fmt: skip
    for kind, delivery in defaults.items():
        assert re.search(rf'name="{kind}" value="{delivery}"[^>]*checked', html), kind


def test_saving_preferences_keeps_rows_only_for_changes(client, reader):
    client.force_login(reader)
    choices = {"reply": "digest", "mention": "never", "moderation": "immediately",
               "follow": "immediately", "suggestion": "digest"}  # fmt: skip
    response = client.post("/settings/notifications/", choices)
    assert response.status_code == 302 and response["Location"] == "/settings/#mail"
    rows = dict(MailPreference.objects.filter(user=reader).values_list("kind", "delivery"))
    assert rows == {"reply": "digest", "mention": "never", "follow": "immediately"}
    html = client.get("/settings/").content.decode()
    assert re.search(r'name="reply" value="digest"[^>]*checked', html)
    # Back to the defaults: no rows.
    defaults = {"reply": "immediately", "mention": "immediately", "follow": "digest"}
    client.post("/settings/notifications/", {**choices, **defaults})
    assert not MailPreference.objects.exists()


def test_bad_preferences_are_a_form_error_and_save_nothing(client, reader):
    client.force_login(reader)
    response = client.post(
        "/settings/notifications/",
        {"reply": "loudly", "mention": "never", "moderation": "never", "follow": "never"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Choose immediately, in a daily digest, or never.") == 2  # reply, suggestion
    assert not MailPreference.objects.exists()
    assert client.get("/settings/notifications/").status_code == 200


def test_preferences_need_login(client):
    response = client.post("/settings/notifications/", {"reply": "never"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not MailPreference.objects.exists()


def test_admin_lists_mail_state_preferences_and_digest_runs(client, reader):
    from datetime import date

    from notifications.models import DigestRun

    admin = factories.make_user("boss", superuser=True)
    note(reader)
    MailPreference.objects.create(user=reader, kind="reply", delivery="never")
    DigestRun.objects.create(user=reader, day=date(2026, 1, 5))
    client.force_login(admin)
    for model in ("notification", "mailpreference", "digestrun"):
        response = client.get(f"/admin/notifications/{model}/")
        assert response.status_code == 200 and "reader" in response.content.decode(), model
