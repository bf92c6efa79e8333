"""The papers of a roundup's body as markup, written as strings instead of through the template
engine.

``templates/roundups/_roundup_body.html`` looped over the entries itself: ~130 variable lookups
and ~90 ``{% if %}`` for five papers, about a fifth of a small roundup page's time
(bench/findings.md, "Round 8"). The output is the template's, byte for byte
(tests/roundups/test_body_markup.py compares the two). Nothing is stored: each view writes the
markup from the entries it has just read, so a write shows on the next view. What varies per
view (earlier coverage, comment counts, the chosen paper) is added by the caller
(``papers.templatetags.papers.paper_articles``) after each entry's own markup.
"""

from django.utils.html import escape, linebreaks

ABSTRACT_TOGGLE = (
    '<details class="abstract-more"><summary><span class="abstract-show">Show the whole '
    'abstract</span><span class="abstract-hide">Show less of the abstract</span></summary>'
    "</details>"
)


def toc_items(entries) -> str:
    """The table of contents' ``<li>`` items, one per entry."""
    return "".join(
        f'<li><a href="#{escape(entry.anchor)}">{escape(entry.title)}</a></li>' for entry in entries
    )


def entry_open(entry, number: int, *, in_feed: bool) -> str:
    """An entry's ``<article>`` up to where the per-view extras go (left open)."""
    return (
        f'\n  <article class="paper" id="{escape(entry.anchor)}">\n'
        f'    <h2 class="paper-title"><span class="paper-number">{number}.</span> '
        f'<a href="{escape(entry.url)}" rel="noopener">{escape(entry.title)}</a></h2>\n    '
        f"{_meta(entry)}\n    {_abstract(entry, in_feed)}\n    {_opinion(entry)}\n    "
        f"{_code(entry)}\n    {_related(entry)}\n    "
    )


ENTRY_CLOSE = "\n  </article>\n  "


def _meta(entry) -> str:
    if not (entry.authors or entry.year):
        return ""
    authors = escape(entry.authors)
    sep = " · " if entry.authors and entry.year else ""
    year = str(entry.year) if entry.year else ""
    return f'\n      <p class="paper-meta">{authors}{sep}{year}</p>\n    '


def _abstract(entry, in_feed: bool) -> str:
    if not entry.abstract:
        return ""
    text = linebreaks(entry.abstract, autoescape=True)
    quote = f'<blockquote class="abstract">{text}</blockquote>'
    if entry.abstract_is_long and not in_feed:
        return (
            f'\n      <div class="abstract-long">\n        {ABSTRACT_TOGGLE}\n        {quote}\n'
            "      </div>\n    "
        )
    return f"\n      {quote}\n    "


def _opinion(entry) -> str:
    if not entry.opinion_html:
        return ""
    opinion = entry.opinion_html
    return f'\n      <h3>My opinion</h3>\n      <div class="opinion prose">{opinion}</div>\n    '


def _code(entry) -> str:
    if not entry.code_url:
        return ""
    url = escape(entry.code_url)
    return f'\n      <p class="paper-code">Code: <a href="{url}" rel="noopener">{url}</a></p>\n    '


def _related(entry) -> str:
    if not entry.related_html:
        return ""
    related = entry.related_html
    return f'\n      <h3>Related</h3>\n      <div class="related prose">{related}</div>\n    '
