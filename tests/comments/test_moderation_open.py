"""Moderation in the open: a moderator's edit shows its reason under the comment to everyone,
linking to its log entry; the log names comments by an excerpt and their roundup; the texts a
moderator replaced are public, the author's own edits are not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import services
from comments.models import ModerationAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(roundup, reader):
    return services.comment_create(
        roundup=roundup, author=reader, body="Original words with a broken link",
        enforce_rate_limit=False,
    )  # fmt: skip


def moderate(comment, moderator, reason="Fixed a <broken> link"):
    services.comment_edit(comment=comment, by=moderator, body="Tidied words", reason=reason)
    return ModerationAction.objects.get(action="edit", comment=comment)


def comment_li(html, comment):
    start = html.index(f'id="c{comment.pk}"')
    return html[start : html.index("comment-actions", start)]


def test_everyone_sees_the_reason_under_a_moderated_comment(client, roundup, comment, moderator):
    entry = moderate(comment, moderator)
    html = client.get(roundup.get_absolute_url()).content.decode()
    li = comment_li(html, comment)
    assert "Edited by a moderator: &ldquo;Fixed a &lt;broken&gt; link&rdquo;" in li
    assert f'href="/moderation/log/{entry.pk}/"' in li
    assert f'href="/comments/{comment.pk}/history/"' in li


def test_an_authors_own_edit_shows_no_moderation_note(client, roundup, comment, reader):
    services.comment_edit(comment=comment, by=reader, body="My own fix")
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert "Edited by a moderator" not in html and "moderation-note" not in html


def test_the_note_costs_no_query(client, roundup, comment, moderator, reader):
    other = services.comment_create(
        roundup=roundup, author=reader, body="Second", enforce_rate_limit=False
    )
    url = roundup.get_absolute_url()
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    moderate(comment, moderator)
    moderate(other, moderator, reason="Another reason")
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert html.count('class="moderation-note"') == 2
    assert len(after) == len(before)


def test_the_note_is_in_the_json_part_too(client, roundup, comment, moderator):
    moderate(comment, moderator)
    part = client.get(roundup.get_absolute_url(), HTTP_ACCEPT="application/json").json()
    assert "Fixed a &lt;broken&gt; link" in part["html"]


def test_log_entry_page_names_the_comment_by_excerpt_and_roundup(
    client, roundup, comment, moderator
):
    entry = moderate(comment, moderator)
    html = client.get(f"/moderation/log/{entry.pk}/").content.decode()
    assert "Moderation log entry" in html
    assert "“Tidied words”" in html and f">{roundup.title}</a>" in html
    assert "Fixed a &lt;broken&gt; link" in html
    assert client.get("/moderation/log/999999/").status_code == 404
    log = client.get("/moderation/log/").content.decode()
    assert "“Tidied words”" in log and f"comment {comment.pk}<" not in log


def test_the_log_does_not_quote_a_removed_comment(client, comment, moderator):
    services.comment_remove(comment=comment, by=moderator, reason="Spam")
    log = client.get("/moderation/log/").content.decode()
    assert "a removed comment" in log and "Original words" not in log


def test_history_is_public_after_a_moderators_edit_without_the_authors_own_edits(
    client, comment, reader, moderator
):
    url = f"/comments/{comment.pk}/history/"
    services.comment_edit(comment=comment, by=reader, body="Author draft two")
    assert client.get(url).status_code == 302  # only the author's edit so far: log in
    comment.refresh_from_db()
    services.comment_edit(comment=comment, by=moderator, body="Tidied", reason="Tidy")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Author draft two" in html and "moderator moderator" in html and "Tidy" in html
    assert "Original words with a broken link" not in html  # replaced by the author: private
    client.force_login(reader)
    assert "Original words with a broken link" in client.get(url).content.decode()
