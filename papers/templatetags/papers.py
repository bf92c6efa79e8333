"""Template tags that put the papers app's pieces into templates other apps own (the roundup
page, the thread section), so those templates only gain a line each."""

from functools import cache

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from forum.fasttags import reverse_cached
from papers.forms import SuggestionForm
from papers.queries import earlier_coverage
from roundups.body import ENTRY_CLOSE, entry_open, toc_items

register = template.Library()


@register.simple_tag
def suggestion_form_fields():
    """The fields of a blank "suggest a paper" form, as markup.

    Every signed-in reader's roundup page shows this form, always blank (a refused suggestion
    is shown on its own page with its errors), so its fields are rendered once per process:
    through Django's form templates they cost ~1.5 ms a page.
    """
    return _blank_suggestion_fields()


@cache
def _blank_suggestion_fields() -> str:
    form = SuggestionForm(auto_id="id_suggest_%s")
    return render_to_string("registration/_form_fields.html", {"form": form})


@register.simple_tag
def paper_coverage(entries):
    """``{entry id: [(roundup, entry)]}``: earlier coverage of each entry, in one query."""
    return earlier_coverage(entries)


@register.simple_tag(takes_context=True)
def paper_extras(context, entry, coverage):
    """Under a roundup entry: "also covered in ...", its comment count and the discussion link.

    The comment counts come from the thread context (``paper_comment_counts``), which only a
    published roundup's page has; a draft or preview shows the coverage alone. Written as a
    string, like the thread (``comments/thread/render.py``): every roundup page shows it for
    each of its papers, with a link per earlier roundup, and the template engine cost a
    millisecond a page.
    """
    return mark_safe(  # noqa: S308 - every value is escaped by _extras
        _extras(entry, coverage, context.get("paper_comment_counts"), context.get("paper_filter"))
    )


@register.simple_tag(takes_context=True)
def paper_articles(context, entries, in_feed):
    """Every entry's ``<article>`` of the roundup body, with its extras (``paper_extras``) unless
    ``in_feed``. The markup of ``{% for entry in entries %}`` as the template wrote it, from
    ``roundups/body.py``; the coverage is read here (one query) as ``paper_coverage`` did."""
    if in_feed:
        coverage = counts = paper_filter = None
    else:
        coverage = earlier_coverage(entries)
        counts = context.get("paper_comment_counts")
        paper_filter = context.get("paper_filter")
    parts = ["\n  "]
    for number, entry in enumerate(entries, 1):
        parts.append(entry_open(entry, number, in_feed=bool(in_feed)))
        if not in_feed:
            parts.append(_extras(entry, coverage, counts, paper_filter))
        parts.append(ENTRY_CLOSE)
    return mark_safe("".join(parts))  # noqa: S308 - roundups/body.py escapes every value


@register.simple_tag
def paper_toc(entries):
    """The ``<li>`` items of the roundup body's table of contents."""
    return mark_safe(toc_items(entries))  # noqa: S308 - escaped in roundups/body.py


def _extras(entry, coverage, counts, paper_filter) -> str:
    earlier = coverage.get(entry.pk, []) if coverage else []
    paper_page = reverse_cached("papers:detail", [entry.paper_key]) if entry.paper_key else ""
    parts = []
    if earlier:
        links = ", ".join(
            f'<a href="{escape(roundup.get_absolute_url())}#{escape(other.anchor)}">'
            f"{escape(roundup.title)}</a>"
            for roundup, other in earlier
        )
        parts.append(
            f'<p class="also-covered">Also covered in\n    {links}\n'
            f'    · <a href="{escape(paper_page)}">every opinion of it</a>\n  </p>'
        )
    if counts is not None:
        count = counts.get(entry.pk, 0)
        chosen = paper_filter is not None and paper_filter.pk == entry.pk
        verb = "Discussing" if chosen else "Discuss"
        page_link = (
            f'\n    · <a href="{escape(paper_page)}">paper page</a>'
            if paper_page and not earlier
            else ""
        )
        parts.append(
            f'<p class="paper-discuss">\n    <a href="?paper={int(entry.position)}#comments">'
            f"{verb} this paper</a>\n    · {count} comment{'' if count == 1 else 's'}"
            f"{page_link}\n  </p>"
        )
    return "\n".join(parts)
