"""Idempotency-Key on the API's POSTs: a retry returns the first response and writes nothing."""

import io
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from comments.models import Comment, Vote
from comments.services import comment_create
from forum.idempotency import StillProcessing
from forum.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def post_comment(client, roundup, body="Retried?", key="key-1", **extra):
    return client.post(
        f"/api/roundups/{roundup.slug}/comments",
        {"body": body, **extra},
        headers={"Idempotency-Key": key} if key else None,
    )


def test_retry_returns_the_same_comment_and_stores_one(as_reader, roundup):
    first = post_comment(as_reader, roundup)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = post_comment(as_reader, roundup)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert json.loads(again.content) == json.loads(first.content)
    assert Comment.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_without_a_key_every_post_is_a_new_comment(as_reader, roundup):
    post_comment(as_reader, roundup, key=None)
    post_comment(as_reader, roundup, key=None)
    assert Comment.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


def test_keys_are_per_user(as_reader, as_other, roundup):
    a = post_comment(as_reader, roundup, key="shared")
    b = post_comment(as_other, roundup, key="shared")
    assert (a.status_code, b.status_code) == (201, 201)
    assert json.loads(a.content)["id"] != json.loads(b.content)["id"]
    assert "Idempotent-Replayed" not in b


def test_same_key_on_a_different_body_is_409_and_writes_nothing(as_reader, roundup):
    post_comment(as_reader, roundup, body="First")
    response = post_comment(as_reader, roundup, body="Something else")
    assert response.status_code == 409
    assert "different request" in json.loads(response.content)["detail"]
    assert Comment.objects.count() == 1


def test_same_key_on_another_endpoint_is_409(as_reader, roundup):
    created = json.loads(post_comment(as_reader, roundup).content)
    response = as_reader.post(
        f"/api/comments/{created['id']}/vote", {"value": 1}, headers={"Idempotency-Key": "key-1"}
    )
    assert response.status_code == 409
    assert Vote.objects.count() == 0


def test_refusals_are_not_kept_so_a_fixed_retry_runs(as_reader, roundup):
    empty = post_comment(as_reader, roundup, body="")
    assert empty.status_code in (400, 422)
    assert IdempotencyKey.objects.count() == 0
    assert post_comment(as_reader, roundup, body="").status_code == empty.status_code
    assert Comment.objects.count() == 0


def test_a_key_in_flight_answers_409_with_retry_after(as_reader, roundup):
    """On PostgreSQL a duplicate that cannot take the key's lock is told so (here simulated)."""
    with mock.patch("forum.idempotency._lock", side_effect=StillProcessing("still processing")):
        response = post_comment(as_reader, roundup)
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "spaces are not allowed", "ünïcode"])
def test_malformed_keys_are_400(as_reader, roundup, key):
    headers = {"Idempotency-Key": key.encode().decode("latin-1")}
    response = as_reader.post(
        f"/api/roundups/{roundup.slug}/comments", {"body": "x"}, headers=headers
    )
    assert response.status_code == 400
    assert "idempotency key" in json.loads(response.content)["detail"]
    assert Comment.objects.count() == 0


def test_expired_keys_run_again_and_are_purged(as_reader, roundup):
    post_comment(as_reader, roundup)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post_comment(as_reader, roundup)
    assert "Idempotent-Replayed" not in response
    assert Comment.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1  # the expired row went, the new one stays


def test_vote_retry_is_replayed(as_reader, roundup, other_reader):
    comment = comment_create(
        roundup=roundup, author=other_reader, body="Vote on me", enforce_rate_limit=False
    )
    for _ in range(2):
        response = as_reader.post(
            f"/api/comments/{comment.pk}/vote", {"value": 1}, headers={"Idempotency-Key": "v1"}
        )
        assert response.status_code == 200
    assert response["Idempotent-Replayed"] == "true"
    assert Vote.objects.get().value == 1


def test_anonymous_post_with_a_key_runs_as_without(anon, roundup):
    response = post_comment(anon, roundup)
    assert response.status_code == 401
    assert IdempotencyKey.objects.count() == 0


def test_write_and_stored_response_share_one_transaction(as_reader, roundup):
    """If storing the response fails, the comment is not kept either: a retry then runs clean."""
    with mock.patch(
        "forum.idempotency.IdempotencyKey.objects.create", side_effect=RuntimeError("disk full")
    ):
        with pytest.raises(RuntimeError):
            post_comment(as_reader, roundup)
    assert Comment.objects.count() == 0
    assert post_comment(as_reader, roundup).status_code == 201
    assert Comment.objects.count() == 1


def test_purge_command_deletes_only_expired_keys(as_reader, as_other, roundup):
    from django.core.management import call_command

    post_comment(as_reader, roundup, key="old")
    post_comment(as_other, roundup, key="fresh")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    call_command("purge_idempotency_keys", stdout=io.StringIO())
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
