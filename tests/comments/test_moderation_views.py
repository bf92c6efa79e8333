"""Moderators in the thread: edit with a reason, remove, restore, lock, and the public log."""

import pytest

from comments import services
from comments.models import Comment, ModerationAction
from comments.views import MODERATION_LOG_PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(roundup, reader):
    return services.comment_create(
        roundup=roundup, author=reader, body="Original words", enforce_rate_limit=False
    )


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


def test_moderator_edit_needs_a_reason_then_shows_edited_by_a_moderator(
    as_moderator, roundup, comment
):
    url = f"/comments/{comment.pk}/edit/"
    assert "as a moderator" in as_moderator.get(url).content.decode()
    response = as_moderator.post(url, {"body": "Tidied words", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert Comment.objects.get().text.body == "Original words"
    response = as_moderator.post(url, {"body": "Tidied words", "reason": "Fixed a broken link"})
    assert response["Location"] == f"/roundups/{roundup.slug}/#c{comment.pk}"
    page = as_moderator.get(roundup.get_absolute_url()).content.decode()
    assert "edited by a moderator" in page
    assert ModerationAction.objects.get().reason == "Fixed a broken link"


def test_remove_and_restore_with_reasons(as_moderator, roundup, comment, reader):
    remove = f"/comments/{comment.pk}/remove/"
    page = as_moderator.get(remove)
    assert page.status_code == 200 and "Original words" in page.content.decode()
    response = as_moderator.post(remove, {"reason": ""})
    assert response.status_code == 400
    assert Comment.objects.get().state == Comment.State.VISIBLE
    assert as_moderator.post(remove, {"reason": "Off topic"}).status_code == 302
    assert Comment.objects.get().state == Comment.State.REMOVED
    response = as_moderator.post(remove, {"reason": "Again"})
    assert response.status_code == 400
    assert "already" in response.content.decode()  # the service's message, shown as it is
    restore = f"/comments/{comment.pk}/restore/"
    assert as_moderator.post(restore, {"reason": "On second thought"}).status_code == 302
    assert Comment.objects.get().state == Comment.State.VISIBLE
    actions = list(ModerationAction.objects.values_list("action", "reason"))
    assert actions == [("restore", "On second thought"), ("remove", "Off topic")]


@pytest.mark.parametrize("path", ["remove", "restore", "edit"])
def test_readers_cannot_moderate(client, other_reader, comment, path):
    client.force_login(other_reader)
    url = f"/comments/{comment.pk}/{path}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "because", "body": "x"}).status_code == 403
    assert Comment.objects.get().state == Comment.State.VISIBLE
    assert not ModerationAction.objects.exists()


def test_lock_and_unlock(as_moderator, roundup, reader, client):
    url = f"/roundups/{roundup.slug}/lock/"
    response = as_moderator.post(url, {"locked": "1", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    response = as_moderator.post(url, {"locked": "1", "reason": "Flame war"})
    assert response["Location"] == f"/roundups/{roundup.slug}/#comments"
    roundup.refresh_from_db()
    assert roundup.comments_locked
    response = as_moderator.post(url, {"locked": "1", "reason": "Again"})
    assert response.status_code == 400
    assert "already locked" in response.content.decode()
    assert as_moderator.post(url, {"action": "unlock", "reason": "Calm now"}).status_code == 302
    roundup.refresh_from_db()
    assert not roundup.comments_locked
    assert as_moderator.post(url, {"reason": "Toggle"}).status_code == 302  # no choice: toggles
    roundup.refresh_from_db()
    assert roundup.comments_locked


def test_readers_cannot_lock(client, roundup, reader):
    client.force_login(reader)
    response = client.post(f"/roundups/{roundup.slug}/lock/", {"locked": "1", "reason": "x"})
    assert response.status_code == 403
    roundup.refresh_from_db()
    assert not roundup.comments_locked


def test_moderation_log_is_public_and_paginated(client, roundup, comment, moderator):
    services.comment_remove(comment=comment, by=moderator, reason="<b>Spam</b>")
    for i in range(MODERATION_LOG_PAGE_SIZE):
        services.roundup_lock(roundup=roundup, by=moderator, reason=f"r{i}", locked=i % 2 == 0)
    first = client.get("/moderation/log/")
    older = first.context["page"].older
    html = first.content.decode()
    assert f'rel="next" href="?after={older}"' in html and 'rel="prev"' not in html
    assert "Locked a thread" in html
    last = client.get(f"/moderation/log/?after={older}").content.decode()
    assert "Removed a comment" in last and 'rel="prev" href="?before=' in last
    assert "&lt;b&gt;Spam&lt;/b&gt;" in last  # reasons are escaped
    assert f'href="/comments/{comment.pk}/"' in last
    assert client.get("/moderation/log/?after=zzz").status_code == 400  # not a cursor of ours


@pytest.mark.parametrize("rows", [1, MODERATION_LOG_PAGE_SIZE])
def test_moderation_log_query_count_does_not_grow(
    client, roundup, comment, moderator, django_assert_num_queries, rows
):
    # Intended to prevent an n+1 issue: moderator, comment, roundup and user are joined into
    # the page's one query (keyset: nothing is counted).
    for i in range(rows):
        services.roundup_lock(roundup=roundup, by=moderator, reason=f"r{i}", locked=i % 2 == 0)
    with django_assert_num_queries(1):
        response = client.get("/moderation/log/")
    assert response.content.decode().count("<tr>") == rows + 1  # the header row, then one each
