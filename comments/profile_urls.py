from django.urls import path

from . import profiles

app_name = "users"
urlpatterns = [
    path("<str:username>/", profiles.profile, name="profile"),
]
