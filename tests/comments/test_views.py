"""Comment actions as readers use them: plain form posts, and JSON for the page's script."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment, CommentRevision, Vote
from comments.thread.tree import MAX_DEPTH
from tests import factories

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def post(roundup, user, body="A thought.", parent=None):
    return services.comment_create(
        roundup=roundup, author=user, body=body, parent=parent, enforce_rate_limit=False
    )


@pytest.fixture
def as_reader(client, reader):
    client.force_login(reader)
    return client


# --- create and reply ---------------------------------------------------------------------------


def test_post_a_root_comment_redirects_to_its_anchor(as_reader, roundup, reader):
    response = as_reader.post(f"/roundups/{roundup.slug}/comments/", {"body": "Nice *list*"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/roundups/{roundup.slug}/#c{comment.pk}"
    assert (comment.author, comment.parent, comment.text.body_html) == (
        reader,
        None,
        "<p>Nice <em>list</em></p>",
    )


def test_posted_comments_lose_invisible_control_characters(as_reader, roundup):
    response = as_reader.post(f"/roundups/{roundup.slug}/comments/", {"body": "Hi\x1b[0m\x00!"})
    assert response.status_code == 302
    assert Comment.objects.get().text.body == "Hi[0m!"


def test_reply_form_page_and_posting_a_reply(as_reader, roundup, other_reader):
    parent = post(roundup, other_reader, "Parent text")
    page = as_reader.get(f"/comments/{parent.pk}/reply/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Parent text" in html
    assert f'action="/comments/{parent.pk}/reply/"' in html
    assert '<label for="id_body">Your comment:</label>' in html
    response = as_reader.post(f"/comments/{parent.pk}/reply/", {"body": "A reply"})
    reply = Comment.objects.get(parent=parent)
    assert response["Location"] == f"/roundups/{roundup.slug}/#c{reply.pk}"


def test_reply_below_the_cut_off_returns_to_the_parents_permalink(as_reader, roundup, reader):
    chain = [post(roundup, reader)]
    for _ in range(MAX_DEPTH - 1):
        chain.append(post(roundup, reader, parent=chain[-1]))
    response = as_reader.post(f"/comments/{chain[-1].pk}/reply/", {"body": "deep"})
    deep = Comment.objects.get(parent=chain[-1])
    assert response["Location"] == f"/comments/{chain[-1].pk}/#c{deep.pk}"


def test_reply_as_json_returns_the_rendered_comment(as_reader, roundup, other_reader):
    parent = post(roundup, other_reader)
    response = as_reader.post(f"/comments/{parent.pk}/reply/", {"body": "<b>hi</b> & bye"}, **JSON)
    assert response.status_code == 201
    data = response.json()
    reply = Comment.objects.get(parent=parent)
    assert data["id"] == reply.pk
    assert data["url"] == f"/roundups/{roundup.slug}/#c{reply.pk}"
    assert data["html"].startswith(f'<li class="comment is-own" id="c{reply.pk}"')
    assert reply.text.body_html in data["html"]  # sanitized when saved, inserted as it is


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "The comment is empty."),
        ("   \n\t ", "The comment is empty."),
        ("x" * 10_001, "the limit is 10,000"),
    ],
)
def test_bad_body_rerenders_the_form_with_a_400_and_writes_nothing(
    as_reader, roundup, body, message
):
    response = as_reader.post(f"/roundups/{roundup.slug}/comments/", {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_bad_body_as_json(as_reader, roundup):
    response = as_reader.post(f"/roundups/{roundup.slug}/comments/", {"body": " "}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "The comment is empty."}


def test_reply_to_a_removed_comment_is_refused(as_reader, roundup, other_reader, moderator):
    parent = post(roundup, other_reader)
    services.comment_remove(comment=parent, by=moderator, reason="Spam")
    response = as_reader.post(f"/comments/{parent.pk}/reply/", {"body": "hello"})
    assert response.status_code == 400
    assert "was removed by a moderator" in response.content.decode()
    assert Comment.objects.count() == 1


def test_locked_roundup_refuses_comments_with_403(as_reader, roundup):
    roundup.comments_locked = True
    roundup.save()
    response = as_reader.post(f"/roundups/{roundup.slug}/comments/", {"body": "hello"})
    assert response.status_code == 403
    assert "locked" in response.content.decode()
    assert not Comment.objects.exists()


def test_drafts_and_unknown_roundups_are_404(as_reader, author):
    draft = factories.make_roundup(author=author, published=False)
    assert as_reader.post(f"/roundups/{draft.slug}/comments/", {"body": "x"}).status_code == 404
    assert as_reader.post("/roundups/nope/comments/", {"body": "x"}).status_code == 404
    assert as_reader.get("/comments/999999/").status_code == 404
    assert not Comment.objects.exists()


def test_rate_limit_answers_429_with_a_readable_message(as_reader, roundup, settings):
    settings.COMMENT_RATE_LIMIT = 2
    url = f"/roundups/{roundup.slug}/comments/"
    for i in range(2):
        assert as_reader.post(url, {"body": f"comment {i}"}).status_code == 302
    response = as_reader.post(url, {"body": "one too many"})
    assert response.status_code == 429
    assert "You are posting too fast" in response.content.decode()
    assert Comment.objects.count() == 2


# --- methods, login and CSRF --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["comments/", "lock/"])
def test_roundup_writes_are_post_only(as_reader, roundup, path):
    assert as_reader.get(f"/roundups/{roundup.slug}/{path}").status_code == 405


def test_vote_is_post_only(as_reader, roundup, other_reader):
    comment = post(roundup, other_reader)
    assert as_reader.get(f"/comments/{comment.pk}/vote/").status_code == 405


def test_anonymous_posts_go_to_login_and_come_back_to_the_page(client, roundup, reader):
    comment = post(roundup, reader)
    page = f"/roundups/{roundup.slug}/"
    response = client.post(f"/comments/{comment.pk}/vote/", {"value": 1}, HTTP_REFERER=page)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={page}"
    response = client.post(f"{page}comments/", {"body": "x"}, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=/"  # foreign referers are ignored
    response = client.get(f"/comments/{comment.pk}/reply/")
    assert response["Location"] == f"/accounts/login/?next=/comments/{comment.pk}/reply/"
    assert Comment.objects.count() == 1 and not Vote.objects.exists()


def test_posts_need_a_csrf_token(roundup, reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = client.post(f"/roundups/{roundup.slug}/comments/", {"body": "hello"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


# --- votes --------------------------------------------------------------------------------------


def test_vote_as_json_updates_and_takes_back(as_reader, roundup, other_reader):
    comment = post(roundup, other_reader)
    url = f"/comments/{comment.pk}/vote/"
    none = {"agreement": 0, "agree_votes": 0, "disagree_votes": 0, "axis": "approval"}
    assert as_reader.post(url, {"value": "1"}, **JSON).json() == {
        **none, "score": 1, "upvotes": 1, "downvotes": 0, "value": 1, "strong": False, "weight": 1,
    }  # fmt: skip
    assert as_reader.post(url, {"value": "-1"}, **JSON).json()["score"] == -1
    assert as_reader.post(url, {"value": "0"}, **JSON).json() == {
        **none, "score": 0, "upvotes": 0, "downvotes": 0, "value": 0, "strong": False, "weight": 0,
    }  # fmt: skip
    assert not Vote.objects.exists()


def test_vote_without_json_redirects_to_the_anchor(as_reader, roundup, other_reader):
    comment = post(roundup, other_reader)
    response = as_reader.post(f"/comments/{comment.pk}/vote/", {"value": "1"})
    assert response["Location"] == f"/roundups/{roundup.slug}/#c{comment.pk}"
    assert Vote.objects.get().value == 1


@pytest.mark.parametrize("value", ["2", "up", "", "1.0", "--1"])
def test_bad_vote_values_are_400(as_reader, roundup, other_reader, value):
    comment = post(roundup, other_reader)
    response = as_reader.post(f"/comments/{comment.pk}/vote/", {"value": value}, **JSON)
    assert response.status_code == 400
    assert "A vote is 1 (up), -1 (down) or 0" in response.json()["error"]
    assert not Vote.objects.exists()


def test_no_vote_on_your_own_comment(as_reader, roundup, reader):
    comment = post(roundup, reader)
    response = as_reader.post(f"/comments/{comment.pk}/vote/", {"value": "1"})
    assert response.status_code == 403
    assert "your own comment" in response.content.decode()
    assert not Vote.objects.exists()


# --- edit, delete, history, permalink -----------------------------------------------------------


def test_edit_own_comment(as_reader, roundup, reader):
    comment = post(roundup, reader, "first")
    page = as_reader.get(f"/comments/{comment.pk}/edit/")
    assert page.status_code == 200 and "first</textarea>" in page.content.decode()
    response = as_reader.post(f"/comments/{comment.pk}/edit/", {"body": "second"})
    assert response["Location"] == f"/roundups/{roundup.slug}/#c{comment.pk}"
    comment.refresh_from_db()
    assert comment.text.body == "second" and comment.edited_by == reader
    assert CommentRevision.objects.get().body == "first"


def test_editing_someone_elses_comment_is_403(as_reader, roundup, other_reader):
    comment = post(roundup, other_reader, "theirs")
    assert as_reader.get(f"/comments/{comment.pk}/edit/").status_code == 403
    assert as_reader.post(f"/comments/{comment.pk}/edit/", {"body": "mine"}).status_code == 403
    comment.refresh_from_db()
    assert comment.text.body == "theirs"


def test_empty_edit_is_400(as_reader, roundup, reader):
    comment = post(roundup, reader, "first")
    response = as_reader.post(f"/comments/{comment.pk}/edit/", {"body": ""})
    assert response.status_code == 400
    assert "The comment is empty." in response.content.decode()


def test_delete_own_comment_after_confirming(as_reader, roundup, reader, other_reader):
    comment = post(roundup, reader)
    assert (
        "Delete your comment?" in as_reader.get(f"/comments/{comment.pk}/delete/").content.decode()
    )
    response = as_reader.post(f"/comments/{comment.pk}/delete/")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == Comment.State.DELETED
    theirs = post(roundup, other_reader)
    assert as_reader.get(f"/comments/{theirs.pk}/delete/").status_code == 403
    assert as_reader.post(f"/comments/{theirs.pk}/delete/").status_code == 403


def test_history_for_author_and_moderators_only(client, roundup, reader, other_reader, moderator):
    comment = post(roundup, reader, "first words")
    services.comment_edit(comment=comment, by=reader, body="second words")
    url = f"/comments/{comment.pk}/history/"
    client.force_login(other_reader)
    assert client.get(url).status_code == 403
    for who in (reader, moderator):
        client.force_login(who)
        response = client.get(url)
        assert response.status_code == 200
        assert "first words" in response.content.decode()


def test_permalink_shows_the_subthread_with_a_path_to_the_roundup(
    client, roundup, reader, other_reader
):
    root = post(roundup, reader, "root")
    middle = post(roundup, other_reader, "middle", parent=root)
    leaf = post(roundup, reader, "leaf", parent=middle)
    sibling = post(roundup, reader, "sibling", parent=root)
    response = client.get(reverse("comments:permalink", args=[middle.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/roundups/{roundup.slug}/#comments">{roundup.title}</a>' in html
    assert f'<a href="/comments/{root.pk}/"><span class="ancestor-author">reader</span>' in html
    assert f'id="c{middle.pk}"' in html and f'id="c{leaf.pk}"' in html
    assert f'id="c{root.pk}"' not in html and f'id="c{sibling.pk}"' not in html
    assert 'class="comment is-target"' in html


def test_permalink_path_names_gone_comments_with_the_threads_labels(
    client, roundup, reader, other_reader, moderator
):
    removed = post(roundup, other_reader, "rude")
    deleted = post(roundup, reader, "withdrawn", parent=removed)
    leaf = post(roundup, other_reader, "leaf", parent=deleted)
    services.comment_remove(comment=removed, by=moderator, reason="Rude")
    services.comment_delete(comment=deleted, by=reader)
    html = client.get(reverse("comments:permalink", args=[leaf.pk])).content.decode()
    gone = '<a href="/comments/{}/"><span class="placeholder">{}</span>'
    assert gone.format(removed.pk, "[removed by a moderator]") in html
    assert gone.format(deleted.pk, "[deleted]") in html


def test_the_roundup_page_is_the_threads_view_under_its_old_name(roundup):
    from django.urls import resolve

    from comments.views import roundup_page
    from roundups import views as roundup_views

    assert reverse("roundups:detail", args=[roundup.slug]) == f"/roundups/{roundup.slug}/"
    assert resolve(f"/roundups/{roundup.slug}/").func is roundup_page
    assert resolve("/roundups/new/").func is roundup_views.create  # "new" is not a slug
