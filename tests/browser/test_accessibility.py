"""axe-core finds no serious or critical accessibility violation on the main pages.

axe-core comes from the npm registry (tests/browser/package.json, ``npm ci --prefix
tests/browser``) and is injected into each page by the test. The site's Content-Security-Policy
(script-src 'self') forbids exactly that kind of injected script, so these tests, and only these,
use a browser context with ``bypass_csp``: the pages themselves are unchanged.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import chain, comment_box, own_link, say

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

pytestmark = pytest.mark.skipif(
    not AXE.exists(), reason=f"no axe-core at {AXE}: run `npm ci --prefix tests/browser`"
)


def violations(page) -> list[str]:
    """Serious and critical axe violations on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def test_home_page(open_tab, author):
    for _ in range(3):
        factories.make_roundup(author=author, entries=2)
    tab = open_tab(bypass_csp=True)
    tab.goto("/")
    assert violations(tab.page) == []
    tab.finish()


def test_roundup_page_with_a_thread(open_tab, roundup, reader, moderator):
    other = factories.make_user()
    comments = chain(roundup, [other, reader], 10)  # deep enough for "continue this thread"
    say(roundup, other, "A second thread.")
    tab = open_tab(bypass_csp=True)
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    assert violations(page) == [], "as an anonymous reader"

    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    own_link(page, comments[0], "reply").click()  # the inline reply form, opened by the script
    expect(comment_box(page, comments[0]).get_by_label("Your reply")).to_be_visible()
    assert violations(page) == [], "as a logged-in reader with a reply form open"
    tab.finish()


def test_roundup_page_in_parts(open_tab, roundup, reader, monkeypatch):
    """ "N more replies" and "load more comments", before and after the script loads them."""
    monkeypatch.setattr("comments.thread.parts.PART_COMMENTS", 9)
    other = factories.make_user()
    roots = [say(roundup, other, f"Root {i}.") for i in range(7)]
    for i in range(7):
        say(roundup, reader, f"Reply {i}.", roots[0])
    tab = open_tab(bypass_csp=True)
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    assert violations(page) == [], "the first part"
    page.get_by_role("link", name="2 more replies").click()
    page.get_by_role("link", name="load more comments").click()
    expect(page.locator("[data-load-more][aria-busy]")).to_have_count(0)
    expect(page.locator(f"#c{roots[4].pk}")).to_have_count(1)
    assert violations(page) == [], "with more replies and comments loaded in place"
    tab.finish()


def test_login_page(open_tab):
    tab = open_tab(bypass_csp=True)
    tab.goto("/accounts/login/")
    assert violations(tab.page) == []
    tab.finish()


def test_roundup_form(open_tab, author):
    tab = open_tab(bypass_csp=True)
    tab.log_in(author.username)
    tab.goto("/roundups/new/")
    assert violations(tab.page) == []
    tab.finish()


def test_import_page(open_tab, author):
    tab = open_tab(bypass_csp=True)
    tab.log_in(author.username)
    tab.goto("/roundups/import")
    assert violations(tab.page) == []
    tab.finish()


def test_settings_and_api_tokens_pages(open_tab, reader):
    from api.models import ApiToken

    ApiToken.objects.issue(reader, name="a script")
    tab = open_tab(bypass_csp=True)
    tab.log_in(reader.username)
    tab.goto("/settings/")
    assert violations(tab.page) == []
    tab.goto("/settings/tokens/")
    tab.page.get_by_label("Name").fill("backup job")
    tab.page.get_by_role("button", name="Create a token").click()
    expect(tab.page.get_by_text("shown only this once")).to_be_visible()
    assert violations(tab.page) == [], "with a new token shown and two listed"
    tab.finish()


def test_drafts_edit_and_preview_pages_with_a_schedule(open_tab, author):
    from datetime import timedelta

    from django.utils import timezone

    from roundups.models import Roundup
    from roundups.services import NO_PAPERS

    scheduled = factories.make_roundup(author=author, published=False, entries=2)
    Roundup.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() + timedelta(days=1))
    factories.make_roundup(
        author=author,
        published=False,
        publish_error=NO_PAPERS,
        publish_error_at=timezone.now() - timedelta(hours=1),
    )
    tab = open_tab(bypass_csp=True)
    tab.log_in(author.username)
    tab.goto("/drafts/")
    assert violations(tab.page) == [], "the drafts page"
    tab.goto(f"/roundups/{scheduled.slug}/edit/")
    assert violations(tab.page) == [], "the edit page with its Schedule fieldset"
    tab.goto(f"/roundups/{scheduled.slug}/preview/")
    assert violations(tab.page) == [], "the preview with its schedule form"
    tab.page.get_by_label("Publish at").fill("2020-01-01T10:00")
    tab.page.get_by_role("button", name="Schedule").click()
    expect(tab.page.get_by_text("Choose a time in the future.")).to_be_visible()
    assert violations(tab.page) == [], "the preview with a refused time"
    # The refused form answers 400 on purpose (bad input); Chromium logs that as an error.
    tab.errors = [error for error in tab.errors if "status of 400" not in error]


def test_comment_box_preview_and_moderation_in_the_open(open_tab, roundup, reader, moderator):
    """The comment box with its count and preview shown, a moderator's note under a comment,
    a log entry and the public history of a moderated comment."""
    from comments.models import ModerationAction
    from comments.services import comment_edit

    comment = say(roundup, reader, "Words with a broken link.")
    comment_edit(comment=comment, by=moderator, body="Words, link fixed.", reason="Broken link")
    entry = ModerationAction.objects.get(comment=comment)
    tab = open_tab(bypass_csp=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page.get_by_label("Your comment").fill("A *preview* " + "x" * 10_010)
    page.get_by_role("button", name="Preview").first.click()
    expect(page.locator(".new-comment-form .preview-error")).to_contain_text("the limit is")
    assert violations(page) == [], "the comment box over the limit, with the preview's refusal"
    # The refusal is a 400, which Chromium logs as a failed load: expected here.
    tab.errors = [error for error in tab.errors if "/comments/preview/" not in error]
    page.get_by_label("Your comment").fill("A *preview*")
    page.get_by_role("button", name="Preview").first.click()
    expect(page.locator(".new-comment-form .preview-body em")).to_have_text("preview")
    assert violations(page) == [], "the thread with the comment box's preview and a note"
    for path in (f"/moderation/log/{entry.pk}/", f"/comments/{comment.pk}/history/"):
        tab.goto(path)
        assert violations(page) == [], path
    tab.finish()


def test_thread_navigation_help_open_and_continue_page(open_tab, roundup, reader):
    """The keyboard help popover open, the "since" control, the skip link and the "continue
    this thread" page with its parents (issue #11)."""
    other = factories.make_user()
    comments = chain(roundup, [other, reader], 4)
    tab = open_tab(bypass_csp=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page.keyboard.press("j")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert violations(page) == [], "roundup page with the keyboard help open"

    tab.goto(f"/comments/{comments[-1].pk}/")
    expect(page.locator(".thread-ancestor")).to_have_count(3)
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert violations(page) == [], "continue page with its parents and the help open"
    tab.finish()


def test_suggestions_profile_drafts_and_the_restore_offer(open_tab, author, reader):
    from papers.services import suggestion_create
    from roundups.autosave import autosave_keep

    roundup = factories.make_roundup(author=author, entries=1)
    factories.make_roundup(author=author, published=False, title="A draft in hand")
    suggestion_create(roundup=roundup, author=reader, title="Adam",
                      url="https://arxiv.org/abs/1412.6980", blurb="Worth a look.")  # fmt: skip
    autosave_keep(roundup=roundup, by=author, data={"intro": ["Unsaved"]})
    tab = open_tab(bypass_csp=True)
    tab.log_in(author.username)
    tab.goto("/suggestions/")
    tab.page.get_by_text("Decline…").click()
    assert violations(tab.page) == [], "suggestions, as an author, with the decline form open"
    tab.goto(f"/users/{author.username}/")
    expect(tab.page.get_by_role("heading", name="Your drafts")).to_be_visible()
    assert violations(tab.page) == [], "your own profile with your drafts"
    tab.goto(f"/roundups/{roundup.slug}/edit/")
    expect(tab.page.get_by_role("link", name=re.compile("Restore unsaved changes"))).to_be_visible()
    assert violations(tab.page) == [], "the edit page offering an autosave back"
    tab.finish()
    reading = open_tab(bypass_csp=True, suffix="-reader")
    reading.log_in(reader.username)
    reading.goto("/suggestions/")
    assert violations(reading.page) == [], "suggestions, as a reader"
    reading.finish()
