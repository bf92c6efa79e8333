"""Site-wide response headers, and the refusal of addresses no page can have."""

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from .errors import InvalidInput

# A forum needs none of these; denying them means injected markup cannot even ask for them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header to every response.

    Scripts and styles come only from our own origin and nothing inline runs, so even a sanitizer
    miss in user text cannot execute script.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# C0 controls but tab, newline and carriage return, and DEL. No address or query of this site
# holds one, and a NUL that reaches PostgreSQL is a 500 ("A string literal cannot contain NUL").
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"  # where clients read JSON errors (forum/urls.py mounts the API there)


class RefuseControlCharactersMiddleware:
    """Answers 400 to a request whose path or query, once decoded, holds a control character,
    and drops cookies that hold one.

    Checked once here, before any view, so no view, lookup or search has to guard against them;
    the answer is plain text (JSON ``{"detail"}`` under /api/), as no page is involved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(CONTROL_CHARACTERS.search(text) for text in _address_text(request)):
            return _bad_request(request, InvalidInput("The address holds control characters."))
        # A quoted cookie may spell NUL as "\000", which a server lets through: such a cookie is
        # none of ours, so it is ignored (refusing would lock out a browser that was sent one).
        request.COOKIES = {
            name: value
            for name, value in request.COOKIES.items()
            if not CONTROL_CHARACTERS.search(value)
        }
        return self.get_response(request)


def _address_text(request):
    """The decoded path, then every name and value of the query string."""
    yield request.path
    for name, values in request.GET.lists():
        yield name
        yield from values


def _bad_request(request, error: InvalidInput) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": error.message}, status=error.status)
    return HttpResponse(
        f"Bad request: {error.message}\n",
        status=error.status,
        content_type="text/plain; charset=utf-8",
    )
