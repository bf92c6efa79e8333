"""Series mail in a real browser: subscribing without JavaScript, and axe on the pages it adds."""

import pytest
from playwright.sync_api import expect

from notifications import delivery
from notifications.models import Delivery, Subscription
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
    page.get_by_role("button", name="Email me each new roundup of Weekly ML").click()
    expect(page.get_by_role("status")).to_contain_text(reader.email)
    assert Subscription.objects.get(user=reader).is_active
    page.get_by_role("button", name="Stop emailing me").click()
    expect(page.get_by_role("status")).to_contain_text("No more roundups")
    assert not Subscription.objects.get(user=reader).is_active
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
