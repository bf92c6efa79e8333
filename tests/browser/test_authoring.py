"""The author writes a roundup with three papers, previews it and publishes it, by typing into the
form. With JavaScript the third paper comes from "Add another paper"; without it, from the blank
forms that saving the draft brings."""

import re

from playwright.sync_api import expect

from roundups.models import Roundup

PAPERS = [
    ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762", "Vaswani, Shazeer"),
    ("Deep Residual Learning", "https://arxiv.org/abs/1512.03385", "He, Zhang, Ren, Sun"),
    ("Adam: A Method for Stochastic Optimization", "https://arxiv.org/abs/1412.6980", "Kingma, Ba"),
]


def fill_paper(page, number, paper):
    title, url, authors = paper
    group = page.get_by_role("group", name=re.compile(rf"^Paper {number}\b"))
    group.get_by_label("Title").fill(title)
    group.get_by_label("Paper link").fill(url)
    group.get_by_label("Authors").fill(authors)
    group.get_by_label("Abstract").fill(f"What {title} is about, in our words.")
    group.get_by_label("My opinion").fill(f"Worth reading: *{title}*.")


def test_author_writes_previews_and_publishes_a_roundup(open_tab, js, author):
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(author.username)
    page.get_by_role("link", name="New roundup").click()
    expect(page.get_by_role("heading", name="New roundup", level=1)).to_be_visible()

    about = page.get_by_role("group", name="Roundup")
    about.get_by_label("Title").fill("Week 12: attention, residuals, optimizers")
    about.get_by_label("Intro").fill("Three classics this week.")
    about.get_by_label("Outro").fill("Until next week.")
    fill_paper(page, 1, PAPERS[0])
    fill_paper(page, 2, PAPERS[1])
    if js:
        page.get_by_role("button", name="Add another paper").click()
    else:
        # Without a script there is no "add" button; saving the draft brings fresh blank forms.
        expect(page.get_by_role("button", name="Add another paper")).to_be_hidden()
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Draft saved.")).to_be_visible()
    fill_paper(page, 3, PAPERS[2])
    page.get_by_role("button", name="Save and preview").click()

    expect(page.get_by_role("note")).to_contain_text("Preview of a draft")
    titles = [title for title, _, _ in PAPERS]
    for title in titles:
        expect(page.get_by_role("link", name=title, exact=True).first).to_be_visible()
    roundup = Roundup.objects.get(title="Week 12: attention, residuals, optimizers")
    assert list(roundup.entries.order_by("position").values_list("title", flat=True)) == titles
    assert roundup.status == Roundup.Status.DRAFT
    tab.screenshot("preview")

    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(rf"/roundups/{roundup.slug}/$"))
    expect(page.get_by_text("Published.")).to_be_visible()
    expect(page.get_by_role("heading", name=roundup.title, level=1)).to_be_visible()
    roundup.refresh_from_db()
    assert roundup.status == Roundup.Status.PUBLISHED

    page.get_by_role("link", name="Roundups", exact=True).click()  # the site's name: home
    expect(page.get_by_role("link", name=roundup.title)).to_be_visible()
    tab.finish()


# --- autosave -------------------------------------------------------------------------------


def quick_autosave(page, ms=300):
    """The interval is the form's data attribute (30 s in production): short, so no test waits."""
    page.locator("form[data-autosave-url]").evaluate(
        f"form => form.setAttribute('data-autosave-interval', '{ms}')"
    )


def test_a_draft_saves_itself_and_the_text_is_there_after_a_reload(open_tab, author):
    from tests import factories

    draft = factories.make_roundup(author=author, published=False, entries=1, intro="Old intro")
    tab = open_tab()
    page = tab.page
    tab.log_in(author.username)
    tab.goto(f"/roundups/{draft.slug}/edit/")
    quick_autosave(page)
    page.get_by_role("group", name="Roundup").get_by_label("Intro").fill(
        "Typed, never saved by hand"
    )
    expect(page.get_by_role("status").filter(has_text="Saved")).to_have_text(
        re.compile(r"^Saved \d\d?:\d\d")
    )
    page.reload()
    intro = page.get_by_role("group", name="Roundup").get_by_label("Intro")
    expect(intro).to_have_value("Typed, never saved by hand")
    draft.refresh_from_db()
    assert draft.intro == "Typed, never saved by hand" and draft.status == Roundup.Status.DRAFT
    tab.finish()


def test_a_published_roundup_keeps_its_text_and_offers_the_autosave_back(open_tab, author):
    from tests import factories

    roundup = factories.make_roundup(author=author, entries=1, intro="Live intro")
    tab = open_tab()
    page = tab.page
    tab.log_in(author.username)
    tab.goto(f"/roundups/{roundup.slug}/edit/")
    quick_autosave(page)
    page.get_by_role("group", name="Roundup").get_by_label("Intro").fill("Second thoughts")
    expect(page.get_by_text("readers see the published text until you press Save")).to_be_visible()
    page.reload()
    intro = page.get_by_role("group", name="Roundup").get_by_label("Intro")
    expect(intro).to_have_value("Live intro")
    page.get_by_role("link", name=re.compile(r"^Restore unsaved changes from")).click()
    expect(intro).to_have_value("Second thoughts")
    roundup.refresh_from_db()
    assert roundup.intro == "Live intro"
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    roundup.refresh_from_db()
    assert roundup.intro == "Second thoughts"
    tab.finish()


def test_a_new_roundup_becomes_a_draft_at_its_first_autosave(open_tab, author):
    tab = open_tab()
    page = tab.page
    tab.log_in(author.username)
    tab.goto("/roundups/new/")
    quick_autosave(page)
    page.get_by_role("group", name="Roundup").get_by_label("Title").fill("Written in one go")
    expect(page).to_have_url(re.compile(r"/roundups/written-in-one-go/edit/$"))
    assert Roundup.objects.get().status == Roundup.Status.DRAFT
    page.get_by_role("group", name="Roundup").get_by_label("Intro").fill("And then some")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert Roundup.objects.get().intro == "And then some"  # one draft, no twin
    tab.finish()


def test_a_second_tab_is_told_instead_of_overwriting(open_tab, author):
    from tests import factories

    draft = factories.make_roundup(author=author, published=False, entries=1)
    first, second = open_tab(suffix="-a"), open_tab(suffix="-b")
    for tab in (first, second):
        tab.log_in(author.username)
        tab.goto(f"/roundups/{draft.slug}/edit/")
        quick_autosave(tab.page)
    first.page.get_by_role("group", name="Roundup").get_by_label("Intro").fill("From tab A")
    expect(first.page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    second.page.get_by_role("group", name="Roundup").get_by_label("Intro").fill("From tab B")
    expect(second.page.get_by_text("changed in another tab or window")).to_be_visible()
    draft.refresh_from_db()
    assert draft.intro == "From tab A"
    second.errors = [error for error in second.errors if "status of 409" not in error]
    first.finish()
    second.finish()


# --- suggestions: +1 and decline --------------------------------------------------------------


def test_a_reader_plus_ones_and_an_author_declines_a_suggestion(open_tab, js, author, reader):
    from notifications.models import Notification
    from papers.models import PaperSuggestion
    from papers.services import suggestion_create
    from tests import factories

    roundup = factories.make_roundup(author=author, entries=1)
    suggestion = suggestion_create(
        roundup=roundup, author=factories.make_user("suggester"), title="Deep Residual Learning",
        url="https://arxiv.org/abs/1512.03385", blurb="Still the baseline.",
    )  # fmt: skip
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto("/suggestions/")
    item = page.locator(".suggestion-item", has_text="Deep Residual Learning")
    expect(item).to_contain_text("Suggested by 1 reader")
    plus_one = item.get_by_role("button", name="+1 “Deep Residual Learning”")
    plus_one.click()
    expect(item).to_contain_text("Suggested by 2 readers")
    expect(plus_one).to_have_attribute("aria-pressed", "true")
    suggestion.refresh_from_db()
    assert suggestion.supporter_count == 2
    plus_one.click()  # and back
    expect(item).to_contain_text("Suggested by 1 reader")
    expect(plus_one).to_have_attribute("aria-pressed", "false")
    plus_one.click()
    expect(plus_one).to_have_attribute("aria-pressed", "true")

    desk = open_tab(js=js, suffix="-author")
    desk.log_in(author.username)
    desk.goto("/suggestions/")
    item = desk.page.locator(".suggestion-item", has_text="Deep Residual Learning")
    item.get_by_text("Decline…").click()
    item.get_by_label("Reason (the reader is told)").fill("Covered in week 3.")
    item.get_by_role("button", name="Decline").click()
    expect(desk.page.get_by_text("the reader is told why")).to_be_visible()
    expect(desk.page.locator(".suggestion-item", has_text="Deep Residual")).to_have_count(0)
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.declined_reason) == ("declined", "Covered in week 3.")
    told = Notification.objects.filter(kind="suggestion").values_list("user__username", flat=True)
    assert sorted(told) == ["reader", "suggester"]  # the suggester and the +1
    assert PaperSuggestion.objects.open().count() == 0
    tab.finish()
    desk.finish()
