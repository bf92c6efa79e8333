from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from .services import revoke_on_password_change
        from .usernames import record_skeleton

        # Signals name the saved class: the session's user is the proxy SessionUser.
        for sender in (settings.AUTH_USER_MODEL, "accounts.SessionUser"):
            post_save.connect(record_skeleton, sender=sender, dispatch_uid=f"skeleton-{sender}")
            post_save.connect(
                revoke_on_password_change, sender=sender, dispatch_uid=f"revoke-{sender}"
            )
