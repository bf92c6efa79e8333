"""Site-wide views that belong to no app: the health checks and the API's JSON 404."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
