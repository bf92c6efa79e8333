import logging

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User

from forum.errors import RateLimited
from forum.text import CleanTextMixin

from . import login_limits, usernames

log = logging.getLogger(__name__)


class SignupForm(CleanTextMixin, UserCreationForm):
    """Username, email and password. Email is required: it is how a forgotten password is reset."""

    email = forms.EmailField(
        required=True, help_text="Only used to reset your password; never shown."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_username(self):
        username = super().clean_username()
        if username and "username" not in self.errors:  # an exact match says so already
            usernames.check_available(username)
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        # Password reset mails every account with the address; one account per address keeps
        # "reset my password" unambiguous.
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class LoginForm(AuthenticationForm):
    """Django's login form, with failed tries limited as the API's are (accounts/login_limits.py).

    ``rate_limited`` holds the refusal, so the view can answer 429 with ``Retry-After``.
    """

    rate_limited: RateLimited | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        try:
            login_limits.check(self.request, username)
        except RateLimited as error:
            self.rate_limited = error
            raise forms.ValidationError(error.message, code="rate_limited") from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_limits.failed(self.request, username)
            raise
        login_limits.succeeded(self.request, username)
        return cleaned


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending nothing past the limits in accounts/login_limits.py."""

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        if request is not None and not login_limits.reset_mail_allowed(request, email):
            log.info("Password reset mail not sent: over the limit")
            return
        super().save(*args, request=request, **kwargs)
