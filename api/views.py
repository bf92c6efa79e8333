"""The settings page's API tokens: list, create (shown once), revoke. HTML, not JSON."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from forum.errors import ServiceError, add_to_form

from .forms import TokenForm
from .models import ApiToken


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """The user's live tokens; a POST makes one and shows it this once."""
    form = TokenForm(request.POST or None)
    new_token, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = ApiToken.objects.issue(request.user, name=form.cleaned_data["name"])
        except ServiceError as error:
            add_to_form(form, error)
            status = error.status
        else:
            form = TokenForm()
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user).live(),
        "idle_days": settings.API_TOKEN_IDLE_DAYS,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request, token_id):
    """Revoke one of the user's tokens (another user's is a 404)."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    messages.success(request, f"Token “{token.name or token.pk}” is revoked.")
    return redirect("tokens:list")
