"""The inbox, the header's unread count, and the follow and mute buttons."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

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


def older_link(html: str) -> str | None:
    found = re.search(r'<a rel="next" href="(\?after=[^"]+)">Older →</a>', html)
    return found.group(1) if found else None


def newer_link(html: str) -> str | None:
    found = re.search(r'<a rel="prev" href="(\?before=[^"]+)">← Newer</a>', html)
    return found.group(1) if found else None


def test_inbox_pages_by_keyset_newer_and_older(client, reader):
    same_time = timezone.now()  # ties on the time are broken by id, so none repeats or is lost
    notes = [note(reader, text=f"note {i}.") for i in range(2 * INBOX_PAGE_SIZE + 3)]
    Notification.objects.filter(pk__in=[n.pk for n in notes[:40]]).update(created_at=same_time)
    Notification.objects.update(read_at=same_time)  # read: no collapsing, every row a line
    client.force_login(reader)
    seen, url, pages = [], INBOX, []
    while url:
        html = client.get(url).content.decode()
        pages.append(html)
        seen += [int(n) for n in re.findall(r"note (\d+)\.", html)]
        url = older_link(html) and INBOX + older_link(html)
    assert seen == list(range(len(notes)))[::-1]  # newest first, each once
    assert [len(re.findall(r"note \d+\.", page)) for page in pages] == [30, 30, 3]
    assert newer_link(pages[0]) is None and newer_link(pages[2]) is not None
    back = client.get(INBOX + newer_link(pages[2])).content.decode()
    assert re.findall(r"note \d+\.", back) == re.findall(r"note \d+\.", pages[1])
    assert "Page 1 of" not in pages[0] and "?page=" not in pages[0]


def test_inbox_refuses_a_cursor_it_did_not_make(client, reader):
    note(reader)
    client.force_login(reader)
    response = client.get(INBOX + "?after=not-a-cursor")
    assert response.status_code == 400
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # nothing marked


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


@pytest.mark.parametrize("count", [1, 50])
def test_inbox_query_count(
    client, reader, roundup, other_reader, count, django_assert_num_queries, session_queries
):
    comment = factories.make_comment(roundup=roundup, author=other_reader)
    for _ in range(count):
        note(reader, kind=Kind.MODERATION, roundup=roundup, comment=comment, actor=other_reader)
    client.force_login(reader)
    # Intended to prevent an n+1, and the same for 1 notification or 50: session, user, the
    # keyset page (actor, roundup and comment joined; no count), the user's and groups'
    # permissions (one query, for the "New roundup" link), the header's count, and marking the
    # shown ones read: one UPDATE.
    with django_assert_num_queries(5 + session_queries):
        response = client.get(INBOX)
    assert response.content.decode().count('class="notification is-unread"') >= 1
    older = older_link(response.content.decode())
    assert (older is not None) == (count > INBOX_PAGE_SIZE)
    if older:
        with django_assert_num_queries(5 + session_queries):  # an older page costs the same
            client.get(INBOX + older)


def test_header_shows_the_unread_count(client, reader):
    note(reader), note(reader)
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert '<span class="unread-count" title="unread">(2)</span>' in html


def test_header_count_stops_at_its_cap(client, reader, monkeypatch):
    # A count past forum.counts.HEADER_COUNT_CAP reads "<cap>+": the query reads at most cap + 1
    # rows, so the header costs the same with 3 unread notifications or 30,000.
    monkeypatch.setattr("forum.counts.HEADER_COUNT_CAP", 2)
    note(reader), note(reader)
    client.force_login(reader)
    assert '<span class="unread-count" title="unread">(2)</span>' in client.get("/").text
    note(reader)
    assert '<span class="unread-count" title="unread">(2+)</span>' in client.get("/").text


def test_header_costs_one_query_signed_in_and_none_anonymous(
    client, reader, roundup, django_assert_num_queries, session_queries
):
    # The home page: anonymous, the roundups list (1 query, keyset, as tests/roundups/
    # test_home.py asserts); signed in adds the session, the user, their permissions (one query,
    # for the "New roundup" link) and exactly one for the header's unread count.
    with django_assert_num_queries(1) as anonymous:
        client.get("/")
    client.force_login(reader)
    with django_assert_num_queries(len(anonymous) + session_queries + 2 + 1):
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
