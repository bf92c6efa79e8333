"""Series mail in a real browser: subscribing without JavaScript, and axe on the pages it adds."""

import pytest
from playwright.sync_api import expect

from notifications import delivery
from notifications.inbox import INBOX_PAGE_SIZE
from notifications.models import Delivery, Notification, Subscription
from tests import factories
from tests.browser.test_accessibility import AXE, violations


@pytest.fixture
def series(db):
    return factories.make_series("Weekly ML", slug="weekly-ml")


def test_subscribe_by_address_and_in_one_click_without_javascript(open_tab, series, reader):
    tab = open_tab(js=False)
    page = tab.page
    tab.goto(f"/series/{series.slug}/")
    page.get_by_label("Get each new roundup of Weekly ML by email").fill("ada@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    row = Subscription.objects.get(email="ada@example.org")
    assert row.confirmed_at is None  # double opt-in: the link in the mail confirms

    tab.log_in(reader.username)
    tab.goto(f"/series/{series.slug}/")
    box = page.get_by_role("group", name="Weekly ML by email")
    box.get_by_role("button", name="Subscribe by email").click()
    expect(page.get_by_role("status")).to_contain_text(reader.email)
    assert Subscription.objects.get(user=reader).is_active
    # The box now says so, and offers the one button that undoes it.
    expect(box).to_contain_text("Subscribed by email to Weekly ML")
    expect(box.get_by_role("button", name="Subscribe by email")).to_have_count(0)
    box.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status")).to_contain_text("No more roundups")
    assert not Subscription.objects.get(user=reader).is_active
    expect(box.get_by_role("button", name="Subscribe by email")).to_be_visible()
    expect(box).not_to_contain_text("Subscribed by email")
    tab.finish()


def test_the_roundup_page_box_flips_with_javascript_on(open_tab, series, author, reader):
    """The same forms with scripts running: each post comes back to the roundup page, and its
    box and follow buttons state what the reader chose."""
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    tab = open_tab(bypass_csp=True)
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    page = tab.page
    box = page.get_by_role("group", name="Weekly ML by email")
    box.get_by_role("button", name="Subscribe by email").click()
    expect(box).to_contain_text("Subscribed by email to Weekly ML")
    assert page.url.endswith(roundup.get_absolute_url())
    if AXE.exists():
        assert violations(page) == [], "the roundup page, subscribed"
    box.get_by_role("button", name="Unsubscribe").click()
    expect(box.get_by_role("button", name="Subscribe by email")).to_be_visible()
    buttons = page.get_by_role("group", name="Notifications from this discussion")
    buttons.get_by_role("button", name="Mute").click()
    expect(buttons.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "true")
    expect(buttons).to_contain_text("You muted this discussion.")
    tab.finish()


@pytest.mark.skipif(not AXE.exists(), reason=f"no axe-core at {AXE}")
def test_the_pending_box_and_the_paged_inbox_pass_axe(open_tab, series, reader):
    Subscription.objects.create(series=series, email=reader.email)  # waiting for its link
    for n in range(INBOX_PAGE_SIZE + 1):
        Notification.objects.create(user=reader, kind="follow", text=f"Note {n}")
    tab = open_tab(bypass_csp=True)
    tab.log_in(reader.username)
    tab.goto(f"/series/{series.slug}/")
    box = tab.page.get_by_role("group", name="Weekly ML by email")
    expect(box).to_contain_text(f"A confirmation link was mailed to {reader.email}")
    assert violations(tab.page) == [], "the series page, pending"
    tab.goto("/notifications/")
    tab.page.get_by_role("link", name="Older →").click()
    expect(tab.page.get_by_role("link", name="← Newer")).to_be_visible()
    assert violations(tab.page) == [], "the inbox's second page"
    tab.finish()


@pytest.mark.skipif(not AXE.exists(), reason=f"no axe-core at {AXE}")
def test_series_mail_pages_pass_axe(open_tab, series, author):
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    Subscription.objects.create(
        series=series, email="a@example.org", confirmed_at="2026-01-01T00:00Z"
    )
    delivery.snapshot(roundup)
    Delivery.objects.update(status=Delivery.Status.UNKNOWN)
    tab = open_tab(bypass_csp=True)
    for path in (f"/series/{series.slug}/", roundup.get_absolute_url()):
        tab.goto(path)
        assert violations(tab.page) == [], path
    tab.page.goto(tab.url(f"/series/{series.slug}/subscribe/"))
    tab.page.get_by_label("Email address").fill(
        "ada@nowhere"
    )  # the browser lets it through; the server does not
    tab.page.get_by_role("button", name="Subscribe").click()
    expect(tab.page.get_by_role("alert")).to_be_visible()
    assert violations(tab.page) == [], "the subscribe page with an error"
    tab.errors.clear()  # the console's note of that 400 is the answer this step asked for
    tab.log_in(author.username)
    tab.goto(f"/roundups/{roundup.slug}/edit/")
    expect(tab.page.get_by_role("button", name="Resend 1 unknown")).to_be_visible()
    assert violations(tab.page) == [], "the edit page with its delivery counts"
    tab.finish()
