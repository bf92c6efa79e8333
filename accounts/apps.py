from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from .usernames import record_skeleton

        post_save.connect(record_skeleton, sender=settings.AUTH_USER_MODEL, dispatch_uid="skeleton")
