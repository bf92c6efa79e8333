from django.urls import path

from . import feeds, views

app_name = "roundups"
urlpatterns = [
    # "new" comes before <slug> and is a reserved slug (see models.RESERVED_SLUGS). The roundup's
    # own page (roundups:detail, "roundups/<slug>/") is added right after it by forum/urls.py:
    # it shows the thread, so its view is comments.views.roundup_page.
    path("roundups/new/", views.create, name="create"),
    path("roundups/new/autosave/", views.autosave_new, name="autosave_new"),
    path("roundups/import", views.import_roundup, name="import"),
    path("roundups/<slug:slug>/markdown", views.markdown, name="markdown"),
    path("roundups/<slug:slug>/edit/", views.edit, name="edit"),
    path("roundups/<slug:slug>/preview/", views.preview, name="preview"),
    path("roundups/<slug:slug>/autosave/", views.autosave, name="autosave"),
    path("roundups/<slug:slug>/publish/", views.publish, name="publish"),
    path("roundups/<slug:slug>/schedule/", views.schedule, name="schedule"),
    path("roundups/<slug:slug>/unschedule/", views.unschedule, name="unschedule"),
    path("drafts/", views.drafts, name="drafts"),
    path("series/<slug:slug>/", views.series, name="series"),
    path("series/<slug:slug>/rss/", feeds.SeriesRssFeed(), name="series_rss"),
    path("series/<slug:slug>/atom/", feeds.SeriesAtomFeed(), name="series_atom"),
    path("feeds/rss/", feeds.LatestRssFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.LatestAtomFeed(), name="feed_atom"),
]
