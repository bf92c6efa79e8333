"""The inbox, and the buttons that follow, unfollow and mute discussions (no JavaScript needed)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from comments.models import Comment
from forum.errors import ServiceError, add_to_form
from forum.http import login_to_act
from forum.keyset import page_from_request
from roundups.models import Roundup

from . import preferences, services
from .forms import MailPreferencesForm
from .inbox import INBOX_PAGE_SIZE, inbox_entries
from .models import Notification

_FOLLOW_DONE = {
    "watching": "You follow this discussion: every new comment shows in your notifications.",
    "normal": "You no longer follow this discussion; replies to you and mentions still show.",
    "muted": "You muted this discussion: nothing from it shows in your notifications.",
}


@login_to_act
def inbox(request):
    """A reader's notifications, newest first, a keyset page at a time ("newer / older", on
    the ``notification_inbox`` index: no count, and an old page costs what the first does);
    visiting a page marks what it shows read. A cursor we did not make is a 400."""
    notifications = Notification.objects.for_user(request.user).select_related(
        "actor", "roundup", "comment__roundup"
    )
    page = page_from_request(notifications, "created_at", INBOX_PAGE_SIZE, request)
    context = {"page": page, "entries": inbox_entries(page)}
    response = render(request, "notifications/inbox.html", context)
    unread = [note.pk for note in page if not note.is_read]
    if unread:  # after rendering: this visit still shows them as new
        services.mark_read(user=request.user, ids=unread)
    return response


@require_POST
@login_to_act
def read_all(request):
    """Mark every notification read."""
    services.mark_read(user=request.user, everything=True)
    return redirect("notifications:inbox")


@require_POST
@login_to_act
def follow(request, slug):
    """Set the reader's level on a roundup's discussion: watching, normal or muted."""
    roundup = get_object_or_404(Roundup, slug=slug)
    level = request.POST.get("level", "")
    try:
        services.follow_set(user=request.user, roundup=roundup, level=level)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _FOLLOW_DONE[level])
    return redirect(roundup)


@require_http_methods(["GET", "POST"])
@login_to_act
def mute_subthread(request, pk):
    """GET: ask; POST: mute (or, with ``unmute``, unmute) replies below a comment."""
    comment = get_object_or_404(Comment.objects.select_related("roundup", "author"), pk=pk)
    if not comment.roundup.is_published and comment.roundup.author_id != request.user.pk:
        raise Http404("No such comment.")
    if request.method == "GET":
        return render(request, "notifications/mute.html", {"comment": comment})
    muted = "unmute" not in request.POST
    services.subthread_mute(user=request.user, comment=comment, muted=muted)
    messages.success(
        request,
        "Replies below that comment no longer notify you."
        if muted
        else "Replies below that comment notify you again.",
    )
    return redirect(comment.get_absolute_url())


def settings_section(request) -> dict:
    """The settings page's section (registered in apps.py): the reader's mail preferences."""
    return {"form": MailPreferencesForm(initial=preferences.preferences_for(request.user.pk))}


@require_http_methods(["GET", "POST"])
@login_to_act
def mail_preferences(request):
    """``/settings/notifications/``: per kind, immediately, in the daily digest, or never.

    The settings page shows the same form and posts here; a valid post goes back there, a bad
    one is shown here with its errors (400) and saves nothing.
    """
    if request.method == "GET":
        form = MailPreferencesForm(initial=preferences.preferences_for(request.user.pk))
        return render(request, "notifications/mail_preferences.html", {"form": form})
    form = MailPreferencesForm(request.POST)
    if form.is_valid():
        try:
            preferences.preferences_set(user=request.user, choices=form.cleaned_data)
        except ServiceError as error:
            add_to_form(form, error)
        else:
            messages.success(request, "Your mail settings are saved.")
            return redirect(reverse("settings:index") + "#mail")
    return render(request, "notifications/mail_preferences.html", {"form": form}, status=400)
