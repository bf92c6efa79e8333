"""Highlighted snippets that are safe by construction: user text is escaped piece by piece and
only our own <mark> tags are added around the escaped matches. Nothing here marks user text
safe without escaping it."""

import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SNIPPET_CHARS = 240  # about two lines of text in a result
SNIPPET_LEAD = 60  # context shown before the first match
ELLIPSIS = "…"
# ts_headline marks matches with these; private-use characters cannot collide with real text
# (any a user typed are dropped before the text is shown).
START_SEL = "\ue000"
STOP_SEL = "\ue001"
_SELECTED = re.compile(f"{START_SEL}(.*?){STOP_SEL}", re.S)


def _join(pieces: list[tuple[str, str]], tail: str) -> SafeString:
    """``pieces`` are (plain text, matched text) pairs; every piece is escaped by format_html."""
    return format_html("{}{}", format_html_join("", "{}<mark>{}</mark>", pieces), tail)


def terms_pattern(terms: list[str]) -> re.Pattern | None:
    """Words that start with one of the terms, as the SQLite search matches them."""
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.I)


def highlight(text: str, terms: list[str], *, snippet: bool = False) -> SafeString:
    """``text`` escaped, with every word starting with one of ``terms`` in <mark>.

    With ``snippet``, only about SNIPPET_CHARS around the first match, with ellipses.
    """
    text = " ".join((text or "").split())
    pattern = terms_pattern(terms)
    if snippet:
        first = pattern.search(text) if pattern else None
        start = max(0, (first.start() if first else 0) - SNIPPET_LEAD)
        if start:  # begin at a word boundary
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < (first.start() if first else len(text)) else start
        end = start + SNIPPET_CHARS
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        text = (ELLIPSIS if start else "") + text[start:end] + (ELLIPSIS if end < len(text) else "")
    if pattern is None:
        return format_html("{}", text)
    pieces, position = [], 0
    for found in pattern.finditer(text):
        pieces.append((text[position : found.start()], found.group()))
        position = found.end()
    return _join(pieces, text[position:])


def from_headline(headline: str) -> SafeString:
    """Turn ts_headline's output (with START_SEL/STOP_SEL around matches) into safe HTML."""
    headline = " ".join((headline or "").split())
    pieces, position = [], 0
    for found in _SELECTED.finditer(headline):
        pieces.append((_plain(headline[position : found.start()]), _plain(found.group(1))))
        position = found.end()
    return _join(pieces, _plain(headline[position:]))


def _plain(text: str) -> str:
    return text.replace(START_SEL, "").replace(STOP_SEL, "")
