from django.urls import path

from . import views

app_name = "settings"
urlpatterns = [
    path("", views.account_settings, name="index"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
]
