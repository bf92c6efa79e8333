"""Reply, vote and collapse with the keyboard alone: Tab to reach, Enter or Space to act.

Every control is reached by pressing Tab from the top of the page, as a keyboard user would, so a
control that is not focusable (or sits behind a keyboard trap) fails here.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment, ReadMarker
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


# --- shortcuts (static/js/keys.js): j/k, n, r, ?, Ctrl/Cmd+Enter, and "Skip to discussion" ---


def current(page):
    """The comment the j/k keys are on."""
    return page.locator(".thread .comment.is-current")


def test_j_and_k_move_between_visible_comments_and_skip_collapsed_replies(
    open_tab, roundup, reader
):
    other = factories.make_user()
    first = say(roundup, other, "First of the thread.")
    hidden = say(roundup, reader, "A reply folded away.", first)
    second = say(roundup, other, "Second of the thread.")
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())

    page.keyboard.press("j")
    expect(comment_box(page, first)).to_be_focused()
    expect(current(page)).to_have_id(f"c{first.pk}")
    page.keyboard.press("j")
    expect(comment_box(page, hidden)).to_be_focused()  # open: its reply is next
    page.keyboard.press("k")
    expect(comment_box(page, first)).to_be_focused()

    page.locator(f"#c{first.pk} > details > summary").click()  # collapse the first comment
    page.keyboard.press("j")
    expect(comment_box(page, second)).to_be_focused()  # its reply is skipped
    expect(current(page)).to_have_count(1)
    page.keyboard.press("k")
    expect(comment_box(page, first)).to_be_focused()
    # A visible mark of where the keys are, beside the focus ring.
    shadow = comment_box(page, first).evaluate("(el) => getComputedStyle(el).boxShadow")
    assert shadow != "none"
    tab.finish()


def test_j_scrolls_the_comment_into_view(open_tab, roundup, reader):
    other = factories.make_user()
    comments = [say(roundup, other, f"Comment number {i}.\n\n" + "Long. " * 80) for i in range(12)]
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    expect(comment_box(page, comments[-1])).not_to_be_in_viewport()
    for _ in comments:
        page.keyboard.press("j")
    expect(comment_box(page, comments[-1])).to_be_focused()
    expect(comment_box(page, comments[-1])).to_be_in_viewport()
    tab.finish()


def test_j_reaches_comments_of_a_part_loaded_in_place(open_tab, roundup, reader, monkeypatch):
    monkeypatch.setattr("comments.thread.parts.PART_COMMENTS", 4)
    other = factories.make_user()
    roots = [say(roundup, other, f"Root number {i}.") for i in range(7)]
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    first_part = page.locator(".thread .comment").evaluate_all("(els) => els.map((e) => e.id)")
    assert len(first_part) < len(roots)
    page.get_by_role("link", name="load more comments").click()
    expect(page.locator(".thread .comment")).not_to_have_count(len(first_part))
    expect(page.locator("[data-load-more][aria-busy]")).to_have_count(0)
    page.locator("body").click(position={"x": 5, "y": 5})  # the focus away from the thread
    shown = page.locator(".thread .comment").count()
    for _ in range(shown):
        page.keyboard.press("j")
    last = page.locator(".thread .comment").last
    expect(last).to_be_focused()
    expect(current(page)).to_have_count(1)
    assert last.get_attribute("id") not in first_part  # a comment of the part loaded in place
    tab.finish()


def test_n_goes_from_new_comment_to_new_comment_opening_folds(open_tab, roundup, reader):
    other = factories.make_user()
    seen = say(roundup, other, "Seen before.")
    Comment.objects.filter(pk=seen.pk).update(created_at=timezone.now() - timedelta(hours=3))
    ReadMarker.objects.create(
        user=reader, roundup=roundup, last_seen_at=timezone.now() - timedelta(hours=2)
    )
    buried = say(roundup, other, "Voted down, starts folded.")
    Comment.objects.filter(pk=buried.pk).update(score=-9)
    inside = say(roundup, other, "New, inside a fold.", buried)
    last = say(roundup, other, "New, at the end.")
    tab = open_tab()
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url() + "?sort=old")
    expect(page.locator(".comment.is-new")).to_have_count(3)

    page.keyboard.press("n")
    expect(comment_box(page, buried)).to_be_focused()
    page.keyboard.press("n")
    expect(comment_box(page, inside)).to_be_focused()
    expect(comment_box(page, inside)).to_be_visible()  # its parent's fold was opened
    page.keyboard.press("n")
    expect(comment_box(page, last)).to_be_focused()
    page.keyboard.press("n")  # no more new ones: it stays
    expect(comment_box(page, last)).to_be_focused()
    tab.finish()


def test_r_replies_to_the_current_comment_and_ctrl_enter_posts(open_tab, roundup, reader):
    other = factories.make_user()
    first = say(roundup, other, "Not this one.")
    target = say(roundup, other, "Reply to me with r.")
    tab = open_tab()
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(comment_box(page, target)).to_be_focused()
    page.keyboard.press("r")
    box = comment_box(page, target).get_by_label("Your reply")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the r itself is not typed into the box
    page.keyboard.type("jk r? typed freely")  # keys do nothing while typing
    expect(box).to_have_value("jk r? typed freely")
    expect(page.locator("#keys-help")).to_be_hidden()
    box.press("Control+Enter")
    expect(comment_box(page, target)).to_contain_text("jk r? typed freely")
    reply = Comment.objects.get(text__body="jk r? typed freely")
    assert reply.parent_id == target.pk
    assert not Comment.objects.filter(parent=first).exists()
    tab.finish()


def test_cmd_enter_posts_too(open_tab, roundup, reader):
    tab = open_tab()
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page.get_by_label("Your comment").fill("Posted with Cmd+Enter.")
    page.get_by_label("Your comment").press("Meta+Enter")
    expect(page.locator(".thread")).to_contain_text("Posted with Cmd+Enter.")
    assert Comment.objects.get().author == reader
    tab.finish()


def test_r_signed_out_goes_to_log_in_and_back(open_tab, roundup, reader):
    comment = say(roundup, reader, "Reply to me after logging in.")
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert f"next=/comments/{comment.pk}/reply/" in page.url  # back to the reply form
    tab.finish()


def test_keys_do_nothing_with_modifiers_or_in_a_box(open_tab, roundup, reader):
    say(roundup, reader, "A comment.")
    tab = open_tab()
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page.keyboard.press("Alt+j")
    page.keyboard.press("Control+k")
    expect(current(page)).to_have_count(0)
    box = page.get_by_label("Your comment")
    box.click()
    page.keyboard.type("j?n")
    expect(box).to_have_value("j?n")
    expect(current(page)).to_have_count(0)
    expect(page.locator("#keys-help")).to_be_hidden()
    page.get_by_label("Search roundups, papers and comments").fill("jkn")
    expect(current(page)).to_have_count(0)
    tab.finish()


def test_help_popover_opens_with_the_button_or_question_mark_and_esc_closes_it(
    open_tab, roundup, reader
):
    say(roundup, reader, "A comment.")
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    button = page.get_by_role("button", name="Keyboard shortcuts")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_hidden()

    button.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "true")
    for key in ("j", "k", "n", "r", "?", "Enter"):
        expect(dialog.locator("kbd", has_text=re.compile(rf"^{re.escape(key)}$"))).to_have_count(1)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()  # the focus goes back where it was
    expect(button).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("j")
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    page.keyboard.press("?")
    expect(dialog).to_be_hidden()
    expect(page.locator(".thread .comment").first).to_be_focused()
    page.keyboard.press("?")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    tab.finish()


def test_without_javascript_no_shortcuts_button(open_tab, roundup, reader):
    say(roundup, reader, "A comment.")
    tab = open_tab(js=False)
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_have_count(0)
    expect(page.get_by_role("link", name="Skip to discussion")).to_have_count(1)
    tab.finish()


def test_skip_to_discussion_is_the_first_stop_and_lands_on_the_thread(open_tab, roundup, reader):
    comment = say(roundup, reader, "The discussion starts here.")
    tab = open_tab()
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    skip = page.get_by_role("link", name="Skip to discussion")
    expect(skip).not_to_be_in_viewport()  # off screen until focused
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#comments$"))
    expect(page.locator("#comments")).to_be_in_viewport()
    # The next Tab goes on from the discussion, not from the top of the page.
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!document.activeElement.closest('#comments')")
    assert inside
    assert comment.pk
    tab.finish()
