"""Roundup pages: the home page, series, writing, previewing and publishing.

A roundup's own page shows its thread, so it lives with the thread in ``comments.views``
(``roundup_page``); ``forum/urls.py`` keeps it under this app's URL names.
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import author_required
from forum.errors import Conflict, InvalidInput, NotAllowed, ServiceError, add_to_form
from forum.http import login_to_act
from forum.keyset import page_from_request
from forum.text import clean_text

from . import autosave as autosaving
from . import paste
from .crosspost import to_markdown
from .forms import (
    ImportForm,
    PaperEntryFormSet,
    PasteForm,
    RoundupForm,
    ScheduleForm,
    show_service_error,
)
from .importing import roundup_import
from .models import Roundup, Series
from .services import (
    roundup_create,
    roundup_publish,
    roundup_schedule,
    roundup_unschedule,
    roundup_update,
)

HOME_PAGE_SIZE = 20  # a few months of weekly roundups per page
SERIES_PAGE_SIZE = 50  # a year of weekly roundups on one page
# One author's drafts, ordered by two columns (scheduled soonest first, then last changed), so
# numbered pages rather than keyset ones: the count is of one author's drafts, never the site's.
DRAFTS_PAGE_SIZE = 50  # more drafts than a year of weekly roundups is a backlog to clear


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
    """Create and edit share this: validate the forms, then one service call saves them all or
    nothing; its refusals come back on the forms. Papers pasted in the paste box are added after
    the save (``_add_pasted``). A draft's page also has its publish time (``ScheduleForm``)."""
    # The form writes its input onto its instance as it validates: a copy, so the page's own
    # links (preview, restore) keep the saved slug when the input is refused.
    instance = copy.copy(roundup) if roundup is not None else Roundup()
    autosave_context = _autosave_context(request, roundup)
    data = request.POST or autosave_context.pop("restored_data", None)
    form = RoundupForm(data, instance=instance)
    formset = PaperEntryFormSet(data, instance=instance, prefix="entries")
    paste_form = PasteForm(data)
    schedule_form = None
    if roundup is not None and not roundup.is_published:
        schedule_form = ScheduleForm(data, roundup=roundup)
    if request.method == "POST" and _stale(request, autosave_context):
        form.add_error(None, STALE_FORM)
    if request.method == "POST" and _all_valid(form, formset, schedule_form):
        paste_form.is_valid()
        try:
            sent = request.POST.get("autosave_version", "")
            saved = _save(request.user, roundup, form, formset, schedule_form, version=sent)
        except ServiceError as error:
            if isinstance(error, Conflict) and roundup is not None:
                # Another tab's save landed meanwhile: the page now carries its version, so
                # saving again is the reader's deliberate choice (as after ``_stale``).
                fresh = Roundup.objects.get(pk=roundup.pk)
                version = autosaving.version_of(fresh, autosaving.slot_of(fresh))
                autosave_context["autosave_version"] = version
            rest = _on_schedule_form(schedule_form, error)
            if rest is not None:
                show_service_error(form, formset, rest)
        else:
            return _after_save(request, saved, paste_form)
    context = {
        "form": form,
        "formset": formset,
        "paste_form": paste_form,
        "schedule_form": schedule_form,
        "roundup": roundup,
        **autosave_context,
    }
    return render(request, "roundups/form.html", context)


STALE_FORM = (
    "This roundup was changed in another tab or window since this page loaded, so nothing was "
    "saved. Your text is below: save again to replace the newer version with it."
)


def _stale(request, autosave_context) -> bool:
    """A save from a page loaded before the roundup's latest save (explicit or automatic):
    it must not silently replace the newer text. A form without the token (an old page, a
    script) is not checked."""
    sent = request.POST.get("autosave_version", "")
    return bool(sent) and sent != autosave_context["autosave_version"]


def _autosave_context(request, roundup):
    """The form's autosave address, interval and version; the slot kept aside, offered for
    restoring, and its data when ``?restore`` asks for it (bound to the forms, not saved)."""
    if roundup is None:
        return {
            "autosave_url": reverse("roundups:autosave_new"),
            "autosave_interval": autosaving.INTERVAL_MS,
            "autosave_version": "",
        }
    slot = autosaving.slot_of(roundup)  # one query: the offer to restore needs it
    context = {
        "autosave_url": reverse("roundups:autosave", args=[roundup.slug]),
        "autosave_interval": autosaving.INTERVAL_MS,
        "autosave_version": autosaving.version_of(roundup, slot),
        "autosave_slot": slot,
    }
    if slot is not None and request.method == "GET" and "restore" in request.GET:
        restored = QueryDict(mutable=True)
        for name, values in slot.data.items():
            restored.setlist(name, values)
        context.update(restored_data=restored, autosave_restored=True)
    return context


def _all_valid(*forms) -> bool:
    """Validate every form given (so each shows its errors); None stands for no form."""
    return all([form.is_valid() for form in forms if form is not None])


def _on_schedule_form(schedule_form, error: ServiceError) -> ServiceError | None:
    """Put a refusal of the publish time on the schedule form; the rest of the error, if any."""
    if schedule_form is None or "publish_at" not in error.fields:
        return error
    for message in error.fields["publish_at"]:
        schedule_form.add_error("publish_at", message)
    rest = {name: messages for name, messages in error.fields.items() if name != "publish_at"}
    return ServiceError(error.message, fields=rest) if rest else None


def _after_save(request, saved, paste_form):
    """Where a successful save goes: the pasted papers, the preview, or the edit page again."""
    pasted = paste_form.cleaned_data.get("references", "")
    if pasted.strip():
        return _add_pasted(request, saved, pasted)
    if request.POST.get("action") == "preview":
        return redirect("roundups:preview", saved.slug)
    if saved.is_published:
        messages.success(request, "Saved.")
    elif saved.publish_at is not None:
        messages.success(request, "Draft saved; it is scheduled (see the time below).")
    else:
        messages.success(request, "Draft saved.")
    return redirect("roundups:edit", saved.slug)


def _add_pasted(request, roundup, pasted):
    """The roundup is saved; add the pasted papers. A refusal shows the edit page again with
    the paste kept and the error on it (nothing of the paste was written)."""
    try:
        report = paste.add_pasted(roundup=roundup, by=request.user, text=pasted)
    except ServiceError as error:
        messages.success(request, "Draft saved." if not roundup.is_published else "Saved.")
        paste_form = PasteForm({"references": pasted})
        paste_form.is_valid()
        paste_form.add_error("references", error.fields.get("references") or error.message)
        context = {
            "form": RoundupForm(instance=roundup),
            "formset": PaperEntryFormSet(instance=roundup, prefix="entries"),
            "paste_form": paste_form,
            "roundup": roundup,
            **_autosave_context(request, roundup),
        }
        response = render(request, "roundups/form.html", context, status=error.status)
        if getattr(error, "retry_after", None):
            response["Retry-After"] = str(error.retry_after)
        return response
    _tell_pasted(request, report)
    return redirect(reverse("roundups:edit", args=[roundup.slug]) + "#entries-heading")


def _tell_pasted(request, report) -> None:
    """The paste's report as messages: how many were added, then a line per problem."""
    added = len(report.added)
    messages.success(request, f"Added {added} paper{'s' if added != 1 else ''} from your paste.")
    for line in report.problems:
        messages.warning(request, f"Line {line.line} ({line.text}): {line.message}")
    if report.unread_lines:
        numbers = ", ".join(str(number) for number in report.unread_lines)
        messages.info(request, f"No paper link found on line(s) {numbers}.")


def _save(user, roundup, form, formset, schedule_form=None, *, version="") -> Roundup:
    """The valid forms' data to the services: a new roundup, or the changes to ``roundup``.

    ``version``: the edit page's token (``roundups/autosave.py``), checked again under the
    roundup's lock in the save's own transaction: a save or autosave from another tab that
    landed after the page's early check (``_stale``) and before this one is never overwritten.
    """
    fields = {name: form.cleaned_data[name] for name in RoundupForm.Meta.fields}
    if roundup is None:
        return roundup_create(author=user, entries=formset.entries(), **fields)
    if schedule_form is not None:
        fields["publish_at"] = schedule_form.cleaned_data["publish_at"]
    with transaction.atomic():
        if version:
            try:
                autosaving.autosave_lock(roundup=roundup, version=version)
            except Conflict:
                raise Conflict(STALE_FORM) from None
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


def _json_error(error: ServiceError) -> JsonResponse:
    response = JsonResponse({"error": error.message}, status=error.status)
    if getattr(error, "retry_after", None):
        response["Retry-After"] = str(error.retry_after)
    return response


def _first_problem(form, formset) -> str:
    """The first thing wrong with the roundup form, in a sentence for the status line."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    for number, errors in enumerate(formset.errors, start=1):
        for name, messages_ in errors.items():
            label = formset.forms[number - 1].fields.get(name)
            return f"Paper {number}, {label.label if label else name}: {messages_[0]}"
    return " ".join(formset.non_form_errors()) or "the form is not complete."


def _service_problem(error: ServiceError) -> str:
    if error.message:
        return error.message
    first = next(iter(error.fields.values()), "")
    return first[0] if isinstance(first, list) else str(first)


def _autosave_apply(request, roundup):
    """Under the roundup's lock: a valid draft form is saved in place; a published roundup's
    form, or one that cannot be applied, waits in the slot (``roundups/autosave.py``)."""
    data = autosaving.clean_data(request.POST)
    problem = ""
    if not roundup.is_published:
        form = RoundupForm(request.POST, instance=roundup)
        formset = PaperEntryFormSet(request.POST, instance=roundup, prefix="entries")
        if _all_valid(form, formset):
            try:
                with transaction.atomic():
                    saved = _save(request.user, roundup, form, formset)
            except ServiceError as error:
                problem = _service_problem(error)
            else:
                version = autosaving.version_of(saved, None)
                return JsonResponse({"saved_at": version, "version": version, "applied": True})
        else:
            problem = _first_problem(form, formset)
    slot = autosaving.autosave_keep(roundup=roundup, by=request.user, data=data, error=problem)
    answer = {
        "saved_at": slot.saved_at.isoformat(),
        "version": autosaving.version_of(roundup, slot),
    }
    if problem:
        answer["error"] = f"Not saved: {problem} (What you typed is kept; reload to restore it.)"
        return JsonResponse(answer, status=400)
    answer["message"] = "kept aside: readers see the published text until you press Save"
    return JsonResponse(answer | {"applied": False})


# The autosaves answer JSON, even when refused: a script reads them, and a redirect to the login
# page would read as a success (login_to_act answers 403 to a signed-out script).
@require_POST
@login_to_act
def autosave(request, slug):
    """The edit form saving itself (POST, JSON): see ``roundups/autosave.py`` for the rules."""
    version = request.POST.get("autosave_version", "")
    try:
        try:
            roundup = _editable_roundup(request, slug)
        except PermissionDenied as denied:
            raise NotAllowed(str(denied)) from None
        autosaving.autosave_check(by=request.user, roundup=roundup)
        with transaction.atomic():
            roundup = autosaving.autosave_lock(roundup=roundup, version=version)
            return _autosave_apply(request, roundup)
    except ServiceError as error:
        return _json_error(error)


@require_POST
@login_to_act
def autosave_new(request):
    """A new roundup's first autosave: a valid form becomes a draft, and the page moves to its
    edit address; before the form is valid (a title at least), nothing is written."""
    try:
        autosaving.autosave_check(by=request.user)
        autosaving.clean_data(request.POST)
        form = RoundupForm(request.POST, instance=Roundup())
        formset = PaperEntryFormSet(request.POST, instance=Roundup(), prefix="entries")
        if not _all_valid(form, formset):
            raise InvalidInput(f"Not saved yet: {_first_problem(form, formset)}")
        saved = _save(request.user, None, form, formset)
    except ServiceError as error:
        if not error.message:
            error = InvalidInput(f"Not saved yet: {_service_problem(error)}")
        return _json_error(error)
    version = autosaving.version_of(saved, None)
    return JsonResponse(
        {
            "saved_at": version,
            "version": version,
            "applied": True,
            "edit_url": reverse("roundups:edit", args=[saved.slug]),
            "autosave_url": reverse("roundups:autosave", args=[saved.slug]),
        },
        status=201,
    )


@author_required
@require_GET
def preview(request, slug):
    """The roundup exactly as readers will see it, with a banner while it is a draft."""
    roundup = _editable_roundup(request, slug)
    return _preview_page(request, roundup, ScheduleForm(roundup=roundup))


def _preview_page(request, roundup, schedule_form, status=200):
    """The preview, with the schedule form (bound and refused, or blank) for a draft."""
    roundup = Roundup.objects.for_page().get(pk=roundup.pk)
    context = {
        "roundup": roundup,
        "entries": roundup.entries.all(),
        "schedule_form": None if roundup.is_published else schedule_form,
    }
    return render(request, "roundups/preview.html", context, status=status)


@author_required
@require_POST
def schedule(request, slug):
    """Schedule a draft's publishing (POST from the preview page); refusals shown on its form."""
    roundup = _editable_roundup(request, slug)
    form = ScheduleForm(request.POST, roundup=roundup)
    status = 400
    if form.is_valid():
        when = form.cleaned_data["publish_at"]
        try:
            if when is None:
                raise InvalidInput(fields={"publish_at": "Choose a date and time."})
            roundup = roundup_schedule(roundup=roundup, by=request.user, publish_at=when)
        except ServiceError as error:
            add_to_form(form, error)
            status = error.status
        else:
            messages.success(request, f"“{roundup.title}” is scheduled.")
            return redirect("roundups:drafts")
    return _preview_page(request, roundup, form, status=status)


@author_required
@require_POST
def unschedule(request, slug):
    """Take a draft's publish time away (POST, from the drafts page); it stays a draft."""
    roundup = _editable_roundup(request, slug)
    try:
        roundup = roundup_unschedule(roundup=roundup, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{roundup.title}” is no longer scheduled; it stays a draft.")
    return redirect("roundups:drafts")


@author_required
@require_GET
def drafts(request):
    """The author's drafts: the scheduled ones first with their times, then the others."""
    page = Paginator(Roundup.objects.drafts_of(request.user), DRAFTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "roundups/drafts.html", {"page": page, "drafts": page.object_list})


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


@require_GET
def markdown(request, slug):
    """The roundup as Markdown for crossposting; drafts only for their author and staff."""
    roundup = get_object_or_404(Roundup.objects.visible_to(request.user).for_page(), slug=slug)
    url = request.build_absolute_uri(roundup.get_absolute_url())
    response = HttpResponse(
        to_markdown(roundup, roundup.entries.all(), url=url),
        content_type="text/markdown; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{roundup.slug}.md"'
    return response


@author_required
@require_http_methods(["GET", "POST"])
def import_roundup(request):
    """Make a draft from Markdown or BibTeX; what could not be read is listed on the draft."""
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = roundup_import(
                author=request.user,
                text=clean_text(data["text"]),
                filename=data.get("filename", ""),
                title=data["title"],
            )
        except ServiceError as error:
            form.add_error(None, error.fields.get("file") or error.message)
            status = error.status
        else:
            papers = result.roundup.entries.count()
            messages.success(
                request, f"Imported a draft with {papers} paper{'s' if papers != 1 else ''}."
            )
            for problem in result.problems:
                messages.warning(request, f"Not imported: {problem}")
            return redirect("roundups:edit", result.roundup.slug)
    elif request.method == "POST":
        status = 400
    return render(request, "roundups/import.html", {"form": form}, status=status)
