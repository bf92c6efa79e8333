"""Paper pages, search, BibTeX export and the arXiv lookup for the authoring form."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from roundups.models import Roundup
from roundups.views import author_required

from . import arxiv, bibtex, queries
from .search import RESULTS_PER_PAGE, SearchError, backend_for

BIBTEX_CONTENT_TYPE = "application/x-bibtex; charset=utf-8"


@require_GET
def index(request):
    """Every paper covered by a published roundup, most recently covered first."""
    page = Paginator(queries.paper_index_rows(), queries.INDEX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = queries.paper_rows(page.object_list)
    return render(request, "papers/index.html", {"page": page, "rows": rows})


@require_GET
def detail(request, key):
    """One paper: every roundup's opinion of it side by side, and its BibTeX."""
    entries = queries.paper_coverage(key)
    if not entries:
        raise Http404("No published roundup covers this paper.")
    counts = queries.entry_comment_counts(entries)
    for entry in entries:
        entry.comment_count = counts.get(entry.pk, 0)
    latest = entries[-1]
    context = {"key": key, "entries": entries, "latest": latest}
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
    context = {"query": query, "page": None, "hits": [], "error": ""}
    if query:
        try:
            backend = backend_for(query)
        except SearchError as error:
            context["error"] = str(error)
        else:
            page = Paginator(backend.ranked(), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            context.update(page=page, hits=backend.hits(list(page.object_list)))
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
