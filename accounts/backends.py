"""The authentication backend: Django's ModelBackend, handing out ``SessionUser``.

Sessions store the backend that logged them in, and Django asks that backend for the user on
every request; ours reads the session epoch in the same query (a join), so "log out everywhere"
costs no query of its own.
"""

from django.contrib.auth.backends import ModelBackend

from .models import SessionUser


class SessionEpochBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return None if user is None else SessionUser.of(user)

    def get_user(self, user_id):
        queryset = SessionUser._default_manager.select_related("session_epoch")
        user = queryset.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
