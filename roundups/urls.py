from django.urls import path

app_name = "roundups"
urlpatterns: list = []
