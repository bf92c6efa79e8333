from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.read_all, name="read_all"),
    path("follow/<slug:slug>/", views.follow, name="follow"),
    path("mute/<int:pk>/", views.mute_subthread, name="mute"),
]
