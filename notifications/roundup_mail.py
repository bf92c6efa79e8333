"""A published roundup as a mail: rendered once per send task, addressed once per subscriber.

The HTML part is the page's own sanitized markup (``roundups/_roundup_body.html``, as the feeds
use it) inside a small mail layout, with the styles moved into ``style`` attributes by css-inline
(mail clients such as Gmail and Outlook drop ``<style>`` blocks and never load a stylesheet) and
every link made absolute with ``SITE_URL`` (a mail has no page to be relative to). The plain-text
part is the roundup's own markdown, which reads as text. Both end with the link to the
discussion; ``forum.mail.build_message`` adds the unsubscribe link and headers.
"""

import re
from dataclasses import dataclass

import css_inline
from django.conf import settings
from django.template.loader import render_to_string

from forum.mail import build_message

# Plain, table-free styles that Gmail, Outlook and Apple Mail all keep once inlined.
MAIL_CSS = """
.mail { font-family: Georgia, 'Times New Roman', serif; font-size: 16px; line-height: 1.5;
        color: #1a1a1a; max-width: 640px; }
h1 { font-size: 24px; line-height: 1.25; margin: 0 0 8px; }
h2 { font-size: 19px; line-height: 1.3; margin: 24px 0 6px; }
h3 { font-size: 16px; margin: 16px 0 4px; }
p { margin: 0 0 12px; }
a { color: #1a56a8; }
blockquote { margin: 0 0 12px; padding: 4px 0 4px 12px; border-left: 3px solid #d0d0d0;
             color: #444444; }
pre { background: #f4f4f4; padding: 8px; white-space: pre-wrap; font-size: 14px; }
code { font-family: Menlo, Consolas, monospace; font-size: 14px; background: #f4f4f4; }
table { border-collapse: collapse; }
td, th { border: 1px solid #d0d0d0; padding: 4px 8px; }
.meta, .paper-meta, .paper-number { color: #666666; }
.paper { border-top: 1px solid #e0e0e0; margin-top: 24px; padding-top: 4px; }
.toc ol { padding-left: 24px; }
.discuss { margin-top: 24px; padding: 12px; background: #f4f7fb; }
"""
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False)
_RELATIVE = re.compile(r'(href|src)="(/(?!/)[^"]*|#[^"]*)"')


@dataclass(frozen=True)
class RoundupMail:
    subject: str
    html: str
    text: str
    page_url: str
    discussion_url: str

    def message_for(self, address: str, unsubscribe: str, connection=None):
        """The message to one subscriber: only their address in To, their unsubscribe link."""
        return build_message(
            to=address,
            subject=self.subject,
            text=self.text,
            html=self.html,
            unsubscribe=unsubscribe,
            connection=connection,
        )


def absolute_links(html: str, page_url: str) -> str:
    """``/path`` -> ``SITE_URL/path`` and ``#anchor`` -> ``page_url#anchor``."""

    def fix(match):
        target = match.group(2)
        base = page_url if target.startswith("#") else settings.SITE_URL
        return f'{match.group(1)}="{base}{target}"'

    return _RELATIVE.sub(fix, html)


def render(roundup) -> RoundupMail:
    """``roundup`` fetched with ``Roundup.objects.for_page()`` (entries prefetched, in order)."""
    page_url = settings.SITE_URL + roundup.get_absolute_url()
    context = {
        "roundup": roundup,
        "entries": list(roundup.entries.all()),
        "in_feed": True,  # the page's markup without its interactive parts
        "page_url": page_url,
        "discussion_url": page_url + "#comments",
    }
    body = render_to_string("notifications/mail/roundup.html", context)
    html = absolute_links(_INLINER.inline_fragment(body, MAIL_CSS), page_url)
    text = render_to_string("notifications/mail/roundup.txt", context)
    return RoundupMail(
        subject=roundup.title,
        html=html,
        text=text,
        page_url=page_url,
        discussion_url=context["discussion_url"],
    )
