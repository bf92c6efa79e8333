"""Sign up and log in, by typing into the forms."""

from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD_LABEL


def test_sign_up_then_log_out_and_log_in(open_tab, js):
    tab = open_tab(js=js)
    page = tab.page
    tab.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label("Username").fill("newreader")
    page.get_by_label("Email").fill("newreader@example.org")
    page.get_by_label(PASSWORD_LABEL).fill("a-long-enough-passphrase-9")
    page.get_by_label("Password confirmation").fill("a-long-enough-passphrase-9")
    page.get_by_role("button", name="Sign up").click()

    # Signed in straight away, on the home page.
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("navigation", name="Site")).to_contain_text("newreader")
    assert User.objects.filter(username="newreader", email="newreader@example.org").exists()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("newreader")
    page.get_by_label(PASSWORD_LABEL).fill("a-long-enough-passphrase-9")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Site")).to_contain_text("newreader")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    tab.finish()


def test_wrong_password_is_refused_with_a_message(open_tab, reader):
    tab = open_tab()
    page = tab.page
    tab.goto("/accounts/login/")
    page.get_by_label("Username").fill(reader.username)
    page.get_by_label(PASSWORD_LABEL).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    tab.finish()
