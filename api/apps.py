from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "JSON API"

    def ready(self):
        from accounts.signals import credentials_revoked

        from .models import revoke_tokens

        credentials_revoked.connect(revoke_tokens, dispatch_uid="api-revoke-tokens")
