"""What a request answers while the database or Redis is down: 503 with ``Retry-After``.

A dependency that refuses connections is not a bug in the request; a bare 500 tells clients
nothing and hides the outage among real errors. Every path that can meet one ends here: the
middleware (an exception from a view), the site's 500 handler (one from a middleware, such as the
session being saved), and the API's own handler (api/errors.py), so JSON clients under /api/ get
``{"detail"}`` and browsers a short page that needs neither dependency to render.

This is a leaf module: every app may import it, it imports no app.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

# Seconds a client should wait: a database failover or a Redis restart takes a few seconds, and
# clients that retry sooner only add load to a recovering server.
RETRY_AFTER = 5
MESSAGE = "A service the site depends on is briefly unavailable; try again in a few seconds."


def _errors() -> tuple[type[BaseException], ...]:
    # Connection failures only: a redis ResponseError (a bad command) is a bug, not an outage.
    found: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError, TimeoutError
    except ImportError:  # pragma: no cover - redis is a runtime dependency
        return tuple(found)
    return (*found, ConnectionError, TimeoutError)


OUTAGE_ERRORS = _errors()


def is_outage(error: BaseException | None) -> bool:
    """True when ``error`` (or what it was raised from) is a dependency refusing to answer."""
    seen = 0
    while error is not None and seen < 5:  # chained: Django wraps driver errors
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def outage_response(request, error: BaseException | None = None) -> HttpResponse:
    """503 with Retry-After: ``{"detail"}`` under /api/, the standalone 503 page elsewhere."""
    logger.warning("dependency unavailable on %s %s: %r", request.method, request.path, error)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        body = loader.render_to_string("503.html", {"retry_after": RETRY_AFTER})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DependencyOutageMiddleware:
    """Turns a database or Redis connection failure in a view into a 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return outage_response(request, exception)
        return None


def server_error(request):
    """handler500: an outage met outside a view (e.g. saving the session) is still a 503."""
    error = sys.exc_info()[1]  # Django calls the handler inside its ``except`` block
    if is_outage(error):
        return outage_response(request, error)
    return django_server_error(request)
