"""Template tags that put the papers app's pieces into templates other apps own (the roundup
page, the thread section), so those templates only gain a line each."""

from django import template

from papers.forms import SuggestionForm
from papers.queries import earlier_coverage

register = template.Library()


@register.simple_tag
def suggestion_form():
    """A blank "suggest a paper" form."""
    return SuggestionForm(auto_id="id_suggest_%s")


@register.simple_tag
def paper_coverage(entries):
    """``{entry id: [(roundup, entry)]}``: earlier coverage of each entry, in one query."""
    return earlier_coverage(entries)


@register.inclusion_tag("papers/_entry_extras.html", takes_context=True)
def paper_extras(context, entry, coverage):
    """Under a roundup entry: "also covered in ...", its comment count and the discussion link.

    The comment counts come from the thread context (``paper_comment_counts``), which only a
    published roundup's page has; a draft or preview shows the coverage alone.
    """
    counts = context.get("paper_comment_counts")
    return {
        "entry": entry,
        "earlier": coverage.get(entry.pk, []) if coverage else [],
        "has_thread": counts is not None,
        "comment_count": counts.get(entry.pk, 0) if counts is not None else 0,
        "roundup": context.get("roundup"),
        "paper_filter": context.get("paper_filter"),
    }
