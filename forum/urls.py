from django.contrib import admin
from django.urls import include, path, re_path

from api.api import api
from roundups.views import home

from . import views

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.liveness, name="liveness"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("users/", include("comments.profile_urls")),
    path("settings/", include("accounts.settings_urls")),
    path("settings/tokens/", include("api.settings_urls")),
    path("api/", api.urls),
    re_path(r"^api/", views.api_not_found),  # API clients get JSON, not the site's HTML 404
    path("", include("papers.urls")),
    path("", include("roundups.urls")),
    path("", include("comments.urls")),
]

# A database or Redis outage met outside a view is a 503 with Retry-After, not a 500.
handler500 = "forum.outages.server_error"
