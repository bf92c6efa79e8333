"""The comment box in a browser: a long paste is kept whole and counted (no silent cut at the
limit) and refused on submit; Preview shows the server's sanitized HTML (in place with
JavaScript, as a re-rendered form without); Ctrl+Enter posts; "Quote" on selected text puts a
Markdown block quote in the reply box."""

import re

from django.conf import settings
from playwright.sync_api import expect

from comments.models import Comment
from tests import factories
from tests.browser.conftest import comment_box, say


def test_a_long_paste_is_kept_counted_and_refused(open_tab, roundup, reader):
    tab = open_tab(js=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    limit = settings.COMMENT_MAX_LENGTH
    box = page.get_by_label("Your comment")
    box.fill("x" * (limit + 50))  # as a paste: one input event with the whole text
    assert len(box.input_value()) == limit + 50  # nothing cut
    counter = page.locator(".new-comment-form .char-count")
    expect(counter).to_contain_text(f"{limit + 50:,} / {limit:,} characters")
    expect(counter).to_contain_text("50 over the limit")
    page.get_by_role("button", name="Post comment").click()
    expect(counter).to_contain_text("Too long to post")
    assert not Comment.objects.exists()
    box.fill("Short enough.")
    expect(counter).to_have_text(f"13 / {limit:,} characters")
    tab.finish()


def test_preview_in_place_then_ctrl_enter_posts(open_tab, roundup, reader):
    tab = open_tab(js=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    box = page.get_by_label("Your comment")
    box.fill("A **bold** claim <script>window.__hacked = 1</script>")
    page.get_by_role("button", name="Preview").first.click()
    preview = page.locator(".new-comment-form .preview-body")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("script")).to_have_count(0)
    assert page.evaluate("window.__hacked === undefined")
    assert not Comment.objects.exists()  # a preview writes nothing
    box.press("Control+Enter")
    expect(page.locator(".thread .comment-body strong")).to_have_text("bold")
    assert Comment.objects.get().author == reader
    tab.finish()


def test_preview_without_javascript_rerenders_the_form(open_tab, roundup, reader):
    tab = open_tab(js=False)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page.get_by_label("Your comment").fill("An _emphatic_ note")
    page.get_by_role("button", name="Preview").first.click()
    expect(page.locator(".comment-preview em")).to_have_text("emphatic")
    expect(page.get_by_label("Your comment")).to_have_value("An _emphatic_ note")
    assert not Comment.objects.exists()
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".thread .comment-body em")).to_have_text("emphatic")
    assert Comment.objects.count() == 1
    tab.finish()


def test_quote_selected_text_into_the_reply(open_tab, roundup, reader):
    other = factories.make_user()
    comment = say(roundup, other, "First line of the argument.\n\nSecond part, not quoted.")
    tab = open_tab(js=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    paragraph = comment_box(page, comment).locator(".comment-body p").first
    paragraph.evaluate(
        """p => { const range = document.createRange(); range.selectNodeContents(p);
                  const s = getSelection(); s.removeAllRanges(); s.addRange(range); }"""
    )
    quote = comment_box(page, comment).get_by_role("button", name="Quote")
    quote.click()
    box = comment_box(page, comment).get_by_label("Your reply")
    expect(box).to_have_value(re.compile(r"^> First line of the argument\.\n\n$"))
    expect(box).to_be_focused()
    tab.finish()
