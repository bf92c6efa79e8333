"""Series mail URLs, at the site's root (``forum/urls.py`` puts them before the roundups')."""

from django.urls import path

from . import mail_views

app_name = "series_mail"
urlpatterns = [
    path("series/<slug:slug>/subscribe/", mail_views.subscribe, name="subscribe"),
    path("series/<slug:slug>/unsubscribe/", mail_views.unsubscribe, name="unsubscribe"),
    path("series/<slug:slug>/confirm/<str:token>/", mail_views.confirm, name="confirm"),
    path(
        "roundups/<slug:slug>/deliveries/resend/",
        mail_views.resend_unknown,
        name="resend_unknown",
    ),
]
