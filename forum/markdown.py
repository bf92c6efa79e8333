"""The one place that turns user markdown into safe HTML.

Python-Markdown renders, then a single bleach ``Cleaner`` pass applies an explicit allowlist and,
through its ``LinkifyFilter``, turns bare URLs into links and marks every link
``rel="nofollow ugc noopener"``. Linkifying inside the cleaner means it cannot reintroduce markup
that cleaning removed. Only the rendered HTML is sanitized, never the markdown source.

Nothing else in the code marks user text safe: templates show ``*_html`` fields made here and
escape everything else. Keeping the sanitizer behind ``render_markdown`` lets us swap bleach
(security fixes only upstream) for nh3 without touching callers.
"""

import threading
from functools import partial

import bleach
import markdown as md
from bleach.linkifier import LinkifyFilter, build_url_re

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s",
        "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Never svg, math, noscript, style, iframe, or a style attribute: bleach's past XSS bugs came
# through those.
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in {"href", "title"}
    if tag == "abbr":
        return name == "title"
    if tag in {"td", "th"}:
        return name == "align" and value in {"left", "right", "center"}
    if tag == "code":
        # Fenced code blocks name their language; nothing else may set a class of ours.
        return name == "class" and value.startswith("language-") and value[9:].isidentifier()
    if tag == "ol":
        return name == "start" and value.isdigit()
    return False


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


_LINKIFY_URL_RE = build_url_re(protocols=ALLOWED_PROTOCOLS)

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=False,  # a disallowed tag shows as text: the user's words are kept, never run
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_set_rel],
            skip_tags={"pre", "code"},
            # The filter runs after sanitizing, so its own links are never checked against
            # ALLOWED_PROTOCOLS; its default pattern would link "data://..." or "ssh://..." text.
            url_re=_LINKIFY_URL_RE,
        )
    ],
)
_local = threading.local()


def _renderer() -> md.Markdown:
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = md.Markdown(
            extensions=["fenced_code", "tables", "sane_lists"],
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html",
        )
        _local.renderer = renderer
    return renderer


def sanitize_html(html: str) -> str:
    """Clean HTML with the allowlist and linkify it; the output is safe to show as is."""
    return _cleaner.clean(html)


def render_markdown(text: str) -> str:
    """Render user markdown to sanitized HTML. Call when text is saved; store the result."""
    if not text or not text.strip():
        return ""
    renderer = _renderer()
    try:
        html = renderer.convert(text)
    finally:
        renderer.reset()
    return sanitize_html(html)
