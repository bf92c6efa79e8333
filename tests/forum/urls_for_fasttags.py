"""A URLconf of one name, for tests/forum/test_fasttags.py: an override must be seen."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/home/", lambda request: HttpResponse("x"), name="home")]
