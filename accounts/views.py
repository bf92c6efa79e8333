"""Sign-up, login and the account settings. (A person's public page is comments/profiles.py.)"""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import LoginForm, SignupForm
from .settings_sections import sections_for


@require_http_methods(["GET", "POST"])
def signup(request):
    """Create an account and sign in with it."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except ValidationError as error:  # a look-alike name claimed since the form was checked
            form.add_error("username", error)
            return render(request, "registration/signup.html", {"form": form})
        login(request, user, backend="accounts.backends.SessionEpochBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's login page, with failed tries limited; over the limit, the form says so (429)."""

    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.rate_limited is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.rate_limited.retry_after)
        return response


@login_required
@require_GET
def account_settings(request):
    """The account's settings: password, what other apps add (notification mail), API tokens,
    and "log out everywhere"."""
    return render(request, "accounts/settings.html", {"sections": sections_for(request)})


@login_required
@require_POST
def logout_everywhere(request):
    """End every session of this account, this one included, and revoke its API tokens."""
    services.log_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You are logged out everywhere, and your API tokens are revoked.")
    return redirect("login")
