"""Thread pages and the form posts behind every comment action.

Views are thin: parse, authorize, call a service from ``services.py``, then redirect to the
comment's anchor or re-render the form with the service's message and status. With
``Accept: application/json`` (the page's JavaScript) the same views answer JSON instead.
"""

import re
from dataclasses import asdict

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum.errors import InvalidInput, NotAllowed, ServiceError
from forum.http import login_to_act, wants_json
from forum.idempotency import idempotent_form
from forum.keyset import page_from_request
from roundups.models import Roundup, published_filter

from . import permissions, services
from .forms import CommentForm, EditForm, LockForm, ReasonForm
from .models import Comment, ModerationAction
from .thread.page import (
    anchor_url,
    part_json,
    permalink_context,
    record_visit,
    render_single,
    render_thread_page,
    thread_context,
)
from .thread.votes import AXES, parse_state

MODERATION_LOG_PAGE_SIZE = 50  # a busy week of moderation on one page
GET_POST = require_http_methods(["GET", "POST"])
VOTE_VALUE = re.compile(r"-?[0-9]{1,2}")  # shaped like a number; the service checks the value


# --- helpers -----------------------------------------------------------------------------------


_STRONG_TEXT = {"": False, "0": False, "false": False, "off": False,
                "1": True, "true": True, "on": True}  # fmt: skip


def _vote_fields(post) -> tuple:
    """(axis, value, strong) from a vote form: a button's ``approval=<state>`` or
    ``agreement=<state>`` (-2 .. 2, see thread/votes.py), or the fields the API takes,
    ``value`` with ``axis`` and ``strong`` (approval and normal when left out). What cannot be
    read is passed on as it came, for the service to refuse with its message."""
    for axis in AXES:
        if axis in post:
            state = parse_state(post[axis])
            if state is None:
                return axis, post[axis], False
            return axis, (state > 0) - (state < 0), abs(state) == 2
    raw = post.get("value", "")
    value = int(raw) if VOTE_VALUE.fullmatch(raw) else raw
    strong = post.get("strong", "").strip().lower()
    return post.get("axis", AXES[0]), value, _STRONG_TEXT.get(strong, strong)


def _comment(pk) -> Comment:
    """The comment with its roundup; 404 unless the roundup is published."""
    return get_object_or_404(
        Comment.objects.select_related("roundup", "author", "text"),
        published_filter("roundup__"),
        pk=pk,
    )


def _error(request, error, *, back=None):
    """A service refusal as JSON or as a page with its message and status."""
    if wants_json(request):
        return JsonResponse({"error": error.message}, status=error.status)
    context = {"message": error.message, "status": error.status, "back": back}
    return render(request, "comments/error.html", context, status=error.status)


def _form_page(request, template, context, error=None):
    """Re-render a form page; with ``error`` (a ServiceError) its message and status."""
    status = 200 if request.method == "GET" else 400
    if error is not None:
        context["form"].add_error(None, error.message)
        status = error.status
    if wants_json(request) and request.method == "POST":
        errors = [e for field_errors in context["form"].errors.values() for e in field_errors]
        return JsonResponse({"error": " ".join(errors)}, status=status)
    return render(request, template, context, status=status)


def _form_flow(request, template, context, write):
    """A form page: shown on GET or when invalid; a valid POST calls ``write(cleaned_data)``,
    then goes back to the comment, or shows the form again with the service's refusal."""
    form = context["form"]
    if request.method == "GET" or not form.is_valid():
        return _form_page(request, template, context)
    try:
        write(form.cleaned_data)
    except ServiceError as error:
        return _form_page(request, template, context, error)
    return redirect(anchor_url(context["comment"]))


def _with_preview(request, context) -> bool:
    """For the form's "Preview" button (``preview`` in the POST, the no-JavaScript path): put
    the rendered body, or the refusal, into ``context``. True when this POST was a preview."""
    if "preview" not in request.POST:
        return False
    form = context["form"]
    form.is_valid()  # the body is read as posted; the preview says what is wrong with it
    try:
        context["preview_html"] = services.comment_preview(
            user=request.user, body=request.POST.get("body", "")
        )
    except ServiceError as error:
        context["preview_error"] = error.message
    return True


def _post_comment(request, roundup, parent):
    """Create a comment from the posted form; answer JSON, a redirect, or the form again."""
    form = CommentForm(request.POST)
    context = {"form": form, "roundup": roundup, "parent": parent}
    if _with_preview(request, context):
        return render(request, "comments/reply.html", context)
    if not form.is_valid():
        return _form_page(request, "comments/reply.html", context)
    try:
        comment = services.comment_create(
            roundup=roundup,
            author=request.user,
            parent=parent,
            body=form.cleaned_data["body"],
            paper_entry=form.cleaned_data.get("paper_entry") or None,
        )
    except ServiceError as error:
        return _form_page(request, "comments/reply.html", context, error)
    if wants_json(request):
        html = render_single(request, comment)
        return JsonResponse(
            {"id": comment.pk, "url": anchor_url(comment), "html": html}, status=201
        )
    return redirect(anchor_url(comment))


def _lock_choice(post, roundup):
    """The lock form's data with ``locked`` as "1" or "0".

    Accepts ``locked`` (1/0, true/false, on/off) or ``action`` (lock/unlock); with neither, the
    form toggles the roundup's current state. Anything else stays as sent, so the form rejects it.
    """
    data = post.copy()
    raw = (data.get("locked") or data.get("action") or "").strip().lower()
    choices = {"1": "1", "true": "1", "on": "1", "lock": "1", "0": "0", "false": "0", "off": "0",
               "unlock": "0"}  # fmt: skip
    if not raw:
        data["locked"] = "0" if roundup.comments_locked else "1"
    else:
        data["locked"] = choices.get(raw, raw)
    return data


# --- reading -----------------------------------------------------------------------------------


@require_GET
def roundup_page(request, slug):
    """A roundup with its papers, its neighbours in the series and, once published, its thread.

    Served as ``roundups:detail`` (see forum/urls.py): it is the roundup's thread page.
    """
    roundup = Roundup.objects.page_roundup(request.user, slug)
    if roundup is None:
        raise Http404("No roundup at this address.")
    previous, following = Roundup.objects.neighbours(roundup)
    context = {
        "roundup": roundup,
        "entries": roundup.entries.all(),
        "previous": previous,
        "next": following,
        "can_edit": roundup.can_edit(request.user),
    }
    if not roundup.is_published:
        return render(request, "roundups/detail.html", context)
    try:
        context.update(thread_context(request, roundup))
    except InvalidInput as error:  # a ?cursor= we did not sign, or one that expired
        return _error(request, error, back=f"{roundup.get_absolute_url()}#comments")
    if wants_json(request):  # "load more comments": the part alone, inserted by the script
        return _vary(JsonResponse(part_json(request, context)))
    response = _vary(render_thread_page(request, "roundups/detail.html", context))
    record_visit(request, roundup, context)  # after the page is built
    return response


@require_GET
def permalink(request, pk):
    """One comment with a part of its replies, and a path of links up to its parents and the
    roundup; as JSON (the page's script) the part of replies alone."""
    comment = _comment(pk)
    try:
        context = permalink_context(request, comment, replies_only=wants_json(request))
    except InvalidInput as error:
        return _error(request, error, back=comment.get_absolute_url())
    if wants_json(request):
        return _vary(JsonResponse(part_json(request, context)))
    return _vary(render_thread_page(request, "comments/permalink.html", context))


def _vary(response):
    """A thread page answers its script's ``Accept: application/json`` with a part: caches and
    the browser's history must keep the two apart."""
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
def history(request, pk):
    """Earlier texts of a comment: for its author and moderators; for everyone once a moderator
    edited it, who then see the texts moderators replaced (moderation in the open)."""
    comment = _comment(pk)
    if not permissions.may_read_history(request.user, comment):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        error = NotAllowed("Only its author and moderators can read a comment's history.")
        return _error(request, error, back=anchor_url(comment))
    revisions = comment.revisions.select_related("edited_by")
    insider = request.user.is_authenticated and (
        comment.author_id == request.user.pk or permissions.may_moderate(request.user)
    )
    if not insider:
        revisions = revisions.exclude(edited_by_id=comment.author_id)
    context = {"comment": comment, "revisions": revisions, "public": not insider}
    return render(request, "comments/history.html", context)


@require_GET
def moderation_log(request):
    """Every moderator action, newest first: public, so moderation is accountable."""
    page = page_from_request(_log_rows(), "created_at", MODERATION_LOG_PAGE_SIZE, request)
    return render(request, "comments/moderation_log.html", {"page": page, "actions": page})


@require_GET
def moderation_action(request, pk):
    """One entry of the moderation log: where a moderator's edit under a comment links to."""
    action = get_object_or_404(_log_rows(), pk=pk)
    return render(request, "comments/moderation_log.html", {"actions": [action], "single": True})


def _log_rows():
    """The log's rows with what each line names: who, and the comment (by an excerpt of its
    text) with its roundup."""
    return ModerationAction.objects.select_related("moderator", "comment__text", "roundup", "user")


# --- writing -----------------------------------------------------------------------------------


@require_POST
@login_to_act
def preview(request):
    """The HTML a comment body would be posted as (``{"html": ...}``), for the comment box's
    preview: the same cleaning and sanitizer as posting; nothing is written."""
    try:
        html = services.comment_preview(user=request.user, body=request.POST.get("body", ""))
    except ServiceError as error:
        response = JsonResponse({"error": error.message}, status=error.status)
        if getattr(error, "retry_after", None):
            response["Retry-After"] = str(error.retry_after)
        return response
    return JsonResponse({"html": html})


@require_POST
@login_to_act
@idempotent_form
def create(request, slug):
    """Post a new root comment on a roundup."""
    return _post_comment(request, get_object_or_404(Roundup.objects.published(), slug=slug), None)


@GET_POST
@login_to_act
@idempotent_form
def reply(request, pk):
    """GET: the reply form (the no-JavaScript way to reply); POST: post the reply."""
    parent = _comment(pk)
    if request.method == "POST":
        return _post_comment(request, parent.roundup, parent)
    context = {"form": CommentForm(), "roundup": parent.roundup, "parent": parent}
    return render(request, "comments/reply.html", context)


@require_POST
@login_to_act
def vote(request, pk):
    """Vote on one axis: up, down, strong or not, or take the vote back; JSON for scripts,
    else back to the comment."""
    comment = _comment(pk)
    axis, value, strong = _vote_fields(request.POST)
    try:
        result = services.vote_cast(
            comment=comment, user=request.user, value=value, axis=axis, strong=strong
        )
    except ServiceError as error:
        return _error(request, error, back=anchor_url(comment))
    if wants_json(request):
        return JsonResponse(asdict(result))
    return redirect(anchor_url(comment))


@GET_POST
@login_to_act
def edit(request, pk):
    """Edit a comment: its author, or a moderator with a reason."""
    comment = _comment(pk)
    own = comment.author_id == request.user.pk
    if not own and not permissions.may_moderate(request.user):
        error = NotAllowed("You can only edit your own comments.")
        return _error(request, error, back=anchor_url(comment))
    if not permissions.may_edit(request.user, comment):
        error = InvalidInput("This comment can no longer be edited.")
        return _error(request, error, back=anchor_url(comment))
    form = EditForm(request.POST or None, initial={"body": comment.text.body})
    context = {"form": form, "comment": comment, "as_moderator": not own}
    if request.method == "POST" and _with_preview(request, context):
        return render(request, "comments/edit.html", context)
    return _form_flow(
        request, "comments/edit.html", context,
        lambda data: services.comment_edit(comment=comment, by=request.user, **data),
    )  # fmt: skip


@GET_POST
@login_to_act
def delete(request, pk):
    """Delete your own comment (it stays as a placeholder while it has replies)."""
    comment = _comment(pk)
    if comment.author_id != request.user.pk:
        error = NotAllowed("You can only delete your own comments.")
        return _error(request, error, back=anchor_url(comment))
    if request.method == "GET":
        return render(request, "comments/delete.html", {"comment": comment})
    try:
        services.comment_delete(comment=comment, by=request.user)
    except ServiceError as error:
        context = {"comment": comment, "error": error.message}
        return render(request, "comments/delete.html", context, status=error.status)
    return redirect(anchor_url(comment))


def _moderate(request, pk, service, action):
    """Remove or restore (``action``): moderators only, with a reason for the public log."""
    comment = _comment(pk)
    if not permissions.may_moderate(request.user):
        error = NotAllowed("Only moderators can do that.")
        return _error(request, error, back=anchor_url(comment))
    form = ReasonForm(request.POST or None)
    context = {"form": form, "comment": comment, "action": action}
    return _form_flow(
        request, "comments/moderate.html", context,
        lambda data: service(comment=comment, by=request.user, reason=data["reason"]),
    )  # fmt: skip


@GET_POST
@login_to_act
def remove(request, pk):
    """A moderator hides a comment; its replies stay."""
    return _moderate(request, pk, services.comment_remove, "remove")


@GET_POST
@login_to_act
def restore(request, pk):
    """A moderator brings back a removed comment."""
    return _moderate(request, pk, services.comment_restore, "restore")


@require_POST
@login_to_act
def lock(request, slug):
    """A moderator locks or unlocks a roundup's comments, with a reason."""
    roundup = get_object_or_404(Roundup.objects.published(), slug=slug)
    form = LockForm(_lock_choice(request.POST, roundup))
    context = {"form": form, "roundup": roundup}
    if not form.is_valid():
        return _form_page(request, "comments/lock.html", context)
    try:
        services.roundup_lock(roundup=roundup, by=request.user, **form.cleaned_data)
    except ServiceError as error:
        return _form_page(request, "comments/lock.html", context, error)
    return redirect(f"{roundup.get_absolute_url()}#comments")
