"""What the site header shows of the papers app: the search box's words, and the count of open
paper suggestions for authors (who take them into drafts)."""

from django.utils.functional import SimpleLazyObject

from accounts.roles import is_author
from forum.counts import capped_count

from .models import PaperSuggestion


def open_suggestions(request):
    """``open_suggestions``: how many suggestions /suggestions/ lists as open ("99+" past
    ``forum.counts.HEADER_COUNT_CAP``); one bounded query for an author, when a page shows it
    (lazy); none for anyone else, who is not shown the link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"open_suggestions": 0}
    return {
        "open_suggestions": SimpleLazyObject(
            lambda: capped_count(PaperSuggestion.objects.open()) if is_author(user) else 0
        )
    }


def search_query(request):
    """``search_query``: the words of ``?q=``, kept in the header's search box. Read here with
    ``.get``: the template's ``request.GET.q|default:''`` raised and caught four exceptions on
    every page without a search (dict, attribute and index lookups), ~35 us a page."""
    return {"search_query": request.GET.get("q", "")}
