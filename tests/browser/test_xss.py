"""Hostile comments, posted through the form, run nothing in a real browser.

The payloads are our own (each sets a window flag if it ever runs) plus lines of the public XSS
corpus in ../shared/testdata/xss/ when it is there (most call alert(), which opens a dialog).
After posting, the page is loaded, hovered, focused and clicked around; then no dialog may have
opened, no script error or CSP report may be in the console, no flag may be set, and the DOM the
browser built from the comment bodies must hold nothing that can run script.

Two runs: with the site's Content-Security-Policy as served, and with Chromium told to ignore it
(``bypass_csp``), which proves the sanitizer alone holds and CSP is only the second wall.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from comments.models import Comment

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "testdata" / "xss"
CORPUS_FILES = ["xss_payloads_quick.txt", "XSS_Polyglots.txt", "BRUTELOGIC-XSS-STRINGS.txt"]
MAX_BODY = 9_000  # under COMMENT_MAX_LENGTH with room for the browser's \r\n newlines
MAX_COMMENTS = 4  # the rate limit allows 10 a minute; four keep the test quick

OWN_PAYLOADS = [
    "<script>window.__xss_script = 1</script>",
    '<img src=x onerror="window.__xss_img = 1">',
    '<svg onload="window.__xss_svg = 1"><circle r=1></svg>',
    '<a href="javascript:window.__xss_href = 1">a link</a>',
    "[markdown link](javascript:window.__xss_md = 1)",
    '<iframe srcdoc="<script>parent.__xss_iframe = 1</script>"></iframe>',
    '<details open ontoggle="window.__xss_toggle = 1">x</details>',
    '<input autofocus onfocus="window.__xss_focus = 1">',
    '<p onmouseover="window.__xss_hover = 1" onclick="window.__xss_click = 1">hover me</p>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss_mxss = 1">',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss_noscript=1>">',
    '<object data="javascript:window.__xss_object = 1"></object>',
    "<a href='&#106;avascript:window.__xss_entity = 1'>entity link</a>",
]

# What may not be in the browser's DOM of a comment body, whatever the sanitizer let through.
DANGEROUS_DOM = """
(root) => {
  const bad = [];
  for (const el of root.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["script", "iframe", "object", "embed", "svg", "math", "style", "noscript", "form",
         "input", "base", "meta", "link"].includes(tag)) bad.push("<" + tag + ">");
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (attr.name.startsWith("on") || attr.name === "style" || attr.name === "srcdoc") {
        bad.push(tag + "[" + attr.name + "]");
      }
      if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(attr.name)
          && /^(javascript|data|vbscript):/.test(value)) {
        bad.push(tag + "[" + attr.name + "=" + attr.value + "]");
      }
    }
  }
  return bad;
}
"""


def bodies() -> list[str]:
    lines = list(OWN_PAYLOADS)
    for name in CORPUS_FILES:
        path = CORPUS / name
        if path.exists():
            lines += [line for line in path.read_text(errors="replace").splitlines() if line]
    chunks, current = [], ""
    for line in lines:
        if len(current) + len(line) + 2 > MAX_BODY:
            chunks.append(current)
            current = ""
        current += line + "\n\n"
    chunks.append(current)
    return chunks[:MAX_COMMENTS]


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "sanitizer-only"])
def test_hostile_comments_run_no_script(open_tab, roundup, reader, bypass_csp):
    tab = open_tab(js=True, bypass_csp=bypass_csp)
    page = tab.page
    tab.log_in(reader.username)
    texts = bodies()
    for text in texts:
        tab.goto(roundup.get_absolute_url())
        page.get_by_label("Your comment").fill(text)
        page.get_by_role("button", name="Post comment").click()
        expect(page).to_have_url(re.compile(r"#c\d+$"))
    posted = list(Comment.objects.filter(roundup=roundup, author=reader))
    assert len(posted) == len(texts)

    tab.goto(roundup.get_absolute_url())
    page.wait_for_load_state("load")
    # Give handlers their chance: hover, focus and click what the comment bodies hold (links
    # are left alone: following one would leave the page; their hrefs are checked below).
    for comment in posted:
        body = page.locator(f"#c{comment.pk} .comment-body").first
        body.hover()
        # Events fired straight at each element: no waiting for it to be visible or still.
        for element in body.locator(":scope *:not(a)").all()[:50]:
            for event in ("mouseover", "click", "focus"):
                element.dispatch_event(event)
        for _ in range(10):
            page.keyboard.press("Tab")
    page.reload()
    page.wait_for_load_state("load")

    flags = page.evaluate("Object.keys(window).filter((name) => name.startsWith('__xss'))")
    assert flags == [], f"payloads ran: {flags}"
    for comment in posted:
        bad = page.locator(f"#c{comment.pk} .comment-body").first.evaluate(DANGEROUS_DOM)
        assert bad == [], f"comment {comment.pk} kept {bad}"
    tab.finish()
