"""Site-wide views: the home page and the health checks."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from roundups.models import Roundup

HOME_PAGE_SIZE = 20  # a few months of weekly roundups per page


@require_GET
def home(request):
    """Published roundups, newest first, paginated."""
    roundups = Roundup.objects.published().with_counts().select_related("series", "author")
    page = Paginator(roundups, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "forum/home.html", {"page": page, "roundups": page.object_list})


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
