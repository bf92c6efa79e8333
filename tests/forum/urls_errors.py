"""A URLconf for the error-page tests: our real URLs plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


def forbidden(request):
    raise PermissionDenied("deliberate")


urlpatterns = [
    path("__boom__/", boom),
    path("__forbidden__/", forbidden),
    path("", include("forum.urls")),
]
