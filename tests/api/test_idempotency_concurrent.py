"""Idempotency-Key under real concurrency on PostgreSQL: a duplicate in flight never runs twice.

Real threads with their own connections, and real commits, as in tests/comments/test_concurrency.py.
"""

import json
import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from api.models import ApiToken
from comments.models import Comment
from forum.idempotency import LOCK_NAMESPACE, lock_id
from forum.models import IdempotencyKey
from tests.api.conftest import ApiClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.IS_POSTGRES,
        reason="SQLite has one writer at a time (BEGIN IMMEDIATE); a duplicate simply waits",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DUPLICATES = 6


def post(client, roundup, key):
    return client.post(
        f"/api/roundups/{roundup.slug}/comments",
        {"body": "Sent by a client that retries hard"},
        headers={"Idempotency-Key": key},
    )


def test_a_duplicate_while_the_first_holds_the_key_is_409_with_retry_after(roundup, reader):
    _, token = ApiToken.objects.issue(reader)
    client = ApiClient(token)
    holding, release = threading.Event(), threading.Event()

    def first_request_in_flight():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [LOCK_NAMESPACE, lock_id(reader.pk, "busy")],
                )
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_request_in_flight)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        response = post(client, roundup, "busy")
    finally:
        release.set()
        thread.join()
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert "still being processed" in json.loads(response.content)["detail"]
    assert Comment.objects.count() == 0
    assert post(client, roundup, "busy").status_code == 201  # once the first is done


def test_simultaneous_duplicates_store_one_comment(roundup, reader):
    _, token = ApiToken.objects.issue(reader)
    barrier = threading.Barrier(DUPLICATES)
    answers, lock = [], threading.Lock()

    def send():
        try:
            barrier.wait(timeout=30)
            response = post(ApiClient(token), roundup, "same-key")
            body = json.loads(response.content)
            with lock:
                answers.append((response.status_code, body.get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(DUPLICATES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == DUPLICATES
    assert {status for status, _ in answers} <= {201, 409}
    created = {pk for status, pk in answers if status == 201}
    assert len(created) == 1  # every 201, first or replayed, names the same comment
    assert Comment.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
