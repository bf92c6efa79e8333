"""The authentication backend: Django's ModelBackend, handing out ``SessionUser``.

Sessions store the backend that logged them in, and Django asks that backend for the user on
every request; ours reads the session epoch in the same query (a join), so "log out everywhere"
costs no query of its own. A signed-in reader's permissions (every page asks, for the roles'
links: ``accounts/roles.py``) are read in one query, not ModelBackend's two.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from .models import SessionUser


class SessionEpochBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return None if user is None else SessionUser.of(user)

    def get_user(self, user_id):
        queryset = SessionUser._default_manager.select_related("session_epoch")
        user = queryset.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """ModelBackend's answer, its two queries (the user's own permissions, then their
        groups') made one UNION; kept on the user for the request, as ModelBackend keeps it."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:  # every permission: ModelBackend's own query
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            names = ("content_type__app_label", "codename")
            own = Permission.objects.filter(user=user_obj).order_by().values_list(*names)
            from_groups = (
                Permission.objects.filter(group__user=user_obj).order_by().values_list(*names)
            )
            user_obj._perm_cache = {f"{app}.{name}" for app, name in own.union(from_groups)}
        return user_obj._perm_cache
