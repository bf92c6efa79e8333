"""Site-wide views that belong to no app: the health check and the API's JSON 404."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
