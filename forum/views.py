"""Site-wide views: the home page and the health check."""

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


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})
