"""Notifications in a browser: the header's unread count after another reader's reply, the
inbox marking read, and the mail preferences on the settings page, with and without JavaScript.

The count is brought up to date by reloading the page (no polling script: the count is part of
every page, which is enough for a forum and costs no request in the background). The reply's
notification is made by a task a moment after the reply's commit (the ``task_worker`` fixture
runs them), so the reader's page is reloaded until it shows, as a person would press reload.
"""

import re
import time

from playwright.sync_api import expect

from tests import factories

from .conftest import ACTION_TIMEOUT_MS, say


def reload_until(tab, locator, timeout_ms=ACTION_TIMEOUT_MS):
    deadline = time.monotonic() + timeout_ms / 1000
    while locator.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
        tab.page.reload()
    expect(locator).to_be_visible()


def test_unread_count_updates_after_a_reply_and_the_inbox_marks_read(
    open_tab, task_worker, roundup, js
):
    reader = factories.make_user("reader")
    factories.make_user("replier")
    mine = say(roundup, reader, "A comment someone will answer.")

    tab = open_tab(js=js, suffix="-reader")
    tab.log_in("reader")
    tab.goto(roundup.get_absolute_url())
    count = tab.page.locator(".unread-count")
    expect(count).to_have_count(0)

    other = open_tab(js=js, suffix="-replier")
    other.log_in("replier")
    other.goto(f"/comments/{mine.pk}/reply/")
    other.page.get_by_label("Your comment").fill("An answer.")
    other.page.get_by_role("button", name="Post reply").click()
    expect(other.page.get_by_text("An answer.").first).to_be_visible()

    reload_until(tab, count)
    expect(count).to_have_text("(1)")
    tab.page.get_by_role("link", name=re.compile("Notifications")).first.click()
    expect(tab.page.locator(".notification.is-unread")).to_have_count(1)
    expect(tab.page.get_by_text("replier replied to your comment")).to_be_visible()
    tab.page.reload()  # the visit read it
    expect(tab.page.locator(".notification.is-unread")).to_have_count(0)
    expect(count).to_have_count(0)
    tab.finish("inbox-read")
    other.finish("replied")


def test_mail_preferences_on_the_settings_page(open_tab, js):
    factories.make_user("reader")
    tab = open_tab(js=js)
    tab.log_in("reader")
    tab.goto("/settings/")
    group = tab.page.get_by_role("group", name=re.compile("Replies to your comments"))
    expect(group.get_by_label("Immediately")).to_be_checked()
    group.get_by_label("Never").check()
    tab.page.get_by_role("button", name="Save mail settings").click()
    expect(tab.page.get_by_text("Your mail settings are saved.")).to_be_visible()
    group = tab.page.get_by_role("group", name=re.compile("Replies to your comments"))
    expect(group.get_by_label("Never")).to_be_checked()
    tab.finish("saved")
