"""Sign-up and the public user page."""

from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from comments.karma import karma_for
from comments.models import Comment
from roundups.models import Roundup, published_filter

from .forms import SignupForm

RECENT_COMMENTS = 50  # enough to get a feel for someone; the thread pages have the rest
PROFILE_ROUNDUPS = 100  # a couple of years of weekly roundups


@require_http_methods(["GET", "POST"])
def signup(request):
    """Create an account and sign in with it."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@require_GET
def profile(request, username):
    """A user's published roundups, karma and recent visible comments."""
    person = get_object_or_404(get_user_model(), username=username, is_active=True)
    roundups = Roundup.objects.published().filter(author=person).with_counts()
    roundups = roundups.select_related("series")[:PROFILE_ROUNDUPS]
    comments = (
        Comment.objects.filter(
            published_filter("roundup__"), author=person, state=Comment.State.VISIBLE
        )
        .select_related("roundup", "text")
        .order_by("-created_at")[:RECENT_COMMENTS]
    )
    context = {
        "person": person,
        "roundups": roundups,
        "comments": comments,
        "karma": karma_for([person.pk])[person.pk],
    }
    return render(request, "accounts/profile.html", context)
