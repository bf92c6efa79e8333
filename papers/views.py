"""Paper pages, search, BibTeX export and the arXiv lookup for the authoring form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import author_required
from accounts.roles import is_author
from comments.forms import CommentForm
from comments.thread.page import anchor_url, paper_threads
from forum.errors import ServiceError
from forum.http import login_to_act, wants_json
from forum.keyset import page_from_request
from roundups.models import Roundup

from . import arxiv, bibtex, queries, services
from .forms import DeclineForm, SuggestionForm, TakeForm
from .models import DECLINE_REASON_MAX_LENGTH, PaperSuggestion
from .search import RESULTS_PER_PAGE, SearchError, backend_for

BIBTEX_CONTENT_TYPE = "application/x-bibtex; charset=utf-8"
SUGGESTIONS_PAGE_SIZE = 25  # a few weeks of suggestions from an active readership
RECENTLY_TAKEN = 10  # enough to find where this week's picks went


@require_GET
def index(request):
    """Every paper covered by a published roundup, most recently covered first (keyset)."""
    page = page_from_request(
        queries.paper_index_rows(), "last_covered_at", queries.INDEX_PAGE_SIZE, request
    )
    rows = queries.paper_rows(page.object_list)
    return render(request, "papers/index.html", {"page": page, "rows": rows})


@require_GET
def detail(request, key):
    """One paper: every roundup's opinion of it side by side, and its BibTeX."""
    entries = queries.paper_coverage(key)
    if not entries:
        raise Http404("No published roundup covers this paper.")
    # Each entry's ``comment_count`` is its own column, kept by the comment services.
    latest = entries[-1]
    # The discussion per roundup, drawn as on the roundup page (reply and vote in place).
    threads = paper_threads(request, entries)
    context = {"key": key, "entries": entries, "latest": latest, "threads": threads}
    context["comment_max_length"] = CommentForm.max_length  # the inline reply form's limit
    return render(request, "papers/detail.html", context | {"bibtex": bibtex.entry_bibtex(latest)})


def _bibtex_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=BIBTEX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def paper_bibtex(request, key):
    """One paper's BibTeX entry, from its newest coverage."""
    entries = queries.paper_coverage(key)
    if not entries:
        raise Http404("No published roundup covers this paper.")
    entry = entries[-1]
    return _bibtex_response(bibtex.entry_bibtex(entry), f"{bibtex.citation_key(entry)}.bib")


@require_GET
def roundup_bibtex(request, slug):
    """The roundup's papers as a .bib file (drafts for those who can see them)."""
    roundup = get_object_or_404(Roundup.objects.visible_to(request.user), slug=slug)
    entries = roundup.entries.order_by("position", "pk")
    return _bibtex_response(bibtex.bibliography(entries), f"{roundup.slug}.bib")


@require_GET
def search(request):
    """Roundups, papers and comments matching ?q=, best first, paginated."""
    query = request.GET.get("q", "").strip()
    context = {"query": query, "page": None, "hits": [], "error": "", "capped": False}
    if query:
        try:
            backend = backend_for(query)
        except SearchError as error:
            context["error"] = str(error)
        else:
            ranked = backend.ranked()
            page = Paginator(ranked.rows, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            hits = backend.hits(list(page.object_list))
            context.update(page=page, hits=hits, capped=ranked.capped)
    return render(request, "search/results.html", context)


@author_required
@require_GET
def arxiv_lookup(request):
    """JSON metadata for the arXiv link in ?url=, for the roundup form's "fill" button."""
    try:
        paper = arxiv.lookup(request.GET.get("url", ""))
    except arxiv.ArxivError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse(paper.as_dict())


@require_http_methods(["GET", "POST"])
@login_to_act
def suggest(request, slug):
    """A reader suggests a paper for the roundup; it is posted to the thread as a comment."""
    roundup = get_object_or_404(Roundup.objects.published(), slug=slug)
    form = SuggestionForm(request.POST or None)
    status = 200 if request.method == "GET" else 400
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = services.suggestion_create(
                roundup=roundup, author=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            return redirect(anchor_url(suggestion.comment))
    context = {"form": form, "roundup": roundup}
    return render(request, "papers/suggest.html", context, status=status)


def _drafts(user):
    return Roundup.objects.filter(author=user, status=Roundup.Status.DRAFT).order_by("-created_at")


@require_GET
@login_to_act
def suggestions(request):
    """Open paper suggestions from readers: readers +1 them, authors add them to a draft or
    decline them."""
    if not is_author(request.user):
        return _suggestions_for_readers(request)
    suggestions = PaperSuggestion.objects.open().for_list(request.user)
    page = page_from_request(suggestions, "created_at", SUGGESTIONS_PAGE_SIZE, request)
    # Only where the author can see the roundup a paper went into: a draft's title is its
    # author's until it is published (staff see every draft, as on the roundup pages).
    visible = Q(taken_entry=None) | Q(
        taken_entry__roundup__in=Roundup.objects.visible_to(request.user)
    )
    taken = PaperSuggestion.objects.filter(
        visible, status=PaperSuggestion.Status.TAKEN
    ).select_related("comment__author", "taken_entry__roundup")[:RECENTLY_TAKEN]
    context = {
        "page": page,
        "taken": taken,
        "take_form": TakeForm(drafts=_drafts(request.user)),
        "is_author": True,
        "decline_max_length": DECLINE_REASON_MAX_LENGTH,
    }
    return render(request, "papers/suggestions.html", context)


def _suggestions_for_readers(request):
    # A reader sees the open list to +1 papers; drafts and what they took are authors' business.
    suggestions = PaperSuggestion.objects.open().for_list(request.user)
    page = page_from_request(suggestions, "created_at", SUGGESTIONS_PAGE_SIZE, request)
    return render(request, "papers/suggestions.html", {"page": page, "is_author": False})


def _back_to_list(request):
    """Where a suggestion action returns: the list page the form was on (its ?cursor kept)."""
    back = request.POST.get("next", "")
    list_url = reverse("papers:suggestions")
    return redirect(back if back.startswith(list_url + "?") else list_url)


@author_required
@require_POST
def decline_suggestion(request, pk):
    """Decline a suggestion with a reason the reader is told (POST); errors come back as
    messages, and nothing is written."""
    suggestion = get_object_or_404(PaperSuggestion, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return _back_to_list(request)
    try:
        services.suggestion_decline(
            suggestion=suggestion, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Declined “{suggestion.title}”; the reader is told why.")
    return _back_to_list(request)


@require_POST
@login_to_act
def support_suggestion(request, pk):
    """+1 an open suggestion, or take the +1 back (POST). JSON for the in-place button."""
    suggestion = get_object_or_404(PaperSuggestion, pk=pk)
    try:
        supported, count = services.suggestion_support(suggestion=suggestion, user=request.user)
    except ServiceError as error:
        if wants_json(request):
            return JsonResponse({"error": error.message}, status=error.status)
        messages.error(request, error.message)
        return _back_to_list(request)
    if wants_json(request):
        return JsonResponse({"supported": supported, "count": count})
    return _back_to_list(request)


@author_required
@require_POST
def take_suggestion(request, pk):
    """Add a suggested paper to a chosen draft (POST); errors come back as messages."""
    suggestion = get_object_or_404(PaperSuggestion, pk=pk)
    form = TakeForm(request.POST, drafts=_drafts(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("roundup", ["Choose a draft."])))
        return redirect("papers:suggestions")
    try:
        entry = services.suggestion_take(
            suggestion=suggestion, by=request.user, roundup=form.cleaned_data["roundup"]
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("papers:suggestions")
    edit_url = reverse("roundups:edit", args=[entry.roundup.slug])
    added = format_html('Added “{}” to <a href="{}">{}</a>.', entry.title, edit_url, entry.roundup)
    messages.success(request, added)
    return redirect("papers:suggestions")
