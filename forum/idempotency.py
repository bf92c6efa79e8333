"""Writes that a retry cannot repeat: the ``Idempotency-Key`` of the API and the site's forms.

A client whose connection dropped cannot tell whether its write was stored; retrying blindly
posts twice. So a write may carry a key the client made up (the API's ``Idempotency-Key`` header,
the hidden ``idempotency_key`` field of the comment forms). The first successful response to it is
kept per (user, key) for ``LIFETIME``; a repeat gets that response back, marked
``Idempotent-Replayed: true``, and nothing runs again.

The response is stored in the same transaction as the write, so either both are there or
neither is: a worker killed mid-request, or a database that went away, leaves no half-done key,
and the retry simply runs. While the first request is still running, a duplicate either waits for
it and replays its answer (the site's forms: a double click should just work) or is told 409 with
``Retry-After`` (the API, as its clients retry anyway); on PostgreSQL an advisory lock on the
(user, key) tells the two apart, and on SQLite, whose transactions take the write lock when they
begin, the duplicate always waits. Refusals (4xx, 5xx) are not stored: they wrote nothing, and a
retry after a 503 must be able to succeed.

This is a leaf module: every app may import it, it imports no app.
"""

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from .errors import Conflict, InvalidInput
from .models import IdempotencyKey

logger = logging.getLogger(__name__)

LIFETIME = timedelta(hours=24)  # a client retries within minutes; a day covers a long outage
KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII; 255 as Stripe (a UUID is 36)
FIELD = "idempotency_key"  # the hidden field of the site's forms
LOCK_NAMESPACE = 0x49_44_45_4D  # "IDEM": (namespace, hash of user and key) advisory locks
REPLAYED_HEADER = "Idempotent-Replayed"
IN_FLIGHT_RETRY_AFTER = 1  # seconds: the first request is about to finish


class StillProcessing(Conflict):
    """The same key's first request has not finished (409); retry after ``retry_after``."""

    retry_after = IN_FLIGHT_RETRY_AFTER


def fingerprint(method: str, path: str, payload: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), payload])).hexdigest()


def run_once(*, user, key: str, method_path: str, request_hash: str, respond, wait: bool):
    """``respond()``'s response, or the stored one when ``key`` already has it.

    Raises InvalidInput for a malformed key, Conflict for a key used on another request, and
    StillProcessing when ``wait`` is false and the key's first request is still running.
    """
    if not KEY_SHAPE.fullmatch(key):
        raise InvalidInput("An idempotency key is 1 to 255 visible ASCII characters.")
    with transaction.atomic():
        _lock(user.pk, key, wait=wait)
        cutoff = timezone.now() - LIFETIME
        row = IdempotencyKey.objects.filter(user=user, key=key, created_at__gte=cutoff).first()
        if row is not None:
            return _replay(row, method_path, request_hash)
        response = respond()
        if 200 <= response.status_code < 400 and not response.streaming:
            _store(user, key, method_path, request_hash, response, cutoff)
        return response


def lock_id(user_id: int, key: str) -> int:
    """The second half of the (LOCK_NAMESPACE, id) advisory lock on one user's key."""
    digest = hashlib.sha256(f"{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def _lock(user_id: int, key: str, *, wait: bool) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: this transaction began with the database's write lock
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_NAMESPACE, lock_id(user_id, key)])
        acquired = cursor.fetchone()[0]
    if not wait and not acquired:
        raise StillProcessing("A request with this idempotency key is still being processed.")


def _replay(row: IdempotencyKey, method_path: str, request_hash: str) -> HttpResponse:
    if (row.method_path, row.request_hash) != (method_path, request_hash):
        raise Conflict(
            "This idempotency key was already used for a different request; "
            "use a new key for a new request."
        )
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    if row.location:
        response["Location"] = row.location
    response[REPLAYED_HEADER] = "true"
    return response


def _store(user, key, method_path, request_hash, response, cutoff) -> None:
    # Expired keys of this user go first (a reused expired key among them), so the table
    # holds about a day of each writer's keys; `purge_idempotency_keys` clears the rest.
    IdempotencyKey.objects.filter(user=user, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                method_path=method_path,
                request_hash=request_hash,
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                location=response.get("Location", ""),
                body=response.content,
            )
    except IntegrityError as error:
        # A duplicate got past the lock and stored first: raising undoes this request's write.
        raise StillProcessing(
            "A request with this idempotency key is still being processed."
        ) from error


def idempotent_form(view):
    """For a signed-in user's form POST: a resubmission with the same hidden key gets the first
    answer (the redirect to the comment already made) instead of posting again. A ``preview``
    POST (the comment box's Preview button) is passed through unkept."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        # A form's "Preview" button writes nothing: its page is not kept, so the real post
        # with the same key still runs.
        if not key or not request.user.is_authenticated or "preview" in request.POST:
            return view(request, *args, **kwargs)
        sent = sorted(
            (name, value)
            for name, values in request.POST.lists()
            if name not in (FIELD, "csrfmiddlewaretoken")  # the CSRF mask changes per page
            for value in values
        )
        method_path = f"POST {request.path}"
        try:
            return run_once(
                user=request.user,
                key=key,
                method_path=method_path,
                request_hash=fingerprint("POST", request.path, repr(sent).encode()),
                respond=lambda: view(request, *args, **kwargs),
                wait=True,
            )
        except (InvalidInput, Conflict) as error:
            if "application/json" in request.headers.get("Accept", ""):
                return JsonResponse({"error": error.message}, status=error.status)
            return HttpResponse(error.message, status=error.status, content_type="text/plain")

    return wrapper


def new_key() -> str:
    """A fresh key for a form about to be rendered."""
    return secrets.token_urlsafe(16)
