"""Roundup pages: the home page, series, writing, previewing and publishing.

A roundup's own page shows its thread, so it lives with the thread in ``comments.views``
(``roundup_page``); ``forum/urls.py`` keeps it under this app's URL names.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import author_required
from forum.errors import ServiceError
from forum.keyset import page_from_request

from .forms import PaperEntryFormSet, RoundupForm, show_service_error
from .models import Roundup, Series
from .services import roundup_create, roundup_publish, roundup_update

HOME_PAGE_SIZE = 20  # a few months of weekly roundups per page
SERIES_PAGE_SIZE = 50  # a year of weekly roundups on one page


def _editable_roundup(request, slug):
    """The roundup at ``slug`` if the user may edit it: 404 if they cannot see it, else 403."""
    roundup = get_object_or_404(Roundup.objects.visible_to(request.user), slug=slug)
    if not roundup.can_edit(request.user):
        raise PermissionDenied("You can only edit your own roundups.")
    return roundup


@require_GET
def home(request):
    """The site's front page: published roundups, newest first, "newer / older" (keyset)."""
    roundups = Roundup.objects.published().for_list()
    page = page_from_request(roundups, "published_at", HOME_PAGE_SIZE, request)
    return render(request, "roundups/home.html", {"page": page, "roundups": page.object_list})


@require_GET
def series(request, slug):
    """A series and its published roundups, newest first."""
    the_series = get_object_or_404(Series, slug=slug)
    roundups = Roundup.objects.published().filter(series=the_series).for_list()
    page = page_from_request(roundups, "published_at", SERIES_PAGE_SIZE, request)
    return render(
        request,
        "roundups/series.html",
        {"series": the_series, "page": page, "roundups": page.object_list},
    )


def _edit_form(request, roundup):
    """Create and edit share this: validate both forms, then one service call saves both or
    nothing; its refusals come back on the form."""
    instance = roundup or Roundup()
    form = RoundupForm(request.POST or None, instance=instance)
    formset = PaperEntryFormSet(request.POST or None, instance=instance, prefix="entries")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = _save(request.user, roundup, form, formset)
        except ServiceError as error:
            show_service_error(form, formset, error)
        else:
            if request.POST.get("action") == "preview":
                return redirect("roundups:preview", saved.slug)
            messages.success(request, "Saved." if saved.is_published else "Draft saved.")
            return redirect("roundups:edit", saved.slug)
    context = {"form": form, "formset": formset, "roundup": roundup}
    return render(request, "roundups/form.html", context)


def _save(user, roundup, form, formset) -> Roundup:
    """The valid forms' data to the services: a new roundup, or the changes to ``roundup``."""
    fields = {name: form.cleaned_data[name] for name in RoundupForm.Meta.fields}
    if roundup is None:
        return roundup_create(author=user, entries=formset.entries(), **fields)
    return roundup_update(roundup=roundup, by=user, entries=formset.entries(), **fields)


@author_required
@require_http_methods(["GET", "POST"])
def create(request):
    """Write a new roundup; it starts as a draft."""
    return _edit_form(request, None)


@author_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    """Edit a roundup and its papers."""
    return _edit_form(request, _editable_roundup(request, slug))


@author_required
@require_GET
def preview(request, slug):
    """The roundup exactly as readers will see it, with a banner while it is a draft."""
    roundup = _editable_roundup(request, slug)
    roundup = Roundup.objects.for_page().get(pk=roundup.pk)
    return render(
        request, "roundups/preview.html", {"roundup": roundup, "entries": roundup.entries.all()}
    )


@author_required
@require_POST
def publish(request, slug):
    """Publish a draft (POST)."""
    roundup = _editable_roundup(request, slug)
    try:
        roundup = roundup_publish(roundup=roundup, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("roundups:preview", roundup.slug)
    messages.success(request, "Published.")
    return redirect(roundup)
