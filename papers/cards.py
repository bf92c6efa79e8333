"""The suggestion card shown in a thread, written as a string like the rest of the thread
(``comments/thread/render.py``): no template and no URL reversal per comment. Every value is
escaped. Its columns join every thread row through ``comments.thread.row``'s hook (see apps.py).
"""

from functools import cache
from html import escape
from urllib.parse import urlsplit

from django.db.models import F
from django.urls import reverse

# A paper suggestion's card data (PaperSuggestion, one per suggesting comment), joined into the
# thread's one query so the cards cost no query of their own; None on every other comment.
SUGGESTION_COLUMNS = {
    "suggestion_title": F("paper_suggestion__title"),
    "suggestion_url": F("paper_suggestion__url"),
    "suggestion_status": F("paper_suggestion__status"),
    "suggestion_taken_slug": F("paper_suggestion__taken_entry__roundup__slug"),
    "suggestion_taken_status": F("paper_suggestion__taken_entry__roundup__status"),
    "suggestion_taken_position": F("paper_suggestion__taken_entry__position"),
    "suggestion_supporters": F("paper_suggestion__supporter_count"),
    "suggestion_declined_reason": F("paper_suggestion__declined_reason"),
}


def link_host(url: str) -> str:
    """The site a link goes to, shown under its title."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


@cache
def roundup_url_prefix() -> str:
    """The roundup pages' URL prefix ("/roundups/"), reversed once per process."""
    return reverse("roundups:detail", args=["x"])[: -len("x/")]


def suggestion_card(row) -> str:
    """The card for a thread row that carries a suggestion's columns (see thread_rows), or ""."""
    url = getattr(row, "suggestion_url", None)
    if not url:
        return ""
    href = escape(url)
    status = getattr(row, "suggestion_status", "open")
    if status == "taken":
        slug = getattr(row, "suggestion_taken_slug", None)
        if slug and getattr(row, "suggestion_taken_status", "") == "published":
            where = f"{roundup_url_prefix()}{escape(slug)}/#paper-{row.suggestion_taken_position}"
            state = f'taken: <a href="{where}">covered in a roundup</a>'
        else:
            state = "taken for an upcoming roundup"
    else:
        state = _STATES.get(status, "open")
    supporters = getattr(row, "suggestion_supporters", None) or 1
    if status == "open" and supporters > 1:
        state += f" · suggested by {supporters} readers"
    reason = getattr(row, "suggestion_declined_reason", None)
    said = (
        f'<p class="suggestion-card-reason">Declined: {escape(reason)}</p>'
        if status == "declined" and reason
        else ""
    )
    return (
        '<div class="suggestion-card">'
        f'<p class="suggestion-card-label">Paper suggestion · {state}</p>'
        f'<p class="suggestion-card-title"><a href="{href}" rel="nofollow ugc noopener">'
        f"{escape(row.suggestion_title)}</a></p>"
        f'<p class="suggestion-card-link">{escape(link_host(url))}</p>'
        f"{said}</div>"
    )


_STATES = {
    "declined": "declined by an author",
    "merged": "already suggested: counted on another suggestion of this paper",
}
