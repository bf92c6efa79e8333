"""Site-wide views that belong to no app: health checks, the API's JSON 404, unsubscribe links."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from forum import mail
from forum.errors import ServiceError


def api_not_found(request):
    """Any /api/ address no endpoint answers: the API's JSON error, not the site's 404 page."""
    return JsonResponse({"detail": "No such API endpoint."}, status=404)


def _probe(check) -> str:
    """The string "ok", or the class of the error ``check`` raised (never its message)."""
    try:
        check()
    except Exception as exc:  # any failure of a dependency means "not ready"
        return exc.__class__.__name__
    return "ok"


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    # A read is enough: a Redis (or cache table) that answers a GET answers the writes too.
    cache.get("healthz-probe")


@never_cache
@require_GET
def healthz(request):
    """Readiness: 200 when the database and the cache answer, 503 naming what does not."""
    checks = {"database": _probe(_database), "cache": _probe(_cache)}
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", **checks}, status=200 if ready else 503
    )


@never_cache
@require_GET
def liveness(request):
    """Liveness: the process answers. No dependency is asked, so an outage never restarts it."""
    return JsonResponse({"status": "ok"})


@csrf_exempt  # mail clients POST one-click with no session or CSRF token; the token is the key
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token: str):
    """``/unsubscribe/<token>``: GET shows what the link stops; POST stops it (RFC 8058).

    Works without signing in. A bad token is a 400 page that says so; a POST never needs more
    than the token, so a mail client's ``List-Unsubscribe=One-Click`` request succeeds.
    """
    try:
        handler, subject, arg = mail.read_token(token)
        if request.method == "POST":
            done = handler.apply(subject, arg)
            if request.POST.get("List-Unsubscribe") == "One-Click":  # a mail client, not a person
                return HttpResponse(done, content_type="text/plain; charset=utf-8")
            return render(request, "unsubscribe.html", {"done": done})
        return render(request, "unsubscribe.html", {"describe": handler.describe(subject, arg)})
    except ServiceError as error:
        return render(request, "unsubscribe.html", {"error": error.message}, status=error.status)
