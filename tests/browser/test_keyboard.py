"""Reply, vote and collapse with the keyboard alone: Tab to reach, Enter or Space to act.

Every control is reached by pressing Tab from the top of the page, as a keyboard user would, so a
control that is not focusable (or sits behind a keyboard trap) fails here.
"""

import re

from playwright.sync_api import expect

from comments.models import Comment
from tests import factories
from tests.browser.conftest import comment_box, own_link, say

MAX_TABS = 120  # every focusable thing on a roundup page with a short thread, with room to spare


def tab_to(page, target):
    """Press Tab until ``target`` has the focus; fail if it never does."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("(el) => el === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached with {MAX_TABS} presses of Tab")


def test_reply_with_the_keyboard(open_tab, roundup, reader):
    other = factories.make_user()
    parent = say(roundup, other, "Reply to me with the keyboard.")
    tab = open_tab()
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())

    tab_to(page, own_link(page, parent, "reply"))
    page.keyboard.press("Enter")
    box = comment_box(page, parent).get_by_label("Your reply")
    expect(box).to_be_focused()
    page.keyboard.type("Typed without a mouse.")
    tab_to(page, comment_box(page, parent).get_by_role("button", name="Post reply"))
    page.keyboard.press("Enter")
    expect(comment_box(page, parent)).to_contain_text("Typed without a mouse.")
    reply = Comment.objects.get(text__body="Typed without a mouse.")
    assert reply.parent_id == parent.pk
    tab.finish()


def test_vote_with_the_keyboard(open_tab, roundup, reader):
    other = factories.make_user()
    comment = say(roundup, other, "Vote with the keyboard.")
    tab = open_tab()
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    score = comment_box(page, comment).locator("[data-score]").first
    up = comment_box(page, comment).get_by_role("button", name="Vote up").first

    tab_to(page, up)
    page.keyboard.press("Space")
    expect(score).to_have_text("1 point")
    expect(up).to_have_attribute("aria-pressed", "true")
    # The focus stays on the button, so the keyboard user keeps their place and can press again
    # to take the vote back.
    expect(up).to_be_focused()
    page.keyboard.press("Enter")
    expect(score).to_have_text("0 points")
    assert Comment.objects.get(pk=comment.pk).score == 0
    tab.finish()


def test_collapse_and_expand_with_the_keyboard(open_tab, roundup, reader):
    other = factories.make_user()
    parent = say(roundup, other, "Fold me with the keyboard.")
    child = say(roundup, reader, "A reply that folds away.", parent)
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    fold = page.locator(f"#c{parent.pk} > details > summary")

    tab_to(page, fold)
    page.keyboard.press("Enter")
    expect(comment_box(page, child)).to_be_hidden()
    expect(fold).to_contain_text(re.compile(r"1 reply hidden"))
    page.keyboard.press("Space")
    expect(comment_box(page, child)).to_be_visible()
    tab.finish()
