from django.contrib import admin
from django.urls import include, path, re_path

from api.api import api
from comments.views import roundup_page
from notifications.views import mail_preferences
from roundups import urls as roundup_urls
from roundups.views import home

from . import views

# A roundup's page is its thread's page, so its view lives in comments (roundups must not import
# comments); it keeps its URL and name here, after "roundups/new/" (a reserved slug).
roundup_patterns = [
    *roundup_urls.urlpatterns[:1],
    path("roundups/<slug:slug>/", roundup_page, name="detail"),
    *roundup_urls.urlpatterns[1:],
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.liveness, name="liveness"),
    path("unsubscribe/<str:token>", views.unsubscribe_view, name="unsubscribe"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("users/", include("comments.profile_urls")),
    path("notifications/", include("notifications.urls")),
    path("settings/notifications/", mail_preferences, name="mail_preferences"),
    path("settings/", include("accounts.settings_urls")),
    path("settings/tokens/", include("api.settings_urls")),
    path("api/", api.urls),
    re_path(r"^api/", views.api_not_found),  # API clients get JSON, not the site's HTML 404
    path("", include("papers.urls")),
    path("", include("notifications.mail_urls")),
    path("", include((roundup_patterns, roundup_urls.app_name))),
    path("", include("comments.urls")),
]

# A database or Redis outage met outside a view is a 503 with Retry-After, not a 500.
handler500 = "forum.outages.server_error"
