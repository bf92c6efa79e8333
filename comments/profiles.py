"""A person's public page: their published roundups, karma and recent comments.

It lives with the comments, the highest of the apps it reads (roundups and accounts sit below),
so that accounts never imports what is built on it.
"""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from roundups.models import Roundup, published_filter

from .karma import karma_for
from .models import Comment

RECENT_COMMENTS = 50  # enough to get a feel for someone; the thread pages have the rest
PROFILE_ROUNDUPS = 100  # a couple of years of weekly roundups
PROFILE_DRAFTS = 20  # the ones in hand; /drafts/ pages through the rest


@require_GET
def profile(request, username):
    """A user's published roundups, karma and recent visible comments."""
    person = get_object_or_404(get_user_model(), username=username, is_active=True)
    roundups = Roundup.objects.published().filter(author=person).for_list()[:PROFILE_ROUNDUPS]
    comments = (
        Comment.objects.filter(
            published_filter("roundup__"), author=person, state=Comment.State.VISIBLE
        )
        .select_related("roundup", "text")
        .order_by("-created_at", "-pk")[:RECENT_COMMENTS]  # on comment_author_time_idx
    )
    context = {
        "person": person,
        "roundups": roundups,
        "comments": comments,
        "karma": karma_for([person.pk])[person.pk],
        # Drafts are their author's alone until published: not even staff or other authors see
        # them here (staff find every draft in the admin). One query, for the owner only.
        "drafts": _own_drafts(request.user, person),
    }
    return render(request, "comments/profile.html", context)


def _own_drafts(viewer, person):
    if not viewer.is_authenticated or viewer.pk != person.pk:
        return []
    return list(Roundup.objects.drafts_of(person)[:PROFILE_DRAFTS])
