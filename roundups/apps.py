from django.apps import AppConfig


class RoundupsConfig(AppConfig):
    name = "roundups"
