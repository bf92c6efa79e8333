"""Threads and single comments: nesting, sorting, placeholders, writes and their rules."""

import json
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment, CommentText, Karma, ModerationAction, Vote
from comments.services import comment_create, comment_delete, comment_remove, vote_cast
from comments.thread.parts import MAX_PART_COMMENTS
from roundups.models import Roundup
from tests.factories import make_roundup, make_user

from .conftest import client_for

pytestmark = pytest.mark.django_db
COMMENT_KEYS = {
    "id", "parent", "author", "body", "body_html", "score", "upvotes", "downvotes",
    "agreement", "agree_votes", "disagree_votes", "created_at", "edited_at", "state",
    "viewer_votes", "replies",
}  # fmt: skip


def _post(roundup, author, body, parent=None, minutes_ago=0, score=0):
    comment = comment_create(
        roundup=roundup, author=author, body=body, parent=parent, enforce_rate_limit=False
    )
    created = timezone.now() - timedelta(minutes=minutes_ago)
    Comment.objects.filter(pk=comment.pk).update(created_at=created, score=score)
    return comment


def _shape(comments):
    """(body, [children...]) tuples: the tree as the API nests it."""
    return [(c["body"], _shape(c["replies"])) for c in comments]


@pytest.fixture
def thread(roundup, reader, other_reader):
    """
    id   parent  score  age   body
    a    -       1      30m   a
    b    -       5      20m   b
    a1   a       0      25m   a1
    a2   a       3      10m   a2
    a21  a2      0      5m    a21
    """
    a = _post(roundup, reader, "a", minutes_ago=30, score=1)
    b = _post(roundup, other_reader, "b", minutes_ago=20, score=5)
    a1 = _post(roundup, other_reader, "a1", parent=a, minutes_ago=25)
    a2 = _post(roundup, reader, "a2", parent=a, minutes_ago=10, score=3)
    a21 = _post(roundup, other_reader, "a21", parent=a2, minutes_ago=5)
    return {"a": a, "b": b, "a1": a1, "a2": a2, "a21": a21}


def test_thread_nests_and_sorts_siblings_at_every_depth(anon, roundup, thread):
    top = anon.get(f"/api/roundups/{roundup.slug}/comments", {"sort": "top"}).json()
    assert top["count"] == 5
    assert _shape(top["comments"]) == [
        ("b", []),
        ("a", [("a2", [("a21", [])]), ("a1", [])]),
    ]
    old = anon.get(f"/api/roundups/{roundup.slug}/comments", {"sort": "old"}).json()
    assert _shape(old["comments"]) == [
        ("a", [("a1", []), ("a2", [("a21", [])])]),
        ("b", []),
    ]
    first = top["comments"][1]
    assert set(first) == COMMENT_KEYS
    assert first["parent"] is None
    assert first["replies"][0]["parent"] == thread["a"].pk
    assert first["author"] == "reader"
    assert first["body_html"] == "<p>a</p>"
    assert first["state"] == "visible"


@pytest.mark.parametrize("sort", ["top", "new", "old", "best", "hot", "active"])
def test_every_sort_is_accepted(anon, roundup, thread, sort):
    response = anon.get(f"/api/roundups/{roundup.slug}/comments", {"sort": sort})
    assert response.status_code == 200
    assert response.json()["count"] == 5


def test_default_sort_is_top(anon, roundup, thread):
    data = anon.get(f"/api/roundups/{roundup.slug}/comments").json()
    assert data["comments"][0]["body"] == "b"


def test_unknown_sort_is_422(anon, roundup):
    response = anon.get(f"/api/roundups/{roundup.slug}/comments", {"sort": "random"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "sort"]


def test_deleted_and_removed_comments_keep_their_replies_as_placeholders(
    anon, roundup, thread, reader, other_reader, moderator
):
    comment_delete(comment=thread["a2"], by=reader)  # has a visible reply: stays as placeholder
    comment_remove(comment=thread["b"], by=moderator, reason="spam")  # no replies: gone
    data = anon.get(f"/api/roundups/{roundup.slug}/comments", {"sort": "old"}).json()
    assert data["count"] == 3
    assert _shape(data["comments"]) == [("a", [("a1", []), ("", [("a21", [])])])]
    placeholder = data["comments"][0]["replies"][1]
    assert placeholder["state"] == "deleted"
    assert (placeholder["body"], placeholder["body_html"], placeholder["author"]) == ("", "", None)

    comment_remove(comment=thread["a"], by=moderator, reason="off topic")
    removed = anon.get(f"/api/roundups/{roundup.slug}/comments").json()["comments"][0]
    assert (removed["state"], removed["body"]) == ("removed", "")


def test_thread_of_a_draft_is_404_except_to_its_author(anon, author):
    draft = make_roundup(author=author, published=False)
    assert anon.get(f"/api/roundups/{draft.slug}/comments").status_code == 404
    own = client_for(author).get(f"/api/roundups/{draft.slug}/comments")
    assert own.json() == {"count": 0, "comments": [], "next": None}


def test_thread_of_an_unknown_roundup_is_404(anon):
    assert anon.get("/api/roundups/nope/comments").status_code == 404


@pytest.mark.parametrize("size", [5, 100])
def test_thread_is_read_in_a_fixed_number_of_queries(anon, roundup, reader, size):
    """Intended to prevent an n+1 issue: the roundup, then every comment with its author."""
    parents = [None]
    for n in range(size):
        parent = parents[n // 3]  # a bushy tree, several levels deep
        parents.append(_post(roundup, reader, f"c{n}", parent=parent))
    with CaptureQueriesContext(connection) as queries:
        data = anon.get(f"/api/roundups/{roundup.slug}/comments").json()
    assert data["count"] == size
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]


def test_a_deep_chain_does_not_hit_the_recursion_limit(anon, roundup, reader):
    # Written directly with its MPTT fields (one bulk insert): inserting 1100 replies one by one
    # through the service takes half a minute.
    size = 1100  # deeper than Python's default recursion limit (1000)
    base = (Comment.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    tree_id = (Comment.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
    Comment.objects.bulk_create(
        Comment(
            id=base + n, parent_id=base + n - 1 if n else None, roundup=roundup, author=reader,
            tree_id=tree_id, level=n, lft=n + 1, rght=2 * size - n,
        )
        for n in range(size)
    )  # fmt: skip
    CommentText.objects.bulk_create(
        CommentText(comment_id=base + n, body=f"d{n}", body_html=f"<p>d{n}</p>")
        for n in range(size)
    )
    Roundup.objects.filter(pk=roundup.pk).update(comment_count=F("comment_count") + size)
    response = anon.get(f"/api/roundups/{roundup.slug}/comments?limit={MAX_PART_COMMENTS}")
    assert response.status_code == 200
    # The server wrote it without recursing; Python's own decoder does recurse, so give it room.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        data = json.loads(response.content)
    finally:
        sys.setrecursionlimit(limit)
    depth, node = 0, data["comments"][0]
    while node["replies"]:
        node, depth = node["replies"][0], depth + 1
    # A part holds about ``limit`` comments: the chain is cut there, and says what is left.
    shown = MAX_PART_COMMENTS
    assert (data["count"], depth, node["body"]) == (1100, shown - 1, f"d{shown - 1}")
    assert node["more_replies"] == size - shown


# --- one comment ---------------------------------------------------------------------------------


def test_comment_detail_has_its_replies(anon, thread):
    response = anon.get(f"/api/comments/{thread['a2'].pk}")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == COMMENT_KEYS | {"next"}
    assert _shape([data]) == [("a2", [("a21", [])])]
    assert data["parent"] == thread["a"].pk


def test_comment_detail_404s(anon, thread, reader, author):
    assert anon.get("/api/comments/999999").status_code == 404
    comment_delete(comment=thread["a21"], by=make_user_with(thread["a21"]))
    assert anon.get(f"/api/comments/{thread['a21'].pk}").status_code == 404  # nothing left
    comment_delete(comment=thread["a"], by=reader)
    assert anon.get(f"/api/comments/{thread['a'].pk}").json()["state"] == "deleted"


def make_user_with(comment):
    return comment.author


@pytest.mark.parametrize("bad_id", ["0", "-1", str(2**63), str(10**40), "abc", "1.5"])
def test_comment_ids_out_of_range_are_422(anon, bad_id):
    assert anon.get(f"/api/comments/{bad_id}").status_code == 422


def test_comment_on_a_draft_is_404(anon, author, reader):
    roundup = make_roundup(author=author)
    comment = _post(roundup, reader, "before unpublishing")
    roundup.status = roundup.Status.DRAFT
    roundup.save()
    assert anon.get(f"/api/comments/{comment.pk}").status_code == 404
    assert client_for(author).get(f"/api/comments/{comment.pk}").status_code == 200


# --- posting -------------------------------------------------------------------------------------


def test_post_a_comment_and_a_reply(as_reader, roundup):
    url = f"/api/roundups/{roundup.slug}/comments"
    response = as_reader.post(url, {"body": "First *post*"})
    assert response.status_code == 201
    root = response.json()
    assert set(root) == COMMENT_KEYS
    assert (root["body_html"], root["author"], root["replies"]) == (
        "<p>First <em>post</em></p>", "reader", []
    )  # fmt: skip
    reply = as_reader.post(url, {"body": "a reply", "parent": root["id"]}).json()
    assert reply["parent"] == root["id"]
    assert Comment.objects.get(pk=reply["id"]).parent_id == root["id"]


@pytest.mark.parametrize(
    "body,status",
    [
        ({"body": "   "}, 422),
        ({"body": "\x00"}, 400),  # blank once the service drops the NUL
        ({"body": "x" * 10_001}, 400),
        ({"body": "hi", "parent": 999999}, 400),
        ({"body": None}, 422),
        ({"body": 5}, 422),
        ({}, 422),
        ({"body": "hi", "parent": 0}, 422),
        ({"body": "hi", "parent": 2**64}, 422),
        ({"body": "hi", "parent": "one"}, 422),
    ],
)
def test_bad_comments_are_refused(as_reader, roundup, body, status):
    response = as_reader.post(f"/api/roundups/{roundup.slug}/comments", body)
    assert response.status_code == status
    assert "detail" in response.json()


def test_reply_to_a_comment_of_another_roundup_is_400(as_reader, roundup, author, reader):
    elsewhere = _post(make_roundup(author=author), reader, "elsewhere")
    response = as_reader.post(
        f"/api/roundups/{roundup.slug}/comments", {"body": "hi", "parent": elsewhere.pk}
    )
    assert response.status_code == 400


def test_locked_thread_is_403_to_readers(as_reader, roundup):
    roundup.comments_locked = True
    roundup.save()
    response = as_reader.post(f"/api/roundups/{roundup.slug}/comments", {"body": "hi"})
    assert response.status_code == 403
    assert "locked" in response.json()["detail"]


def test_posting_on_a_draft_is_404(author):
    draft = make_roundup(author=author, published=False)
    for client in (client_for(author), client_for(make_user("someone"))):
        response = client.post(f"/api/roundups/{draft.slug}/comments", {"body": "hi"})
        assert response.status_code == 404


def test_posting_too_fast_is_429(as_reader, roundup, settings):
    settings.COMMENT_RATE_LIMIT = 2
    url = f"/api/roundups/{roundup.slug}/comments"
    statuses = [as_reader.post(url, {"body": f"n{n}"}).status_code for n in range(3)]
    assert statuses == [201, 201, 429]


# --- editing -------------------------------------------------------------------------------------


def test_author_edits_own_comment(as_reader, thread):
    response = as_reader.patch(f"/api/comments/{thread['a'].pk}", {"body": "changed"})
    assert response.status_code == 200
    data = response.json()
    assert (data["body"], data["body_html"]) == ("changed", "<p>changed</p>")
    assert data["edited_at"] is not None
    assert len(data["replies"]) == 2


def test_others_cannot_edit(as_other, anon, thread):
    url = f"/api/comments/{thread['a'].pk}"
    assert as_other.patch(url, {"body": "mine now"}).status_code == 403
    assert anon.patch(url, {"body": "mine now"}).status_code == 401


def test_moderator_edits_with_a_reason_only(as_moderator, thread):
    url = f"/api/comments/{thread['a'].pk}"
    assert as_moderator.patch(url, {"body": "tidied"}).status_code == 400
    response = as_moderator.patch(url, {"body": "tidied", "reason": "personal details"})
    assert response.status_code == 200
    assert ModerationAction.objects.get().reason == "personal details"


def test_editing_is_validated(as_reader, thread):
    url = f"/api/comments/{thread['a'].pk}"
    assert as_reader.patch(url, {"body": ""}).status_code == 422
    assert as_reader.patch(url, {"body": "\x00 "}).status_code == 400
    assert as_reader.patch(url, {}).status_code == 422
    assert as_reader.patch(url, {"body": "x", "reason": 5}).status_code == 422
    assert as_reader.patch("/api/comments/999999", {"body": "x"}).status_code == 404


# --- deleting ------------------------------------------------------------------------------------


def test_author_deletes_softly(as_reader, thread):
    response = as_reader.delete(f"/api/comments/{thread['a'].pk}")
    assert response.status_code == 204
    assert response.content == b""
    thread["a"].refresh_from_db()
    assert thread["a"].state == "deleted"
    assert as_reader.delete(f"/api/comments/{thread['a'].pk}").status_code == 400


def test_others_cannot_delete(as_other, anon, thread):
    url = f"/api/comments/{thread['a'].pk}"
    assert as_other.delete(url).status_code == 403
    assert anon.delete(url).status_code == 401
    assert as_other.delete("/api/comments/999999").status_code == 404


def test_moderator_removes_with_a_reason(as_moderator, thread):
    url = f"/api/comments/{thread['a'].pk}"
    assert as_moderator.delete(url).status_code == 400
    assert as_moderator.delete(url + "?reason=spam").status_code == 204
    thread["a"].refresh_from_db()
    assert thread["a"].state == "removed"
    assert ModerationAction.objects.get().reason == "spam"


# --- voting --------------------------------------------------------------------------------------


NO_AGREEMENT = {"agreement": 0, "agree_votes": 0, "disagree_votes": 0}


def test_vote_up_change_and_take_back(as_other, thread):
    """``{"value"}`` alone is an approval vote of normal strength, as before the second axis."""
    url = f"/api/comments/{thread['a'].pk}/vote"
    assert as_other.post(url, {"value": 1}).json() == {
        "score": 2, "upvotes": 1, "downvotes": 0, **NO_AGREEMENT,
        "axis": "approval", "value": 1, "strong": False, "weight": 1,
    }  # fmt: skip
    assert as_other.post(url, {"value": -1}).json()["score"] == 0
    assert as_other.post(url, {"value": 0}).json() == {
        "score": 1, "upvotes": 0, "downvotes": 0, **NO_AGREEMENT,
        "axis": "approval", "value": 0, "strong": False, "weight": 0,
    }  # fmt: skip


def test_vote_on_either_axis_normal_or_strong(as_other, thread, other_reader, reader):
    Karma.objects.create(user=other_reader, value=100)  # a strong vote weighs 3 from 100
    url = f"/api/comments/{thread['a'].pk}/vote"
    agreed = as_other.post(url, {"axis": "agreement", "value": 1, "strong": True}).json()
    assert agreed == {
        "score": 1, "upvotes": 0, "downvotes": 0,
        "agreement": 3, "agree_votes": 1, "disagree_votes": 0,
        "axis": "agreement", "value": 1, "strong": True, "weight": 3,
    }  # fmt: skip
    assert not Karma.objects.filter(user=reader).exists()  # agreement never moves karma
    approved = as_other.post(url, {"axis": "approval", "value": -1, "strong": True}).json()
    assert (approved["score"], approved["agreement"], approved["weight"]) == (-2, 3, 3)
    assert Karma.objects.get(user=reader).value == -2 + 3  # a's score and a2's (3)
    assert set(Vote.objects.values_list("axis", "value", "strong", "weight")) == {
        ("agreement", 1, True, 3),
        ("approval", -1, True, 3),
    }
    as_other.post(url, {"value": 0})  # taken back: karma moves by the vote's weight
    assert Karma.objects.get(user=reader).value == 1 + 3


@pytest.mark.parametrize(
    "body",
    [
        {"value": 1, "axis": "karma"},
        {"value": 1, "axis": None},
        {"value": 1, "strong": "yes"},
        {"value": 1, "strong": 1},  # a boolean, not something like one
        {"axis": "agreement", "strong": True},  # no value
    ],
)
def test_bad_axis_or_strength_is_422_and_writes_nothing(as_other, thread, body):
    response = as_other.post(f"/api/comments/{thread['a'].pk}/vote", body)
    assert response.status_code == 422
    assert not Vote.objects.exists()


def test_comments_carry_both_scores_and_the_readers_own_votes(anon, as_other, roundup, thread):
    a = thread["a"]
    vote_cast(comment=a, user=thread["b"].author, value=-1)
    vote_cast(comment=a, user=thread["b"].author, value=1, axis="agreement", strong=True)
    url = f"/api/roundups/{roundup.slug}/comments"

    def find(data, body):
        return next(c for c in data["comments"] if c["body"] == body)

    seen = find(as_other.get(url).json(), "a")
    assert (seen["score"], seen["agreement"], seen["agree_votes"]) == (0, 1, 1)
    assert seen["viewer_votes"] == {
        "approval": {"value": -1, "strong": False},
        "agreement": {"value": 1, "strong": True},
    }
    assert find(as_other.get(url).json(), "b")["viewer_votes"] == {
        "approval": {"value": 0, "strong": False},
        "agreement": {"value": 0, "strong": False},
    }
    assert find(anon.get(url).json(), "a")["viewer_votes"] is None
    single = as_other.get(f"/api/comments/{a.pk}").json()
    assert single["viewer_votes"]["agreement"] == {"value": 1, "strong": True}
    assert anon.get(f"/api/comments/{a.pk}").json()["viewer_votes"] is None


def test_a_signed_in_thread_read_costs_one_query_more(as_other, roundup, thread):
    """The reader's votes come in one query, whatever the size of the thread: no n+1."""
    with CaptureQueriesContext(connection) as queries:
        as_other.get(f"/api/roundups/{roundup.slug}/comments")
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sum("comments_vote" in sql for sql in sqls) == 1, sqls


def test_the_openapi_schema_documents_both_axes(anon):
    schema = anon.get("/api/openapi.json").json()["components"]["schemas"]
    assert schema["VoteIn"]["properties"]["axis"]["enum"] == ["approval", "agreement"]
    assert schema["VoteIn"]["properties"]["strong"]["type"] == "boolean"
    assert schema["VoteIn"]["required"] == ["value"]
    for name in ("agreement", "agree_votes", "disagree_votes", "viewer_votes"):
        assert name in schema["CommentOut"]["properties"]
    assert {"agreement", "axis", "strong", "weight"} <= set(schema["VoteOut"]["properties"])


def test_vote_rules(as_reader, anon, thread, reader, other_reader):
    url = f"/api/comments/{thread['a'].pk}/vote"
    assert as_reader.post(url, {"value": 1}).status_code == 403  # own comment
    assert anon.post(url, {"value": 1}).status_code == 401
    for bad in ({"value": 2}, {"value": "up"}, {"value": None}, {}):
        assert as_reader.post(url, bad).status_code == 422
    assert as_reader.post("/api/comments/999999/vote", {"value": 1}).status_code == 404
    comment_delete(comment=thread["b"], by=other_reader)
    assert as_reader.post(f"/api/comments/{thread['b'].pk}/vote", {"value": 1}).status_code == 400


def test_a_vote_may_be_written_as_a_float(as_other, thread):
    """JSON Schema counts 1.0 as an integer, so the API does too."""
    response = as_other.post(f"/api/comments/{thread['a'].pk}/vote", {"value": 1.0})
    assert response.json()["value"] == 1


def test_vote_on_a_locked_thread_is_403(as_other, thread, roundup):
    roundup.comments_locked = True
    roundup.save()
    assert as_other.post(f"/api/comments/{thread['a'].pk}/vote", {"value": 1}).status_code == 403


@pytest.mark.parametrize("value", [True, "1", 1.5])
def test_a_vote_is_an_integer_not_something_like_one(as_other, thread, value):
    response = as_other.post(f"/api/comments/{thread['a'].pk}/vote", {"value": value})
    assert response.status_code == 422


def test_vote_counts_show_in_the_thread(anon, roundup, thread, other_reader):
    vote_cast(comment=thread["a"], user=other_reader, value=-1)
    a = next(
        c for c in anon.get(f"/api/roundups/{roundup.slug}/comments").json()["comments"]
        if c["body"] == "a"
    )  # fmt: skip
    assert (a["score"], a["upvotes"], a["downvotes"]) == (0, 0, 1)


@pytest.mark.parametrize("cursor", ["x" * 501, "é" * 20, "a b", "<script>"])
def test_thread_cursor_outside_its_alphabet_or_length_is_422(client, roundup, cursor):
    """A part's cursor is URL-safe base64 and ":" (django.core.signing), at most 500 characters:
    anything else is refused by the schema, and the request line stays far under the server's
    limit (a 1,000-character non-ASCII cursor used to answer 414 from gunicorn)."""
    for path in (f"/api/roundups/{roundup.slug}/comments", "/api/comments/1"):
        response = client.get(path, {"cursor": cursor})
        assert response.status_code == 422, path
