"""The one place that turns user markdown into safe HTML.

Python-Markdown renders, then a single bleach ``Cleaner`` pass applies an explicit allowlist and,
through its ``LinkifyFilter``, turns bare URLs into links and marks every link
``rel="nofollow ugc noopener"``. Linkifying inside the cleaner means it cannot reintroduce markup
that cleaning removed. Only the rendered HTML is sanitized, never the markdown source.

Nothing else in the code marks user text safe: templates show ``*_html`` fields made here and
escape everything else. Keeping the sanitizer behind ``render_markdown`` lets us swap bleach
(security fixes only upstream) for nh3 without touching callers.
"""

import re
import threading
from functools import partial

import bleach
import markdown as md
from bleach.html5lib_shim import Filter
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

# @username: Django's username characters without "@" (so "a@b.org" is no mention), not right
# after a word character, "/" or "@" (an address or a path), trailing dots and dashes left out.
MENTION_RE = re.compile(r"(?<![\w/@.+-])@([\w.+-]*[\w+])")
MAX_MENTIONS = 20  # more names than this in one comment is a roll call, not a conversation
_NO_MENTIONS_IN = frozenset({"a", "pre", "code"})


def find_mentions(text: str) -> list[str]:
    """The distinct names (lowercased, in order) that ``text`` mentions, at most MAX_MENTIONS."""
    names = dict.fromkeys(m.group(1).lower() for m in MENTION_RE.finditer(text or ""))
    return list(names)[:MAX_MENTIONS]


class MentionFilter(Filter):
    """Turn @name into a link to the profile of the user ``users[name.lower()]`` names.

    Runs after sanitizing and linkifying, on text outside links, code and pre; unknown names
    stay text. The link is relative, which the allowlist keeps (``sanitize_html`` leaves it be).
    """

    def __init__(self, source, users):
        super().__init__(source)
        self.users = users

    def __iter__(self):
        inside = 0
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] in _NO_MENTIONS_IN:
                inside += 1
            elif token["type"] == "EndTag" and token["name"] in _NO_MENTIONS_IN:
                inside = max(inside - 1, 0)
            elif token["type"] == "Characters" and not inside:
                yield from self._split(token["data"])
                continue
            yield token

    def _split(self, text):
        start = 0
        for match in MENTION_RE.finditer(text):
            username = self.users.get(match.group(1).lower())
            if username is None:
                continue
            if match.start() > start:
                yield {"type": "Characters", "data": text[start : match.start()]}
            attrs = {(None, "href"): f"/users/{username}/", (None, "rel"): LINK_REL}
            yield {"type": "StartTag", "name": "a", "data": attrs}
            yield {"type": "Characters", "data": "@" + match.group(1)}
            yield {"type": "EndTag", "name": "a"}
            start = match.end()
        if start < len(text):
            yield {"type": "Characters", "data": text[start:]}


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


def render_markdown(text: str, *, mentions: dict[str, str] | None = None) -> str:
    """Render user markdown to sanitized HTML. Call when text is saved; store the result.

    ``mentions`` maps lowercased names to the usernames whose profiles @name links to (the
    caller looks them up, in one query, from ``find_mentions``); other names stay text.
    """
    if not text or not text.strip():
        return ""
    renderer = _renderer()
    try:
        html = renderer.convert(text)
    finally:
        renderer.reset()
    if not mentions:
        return sanitize_html(html)
    return _mention_cleaner(mentions).clean(html)


def _mention_cleaner(users: dict[str, str]) -> bleach.Cleaner:
    # A cleaner per call only for text that names someone: the filter carries that text's names.
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=False,
        strip_comments=True,
        filters=[*_cleaner.filters, partial(MentionFilter, users=users)],
    )
