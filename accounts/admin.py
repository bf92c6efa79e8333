"""The admin's user forms refuse look-alike usernames, as sign-up does (accounts/usernames.py)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User

from . import usernames


class _UniqueSkeleton:
    def clean_username(self):
        username = super().clean_username() if hasattr(super(), "clean_username") else None
        username = username or self.cleaned_data.get("username")
        if username and "username" not in self.errors:
            existing = self.instance if self.instance.pk else None
            usernames.check_available(username, exclude_user=existing)
        return username


class UserCreationAdminForm(_UniqueSkeleton, AdminUserCreationForm):
    pass


class UserChangeAdminForm(_UniqueSkeleton, UserChangeForm):
    pass


class AccountUserAdmin(UserAdmin):
    add_form = UserCreationAdminForm
    form = UserChangeAdminForm


admin.site.unregister(User)
admin.site.register(User, AccountUserAdmin)
