"""Two vote axes as a reader uses them: approval and agreement, normal and strong, with the
mouse, without JavaScript, from the keyboard, and by pressing and holding on a touch screen.

The reader has 100 karma, so a strong vote weighs 3 and a normal one 1 (comments/karma.py).
"""

import re

from playwright.sync_api import expect

from comments.models import Comment, Karma, Vote
from tests import factories
from tests.browser.conftest import comment_box, say
from tests.browser.test_keyboard import tab_to


def earn_karma(roundup, reader, karma=100):
    """Give ``reader`` ``karma`` (the kept row: what a vote's weight is read from)."""
    Karma.objects.update_or_create(user=reader, defaults={"value": karma})


def standing(comment, user):
    return sorted(
        Vote.objects.filter(comment=comment, user=user).values_list("axis", "value", "weight")
    )


def button(page, comment, name):
    return comment_box(page, comment).get_by_role("button", name=name, exact=True).first


def test_both_axes_in_place_with_the_mouse(open_tab, roundup, reader):
    earn_karma(roundup, reader)
    comment = say(roundup, factories.make_user(), "Vote on both of my axes.")
    tab = open_tab(js=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    box = comment_box(page, comment)
    score, agreement = box.locator("[data-score]").first, box.locator("[data-agreement]").first
    expect(agreement).to_have_text("0 agreement")

    button(page, comment, "Agree").click()
    expect(agreement).to_have_text("+1 agreement")
    expect(button(page, comment, "Agree")).to_have_attribute("aria-pressed", "true")
    expect(score).to_have_text("0 points")  # the other axis does not move

    button(page, comment, "Strong vote up").click()  # the stronger arrow
    expect(score).to_have_text("3 points")
    expect(button(page, comment, "Strong vote up")).to_have_attribute("aria-pressed", "true")
    expect(box.locator(".scores").first).to_have_attribute(
        "title", "3 karma from 1 vote; agreement +1 from 1 vote"
    )
    button(page, comment, "Vote down").click(modifiers=["Shift"])  # Shift: a strong vote
    expect(score).to_have_text("-3 points")
    expect(button(page, comment, "Strong vote down")).to_have_attribute("aria-pressed", "true")
    expect(button(page, comment, "Strong vote up")).to_have_attribute("aria-pressed", "false")
    assert standing(comment, reader) == [("agreement", 1, 1), ("approval", -1, 3)]

    button(page, comment, "Strong vote down").click()  # pressed again: taken back
    expect(score).to_have_text("0 points")
    assert standing(comment, reader) == [("agreement", 1, 1)]
    assert page.evaluate("window.__sameDocument") is True
    assert Comment.objects.get(pk=comment.pk).agreement == 1
    tab.finish()


def test_both_axes_and_strong_votes_without_javascript(open_tab, roundup, reader):
    earn_karma(roundup, reader)
    comment = say(roundup, factories.make_user(), "Vote on me without a script.")
    tab = open_tab(js=False)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())

    button(page, comment, "Strongly disagree").click()  # a form button: the page comes back
    expect(page).to_have_url(re.compile(rf"#c{comment.pk}$"))
    box = comment_box(page, comment)
    expect(box.locator("[data-agreement]").first).to_have_text("-3 agreement")
    expect(button(page, comment, "Strongly disagree")).to_have_attribute("aria-pressed", "true")

    button(page, comment, "Vote up").click()
    expect(box.locator("[data-score]").first).to_have_text("1 point")
    expect(button(page, comment, "Vote up")).to_have_attribute("aria-pressed", "true")
    button(page, comment, "Strongly disagree").click()  # pressed: takes it back
    expect(box.locator("[data-agreement]").first).to_have_text("0 agreement")
    assert standing(comment, reader) == [("approval", 1, 1)]
    tab.finish()


def test_both_axes_from_the_keyboard_with_shift_for_strong(open_tab, roundup, reader):
    earn_karma(roundup, reader)
    comment = say(roundup, factories.make_user(), "Vote on me with the keyboard.")
    tab = open_tab(js=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    box = comment_box(page, comment)

    up = button(page, comment, "Vote up")
    tab_to(page, up)
    page.keyboard.press("Shift+Enter")  # the modifier makes it strong
    expect(box.locator("[data-score]").first).to_have_text("3 points")
    expect(up).to_be_focused()

    agree = button(page, comment, "Agree")
    tab_to(page, agree)
    page.keyboard.press("Space")  # a normal vote
    expect(box.locator("[data-agreement]").first).to_have_text("+1 agreement")
    expect(agree).to_be_focused()
    page.keyboard.press("Enter")  # pressed again: taken back
    expect(box.locator("[data-agreement]").first).to_have_text("0 agreement")
    assert standing(comment, reader) == [("approval", 1, 3)]
    tab.finish()


def test_press_and_hold_on_touch_casts_a_strong_vote(open_tab, roundup, reader):
    earn_karma(roundup, reader)
    comment = say(roundup, factories.make_user(), "Hold to vote strongly.")
    tab = open_tab(js=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    agree = button(page, comment, "Agree")
    agree.dispatch_event("pointerdown", {"pointerType": "touch", "isPrimary": True})
    agreement = comment_box(page, comment).locator("[data-agreement]").first
    expect(agreement).to_have_text("+3 agreement")  # held long enough: strong
    agree.dispatch_event("pointerup", {"pointerType": "touch", "isPrimary": True})
    agree.dispatch_event("click")  # the tap that ends the hold is not a second vote
    page.wait_for_timeout(300)
    expect(agreement).to_have_text("+3 agreement")
    assert standing(comment, reader) == [("agreement", 1, 3)]

    # A short tap is a normal vote (here: a different one, so the strong one is replaced).
    disagree = button(page, comment, "Disagree")
    disagree.dispatch_event("pointerdown", {"pointerType": "touch", "isPrimary": True})
    disagree.dispatch_event("pointerup", {"pointerType": "touch", "isPrimary": True})
    disagree.click()
    expect(agreement).to_have_text("-1 agreement")
    assert standing(comment, reader) == [("agreement", -1, 1)]
    tab.finish()
