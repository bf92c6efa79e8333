"""View helpers every app shares. A leaf: it imports no app."""

from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme


def wants_json(request) -> bool:
    """The page's script asks for JSON (``Accept: application/json``); a browser gets HTML."""
    return "application/json" in request.headers.get("Accept", "")


def login_to_act(view):
    """Anonymous users go to login, and come back to the page they were on (not to a POST URL)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if wants_json(request):
            return JsonResponse({"error": "Log in to do that."}, status=403)
        target = request.get_full_path()
        if request.method != "GET":
            referer = request.headers.get("Referer", "")
            ok = url_has_allowed_host_and_scheme(referer, {request.get_host()})
            parts = urlsplit(referer)
            target = (parts.path + (f"?{parts.query}" if parts.query else "")) if ok else "/"
        return redirect_to_login(target)

    return wrapper
