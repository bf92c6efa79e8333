"""The user page: published roundups, karma, recent visible comments."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests import factories

pytestmark = pytest.mark.django_db


def comment(roundup, author, body, *, state="visible", score=0):
    return factories.make_comment(
        roundup=roundup, author=author, body=body, state=state, score=score
    )


def vote(target, value, voters):
    for voter in voters:
        services.vote_cast(comment=target, user=voter, value=value)


def test_profile_lists_published_roundups_karma_and_visible_comments(client, author, reader):
    published = factories.make_roundup(author=author, entries=2)
    draft = factories.make_roundup(author=author, published=False)
    voters = [factories.make_user(f"voter{i}") for i in range(3)]
    vote(comment(published, author, "Author reply"), 1, voters)
    vote(comment(published, author, "Another one"), 1, voters[:2])
    removed = comment(published, author, "Removed words")
    vote(removed, -1, voters[:1])
    services.comment_remove(comment=removed, by=factories.make_moderator(), reason="Off topic")
    comment(published, reader, "Not the author's")

    response = client.get(reverse("users:profile", args=["author"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert published.title in html and draft.title not in html
    assert "2 papers" in html
    assert "4 karma" in html  # karma counts every comment's score, removed or not: 3 + 2 - 1
    assert "<p>Author reply</p>" in html and "<p>Another one</p>" in html
    assert "Removed words" not in html and "Not the author" not in html
    newest = Comment.objects.filter(text__body="Another one").get()
    assert f'href="{newest.get_absolute_url()}"' in html
    assert html.index("Another one") < html.index("Author reply")


def test_profile_of_a_reader_without_anything(client, reader):
    response = client.get(reverse("users:profile", args=["reader"]))
    assert response.status_code == 200
    assert b"No comments yet." in response.content and b"0 karma" in response.content


def test_unknown_or_inactive_users_are_404(client, reader):
    assert client.get(reverse("users:profile", args=["nobody"])).status_code == 404
    reader.is_active = False
    reader.save()
    assert client.get(reverse("users:profile", args=["reader"])).status_code == 404


def test_own_profile_links_to_password_change(client, reader):
    client.force_login(reader)
    response = client.get(reverse("users:profile", args=["reader"]))
    assert reverse("password_change").encode() in response.content


def _drafts_and_published(author):
    factories.make_roundup(author=author, title="Out already")
    draft = factories.make_roundup(author=author, published=False, title="Half-written roundup")
    factories.make_entry(draft)
    return draft


def test_own_profile_lists_own_drafts_with_edit_and_preview_links(client, author):
    draft = _drafts_and_published(author)
    client.force_login(author)
    html = client.get(reverse("users:profile", args=["author"])).content.decode()
    assert "Your drafts" in html and "Half-written roundup" in html
    assert reverse("roundups:edit", args=[draft.slug]) in html
    assert reverse("roundups:preview", args=[draft.slug]) in html
    assert f'datetime="{draft.updated_at.isoformat()}"' in html  # last edited
    assert "1 paper" in html


@pytest.mark.parametrize("viewer", ["anonymous", "reader", "other_author", "staff"])
def test_nobody_else_sees_an_authors_drafts_on_their_profile(client, author, viewer):
    draft = _drafts_and_published(author)
    users = {
        "reader": factories.make_user("someone"),
        "other_author": factories.make_author("colleague"),
        "staff": factories.make_user("boss", staff=True, superuser=True),
    }
    if viewer in users:
        client.force_login(users[viewer])
    html = client.get(reverse("users:profile", args=["author"])).content.decode()
    assert "Out already" in html
    assert "Half-written roundup" not in html and "Your drafts" not in html
    assert reverse("roundups:edit", args=[draft.slug]) not in html


def test_the_drafts_list_costs_its_owner_one_query(client, author, django_assert_num_queries):
    """Intended to keep the profile flat: the drafts come in one query, whatever their number,
    and only for their owner."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = factories.make_author("colleague")
    for n in range(3):
        _drafts_and_published(other if n else author)
    url = reverse("users:profile", args=["author"])
    client.force_login(other)
    with CaptureQueriesContext(connection) as seen_by_other:
        client.get(url)
    client.force_login(author)
    client.get(url)  # the session's first read
    with CaptureQueriesContext(connection) as seen_by_owner:
        client.get(url)
    assert len(seen_by_owner) == len(seen_by_other) + 1
    for n in range(5):
        factories.make_roundup(author=author, published=False, entries=2, title=f"More {n}")
    with django_assert_num_queries(len(seen_by_owner)):
        response = client.get(url)
    assert response.content.decode().count('class="roundup-summary profile-draft"') == 6
