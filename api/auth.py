"""Who is calling: a bearer token, or the browser's session (with CSRF on unsafe methods).

Write endpoints declare ``auth=WRITE_AUTH``; ninja tries the token first, then the session, and
answers 401 when neither names a user. Read endpoints take no ``auth`` (anyone may read) and call
``reader(request)`` to learn who is asking, since drafts are shown to their author.

A token that is sent but unknown is a 401 even on a read: a client with a revoked token should
find out, not silently read as a guest.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import CsrfViewMiddleware
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer

from .models import ApiToken

# Bearer tokens longer than this are not ours (ours are 43 characters); refuse before hashing.
TOKEN_MAX_LENGTH = 200


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def authenticate(self, request, token):
        return _user_for_token(request, token)


class SessionWithCsrf(APIKeyCookie):
    """The logged-in browser session; unsafe methods must carry the CSRF token.

    Unlike ninja's ``SessionAuth``, a request with no session is a 401 (no credentials), not a
    CSRF 403: CSRF only matters once a session would authorize the request.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)  # checked below, only for logged-in sessions

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            reason = _csrf_failure(request)
            if reason is not None:
                raise HttpError(403, f"CSRF check failed: {reason}")
        return user


WRITE_AUTH = [BearerToken(), SessionWithCsrf()]
TOKEN_AUTH = [BearerToken()]


def reader(request):
    """The user behind a read: token user, session user, or anonymous."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError(message="Use 'Authorization: Bearer <token>'.")
        user = _user_for_token(request, token.strip())
        if user is None:
            raise AuthenticationError(message="Unknown or revoked token.")
        return user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return user
    return AnonymousUser()


def _user_for_token(request, token):
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    row = ApiToken.objects.active_for(token)
    if row is None or not row.user.is_active:
        return None
    row.touch()
    request.api_token = row
    # The services and permission checks read request.user; make it the token's user.
    request.user = row.user
    return row.user


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering with the reason instead of an HTML page."""

    def _reject(self, request, reason):
        return reason


def _csrf_failure(request):
    """Why the request fails CSRF, or None (ninja marks its views exempt from the middleware)."""
    checker = _CsrfCheck(lambda req: None)
    checker.process_request(request)
    return checker.process_view(request, None, (), {})
