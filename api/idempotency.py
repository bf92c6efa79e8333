"""``Idempotency-Key`` on the API's POSTs: a retried write returns the first response.

A middleware rather than a decorator per endpoint: the stored response must be the bytes the
client got (ninja serializes after the endpoint returns), and every POST, present and future,
gets it without a line in its endpoint. The mechanism is ``forum.idempotency``, shared with the
site's comment forms; this only finds the caller (token or session, as ``auth.reader`` does) and
answers refusals as the API does, ``{"detail"}``.

Keys are per user: a request without credentials (getting a token) has no one to keep the key for,
and runs as if no key were sent.
"""

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from ninja.errors import AuthenticationError

from forum.errors import ServiceError
from forum.idempotency import fingerprint, run_once
from forum.outages import OUTAGE_ERRORS, outage_response

from .auth import reader

HEADER = "Idempotency-Key"


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self._respond(request)
        except OUTAGE_ERRORS as error:
            # Met outside the view (finding the token, the transaction's commit): answered here
            # as the view's are, rather than logged as a crash by Django's handler.
            return outage_response(request, error)

    def _respond(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            user = reader(request)
        except AuthenticationError:
            user = None  # a bad token: the endpoint answers its 401
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        try:
            body = request.body
        except SuspiciousOperation:
            return self.get_response(request)  # too big: the API's own handler says so
        try:
            return run_once(
                user=user,
                key=key,
                method_path=f"POST {request.path}",
                request_hash=fingerprint("POST", request.path, body),
                respond=lambda: self.get_response(request),
                wait=False,
            )
        except ServiceError as error:
            response = JsonResponse({"detail": error.message}, status=error.status)
            if getattr(error, "retry_after", None) is not None:
                response["Retry-After"] = str(error.retry_after)
            return response
