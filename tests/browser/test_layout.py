"""The thread's layout in a real browser (issue #11): top-level comments as blocks, scores between
their vote arrows, deep replies readable on a phone, every control a thumb can hit, and axe-core
clean in light and dark, wide and narrow, signed in and not.

Sizes are CSS pixels at the viewport the test sets: 1366 px (a laptop) and 390 px (a phone).
"""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests import factories
from tests.browser.conftest import PASSWORD, PASSWORD_LABEL, chain, comment_box, say
from tests.browser.test_accessibility import AXE, violations

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TAP = 44  # px: WCAG 2.5.5's target size, Apple's and Material's minimum
# The deepest reply nested on a phone (level 8) still gets this much width for its text: about
# 32 characters of the 16 px body font, a newspaper column (the 390 px screen holds about 45).
# Box widths come from the CSS alone (rem and px), not from the fonts installed.
MIN_DEEP_TEXT_PX = 256

# Everything in the thread a reader can tap. Links inside what people wrote (.prose) are left
# out: they stay inline in their sentences (WCAG 2.5.8's exception for inline targets).
MEASURE_TARGETS = """() => {
  const selector = 'a[href], button, summary, input:not([type=hidden]), select, textarea';
  const found = [];
  for (const section of document.querySelectorAll('.thread-section')) {
    for (const el of section.querySelectorAll(selector)) {
      if (el.closest('.prose')) { continue; }
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) { continue; }  // display: none, or folded away
      const name = (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40);
      found.push({tag: el.tagName.toLowerCase(), cls: el.className, name: name,
                  width: box.width, height: box.height});
    }
  }
  return found;
}"""


def too_small(targets) -> list[str]:
    return [
        f"{t['tag']}.{t['cls']} {t['name']!r}: {t['width']:.0f}x{t['height']:.0f}"
        for t in targets
        if t["width"] < TAP - 0.5 or t["height"] < TAP - 0.5
    ]


def box_of(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_top_level_comments_are_separate_blocks_with_replies_indented_inside(
    open_tab, roundup, reader
):
    other = factories.make_user()
    first = say(roundup, other, "The first thread.")
    reply = say(roundup, reader, "A reply inside it.", first)
    second = say(roundup, reader, "The second thread.")
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.goto(roundup.get_absolute_url())
    one, two = box_of(comment_box(page, first)), box_of(comment_box(page, second))
    inner = box_of(comment_box(page, reply))
    border = comment_box(page, first).evaluate("el => getComputedStyle(el).borderTopWidth")
    assert float(border.removesuffix("px")) >= 1, "a top-level comment is drawn as a block"
    below = min(one["y"] + one["height"], two["y"] + two["height"])
    above = max(one["y"], two["y"])
    assert above - below >= 8, "the two blocks are visibly apart"
    # The reply sits inside its thread's block, indented from the thread's own text.
    text = box_of(comment_box(page, first).locator(".comment-body").first)
    assert one["x"] < text["x"] < inner["x"]
    assert inner["x"] + inner["width"] <= one["x"] + one["width"]
    assert inner["y"] + inner["height"] <= one["y"] + one["height"]
    tab.finish()


def test_each_score_stands_between_its_arrows_in_the_head(open_tab, roundup, reader):
    comment = say(roundup, factories.make_user(), "Vote on me.")
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    box = comment_box(page, comment)
    head = box.locator(".comment-head").first
    for up, score, down in (
        ("Vote up", "[data-score]", "Vote down"),
        ("Agree", "[data-agreement]", "Disagree"),
    ):
        up_box = box_of(head.get_by_role("button", name=up, exact=True))
        score_box = box_of(head.locator(score))
        down_box = box_of(head.get_by_role("button", name=down, exact=True))
        assert up_box["x"] + up_box["width"] <= score_box["x"], f"{score} after {up}"
        assert score_box["x"] + score_box["width"] <= down_box["x"], f"{score} before {down}"
        middle = score_box["y"] + score_box["height"] / 2
        for arrow in (up_box, down_box):  # on one line
            assert arrow["y"] <= middle <= arrow["y"] + arrow["height"]
    # The arrows still vote in place and the score beside them follows.
    head.get_by_role("button", name="Vote down", exact=True).click()
    expect(head.locator("[data-score]")).to_have_text("-1 point")
    tab.finish()


def test_deep_replies_stay_readable_on_a_phone(open_tab, roundup, reader):
    """A 10-deep chain at 390 px: no sideways scrolling, and the deepest replies shown (on the
    roundup page, then past "continue this thread") keep room for their text."""
    other = factories.make_user()
    long_word = "https://example.org/" + "a-very-long-path-segment/" * 6
    comments = chain(roundup, [other, reader], 10, prefix=f"A reply with a long link {long_word}")
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto(roundup.get_absolute_url())
    shown = [c for c in comments if comment_box(page, c).count()]
    assert len(shown) >= 8, "eight levels nest on the roundup page"
    assert no_horizontal_scroll(page)
    deepest = comment_box(page, shown[-1]).locator(".comment-body").first
    assert box_of(deepest)["width"] >= MIN_DEEP_TEXT_PX
    page.get_by_role("link", name="continue this thread").first.click()
    expect(comment_box(page, comments[-1])).to_be_visible()
    assert no_horizontal_scroll(page)
    last = comment_box(page, comments[-1]).locator(".comment-body").first
    assert box_of(last)["width"] >= MIN_DEEP_TEXT_PX
    tab.finish()


def _thread_with_every_control(roundup, reader, monkeypatch):
    """Own comments (edit, delete), others' (votes), a collapsed reply, "N more replies" (more
    than REPLIES_SHOWN replies) and "load more comments" (a small part size)."""
    monkeypatch.setattr("comments.thread.parts.PART_COMMENTS", 9)
    other = factories.make_user()
    root = say(roundup, other, "A root with [a link](https://example.org) in its text.")
    mine = say(roundup, reader, "My reply.", root)
    low = say(roundup, other, "Voted down and folded.", mine)
    Comment.objects.filter(pk=low.pk).update(score=-5)
    for i in range(6):
        say(roundup, other, f"Another reply {i}.", root)
    for i in range(4):
        say(roundup, other, f"Root {i}.")
    return root, mine


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_control_in_the_thread_is_at_least_44px_on_a_phone(
    open_tab, roundup, reader, monkeypatch, signed_in
):
    root, mine = _thread_with_every_control(roundup, reader, monkeypatch)
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(PHONE)
    if signed_in:
        tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    if signed_in:  # the inline reply form's buttons too
        comment_box(page, root).get_by_role("link", name="reply", exact=True).first.click()
        expect(comment_box(page, root).get_by_label("Your reply")).to_be_visible()
    targets = page.evaluate(MEASURE_TARGETS)
    names = {t["name"] for t in targets}
    expected = {"reply", "permalink", "parent", "load more comments", "Top"}
    expected |= (
        {"Vote up", "Vote down", "Agree", "Disagree", "edit", "delete"} if signed_in else set()
    )
    assert expected <= names, f"measured: {sorted(names)}"
    assert any("more repl" in name for name in names), f"measured: {sorted(names)}"
    assert any("[+]" in name for name in names), f"the folded comment's toggle: {sorted(names)}"
    assert too_small(targets) == []
    assert no_horizontal_scroll(page)
    # The same thread drawn on a comment's own page (its parts, its sort, its path).
    tab.goto(f"/comments/{root.pk}/")
    targets = page.evaluate(MEASURE_TARGETS)
    assert {"permalink", "Top"} <= {t["name"] for t in targets}
    assert too_small(targets) == []
    assert no_horizontal_scroll(page)
    tab.finish()


def test_anonymous_reply_goes_to_the_login_and_back_to_the_reply_form(open_tab, roundup, reader):
    comment = say(roundup, factories.make_user(), "Reply to me once you are in.")
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    expect(page.locator(".login-prompt")).to_have_count(1)
    expect(page.get_by_role("link", name="log in to vote", exact=False)).to_have_count(1)
    box = comment_box(page, comment)
    expect(box.get_by_role("link", name="permalink")).to_be_visible()
    box.get_by_role("link", name="reply", exact=True).click()
    page.get_by_label("Username").fill(reader.username)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(tab.url(f"/comments/{comment.pk}/reply/"))
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    tab.finish()


@pytest.mark.skipif(not AXE.exists(), reason=f"no axe-core at {AXE}")
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_roundup_thread_is_clean_for_axe_light_and_dark_wide_and_narrow(
    open_tab, roundup, reader, signed_in
):
    other = factories.make_user()
    comments = chain(roundup, [other, reader, roundup.author], 10)
    say(roundup, other, "A second thread.")
    Comment.objects.filter(pk=comments[1].pk).update(score=-1)  # a singular negative score
    tab = open_tab(bypass_csp=True)
    page = tab.page
    if signed_in:
        tab.log_in(reader.username)
    for viewport in (DESKTOP, PHONE):
        for scheme in ("light", "dark"):
            page.set_viewport_size(viewport)
            page.emulate_media(color_scheme=scheme)
            tab.goto(roundup.get_absolute_url())
            expect(page.locator(".author-badge").first).to_be_visible()
            where = f"{viewport['width']} px, {scheme}"
            assert violations(page) == [], where
    tab.finish()


@pytest.mark.skipif(not AXE.exists(), reason=f"no axe-core at {AXE}")
def test_permalink_page_is_clean_for_axe_on_a_phone_light_and_dark(open_tab, roundup, reader):
    """The comment's own page, which now carries the thread's one login prompt."""
    comments = chain(roundup, [roundup.author, reader], 4)
    tab = open_tab(bypass_csp=True)
    page = tab.page
    page.set_viewport_size(PHONE)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        tab.goto(f"/comments/{comments[0].pk}/")
        expect(page.locator(".login-prompt")).to_have_count(1)
        assert violations(page) == [], scheme
    tab.finish()
