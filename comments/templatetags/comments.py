"""Template filters and tags for comments: the placeholder labels, from the one place that names
them, and the thread header's two lists of choices.

The choices are written here as strings, like the thread itself (``comments/thread/render.py``):
every thread page shows seven sort links and four or five options, and the template engine's
``{% for %}`` with its ``{% if %}`` per item cost about a tenth of a millisecond a page
(bench/findings.md, "Round 9").
"""

from urllib.parse import quote

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from comments.thread.render import PLACEHOLDER_LABELS

register = template.Library()


@register.filter
def placeholder_label(state: str) -> str:
    """ "[deleted]" or "[removed by a moderator]" for a comment that no longer shows."""
    return PLACEHOLDER_LABELS.get(state, "")


@register.simple_tag(takes_context=True)
def sort_links(context, anchor) -> str:
    """The sort nav's links: ``?sort=`` for each of ``sort_choices``, keeping the reader's
    ``?since=`` and ``?paper=``, the current one marked."""
    tail = ""
    since_param = context.get("since_param")
    if since_param:
        tail += "&amp;since=" + escape(quote(str(since_param), safe="/"))
    paper_filter = context.get("paper_filter")
    if paper_filter:
        tail += f"&amp;paper={int(paper_filter.position)}"
    tail += escape(anchor)
    current = context.get("sort")
    links = [
        f'<a href="?sort={escape(name)}{tail}"'
        f"{_CURRENT if name == current else ''}>{escape(label)}</a>"
        for name, label in context.get("sort_choices") or ()
    ]
    return mark_safe("\n      ".join(links))  # noqa: S308 - every value is escaped above


_CURRENT = ' aria-current="true" class="is-current"'


@register.simple_tag(takes_context=True)
def since_options(context) -> str:
    """The ``<option>`` items of the "mark new since" control, the reader's choice selected."""
    chosen = context.get("since_choice")
    options = [
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
        f"{escape(label)}</option>"
        for value, label in context.get("since_choices") or ()
    ]
    return mark_safe("".join(options))  # noqa: S308 - every value is escaped above
