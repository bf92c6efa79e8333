"""Reading a roundup in a browser (issue #11): links to ``#comments`` land on the discussion
with nothing opened by itself; the contents stay beside the text on a wide screen and at the top
on a phone; a long abstract folds to a few lines and opens without JavaScript; axe stays clean."""

import re

from playwright.sync_api import expect

from comments.models import Comment, Vote
from comments.services import comment_create
from comments.thread.tree import MAX_DEPTH
from roundups.models import ABSTRACT_FOLD_CHARS
from tests import factories
from tests.browser.conftest import (
    PASSWORD,
    PASSWORD_LABEL,
    comment_box,
    depth_on_page,
    own_link,
    say,
)
from tests.browser.test_accessibility import AXE, violations

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


def lands_on_the_discussion(page):
    """The "N comments" heading is in view and no <details> in the section opened itself."""
    expect(page.locator("#comments-title")).to_be_in_viewport()
    assert page.locator("#comments details.suggest-paper").evaluate("d => d.open") is False
    assert page.locator("#comments details[open]:not(.comment-fold)").count() == 0


def test_comments_links_land_on_the_discussion(open_tab, js, author, reader):
    roundup = factories.make_roundup(author=author, entries=6)
    say(roundup, reader, "A first thought.")
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(reader.username)
    page.set_viewport_size(DESKTOP)

    tab.goto("/")  # home: the roundup's "1 comment" link
    page.get_by_role("link", name="1 comment").first.click()
    page.wait_for_url(f"**{roundup.get_absolute_url()}#comments")
    lands_on_the_discussion(page)
    # The comments themselves stay open.
    expect(page.get_by_text("A first thought.")).to_be_visible()

    # The roundup header's own count links there too.
    page.goto(tab.url("/"))
    tab.goto(roundup.get_absolute_url())
    page.locator(".comment-count-link").click()
    lands_on_the_discussion(page)
    tab.finish("header-link")


def test_login_return_lands_on_the_discussion(open_tab, js, author, reader):
    roundup = factories.make_roundup(author=author, entries=6)
    tab = open_tab(js=js)
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.goto(roundup.get_absolute_url())
    page.locator(".login-prompt").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(reader.username)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{roundup.get_absolute_url()}#comments")
    lands_on_the_discussion(page)
    tab.finish()


def _long_roundup(author):
    roundup = factories.make_roundup(author=author)
    for _ in range(6):
        factories.make_entry(
            roundup,
            abstract="A long abstract that goes on. " * (ABSTRACT_FOLD_CHARS // 15),
            opinion="My opinion, all of it, " * 20 + "the end.",
        )
    return roundup


def test_contents_stay_beside_the_text_on_desktop_and_at_the_top_on_a_phone(open_tab, author):
    roundup = _long_roundup(author)
    tab = open_tab(js=False)
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.goto(roundup.get_absolute_url())
    toc = page.locator("nav.toc")
    intro = page.locator(".roundup-body .intro")
    assert toc.bounding_box()["x"] > intro.bounding_box()["x"] + intro.bounding_box()["width"]
    page.locator("#paper-5").scroll_into_view_if_needed()
    expect(toc).to_be_in_viewport()  # sticky: still in view far down the page
    tab.screenshot("desktop")

    page.set_viewport_size(PHONE)
    page.goto(tab.url(roundup.get_absolute_url()))
    toc_box, intro_box = toc.bounding_box(), intro.bounding_box()
    assert toc_box["y"] > intro_box["y"] and abs(toc_box["x"] - intro_box["x"]) < 2
    assert toc_box["y"] < page.locator("#paper-1").bounding_box()["y"]
    page.locator("#paper-5").scroll_into_view_if_needed()
    expect(toc).not_to_be_in_viewport()  # at the top only
    tab.finish("phone")


def test_a_long_abstract_folds_and_opens_without_javascript(open_tab, author):
    roundup = _long_roundup(author)
    tab = open_tab(js=False)
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto(roundup.get_absolute_url())
    paper = page.locator("#paper-1")
    abstract = paper.locator("blockquote.abstract")
    folded = abstract.bounding_box()["height"]
    assert abstract.evaluate("b => getComputedStyle(b).fontStyle") == "normal"
    line = abstract.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    assert folded < 7 * line  # a few lines
    opinion = paper.locator(".opinion")
    assert opinion.evaluate("o => o.scrollHeight <= o.clientHeight")  # the opinion: all of it
    paper.get_by_text("Show the whole abstract").click()
    assert abstract.bounding_box()["height"] > 2 * folded
    expect(paper.get_by_text("Show less of the abstract")).to_be_visible()
    tab.finish()


def test_a_long_roundup_is_clean_for_axe(open_tab, author, reader):
    if not AXE.exists():
        return
    roundup = _long_roundup(author)
    comment_create(
        roundup=roundup,
        author=reader,
        body="About the first paper.",
        paper_entry=roundup.entries.first(),
        enforce_rate_limit=False,
    )
    tab = open_tab(bypass_csp=True)
    for size in (DESKTOP, PHONE):
        tab.page.set_viewport_size(size)
        # Landed on the discussion on a desktop; from the top on a phone (a new load either way).
        tab.goto(roundup.get_absolute_url() + ("#comments" if size is DESKTOP else ""))
        assert violations(tab.page) == [], size
    tab.finish()


def _paper_chain(author, reader, other, length):
    """A roundup's paper with a chain of ``length`` comments about it (each replying)."""
    roundup = factories.make_roundup(author=author)
    entry = factories.make_entry(roundup, url="https://arxiv.org/abs/1706.03762")
    comments, parent = [], None
    for level in range(length):
        parent = comment_create(
            roundup=roundup,
            author=(reader, other)[level % 2],
            body=f"paper level {level}",
            parent=parent,
            paper_entry=entry if parent is None else None,
            enforce_rate_limit=False,
        )
        comments.append(parent)
    return entry, comments


def test_paper_page_thread_nests_like_the_roundup_page(open_tab, author, reader):
    other = factories.make_user()
    entry, comments = _paper_chain(author, reader, other, MAX_DEPTH + 2)
    tab = open_tab(js=False)
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.goto(f"/papers/{entry.paper_key}/")
    lefts = []
    for level, comment in enumerate(comments[:MAX_DEPTH]):  # levels 0 .. MAX_DEPTH - 1
        assert depth_on_page(page, comment.pk) == level
        lefts.append(comment_box(page, comment).bounding_box()["x"])
    assert lefts == sorted(set(lefts)), "every level indented further than its parent"
    # Deeper than the page nests: behind "continue this thread", not drawn flush.
    assert comment_box(page, comments[MAX_DEPTH]).count() == 0
    deepest = comment_box(page, comments[MAX_DEPTH - 1])
    expect(deepest.get_by_role("link", name=re.compile("continue this thread"))).to_be_visible()
    tab.finish()


def test_reply_and_vote_on_the_paper_page(open_tab, js, author, reader):
    other = factories.make_user()
    entry, (root,) = _paper_chain(author, other, other, 1)
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(f"/papers/{entry.paper_key}/")
    box = comment_box(page, root)
    if js:  # in place: the score changes, the reply appears under the comment
        box.get_by_role("button", name="Vote up").first.click()
        expect(box.locator("[data-score]").first).to_have_text("1 point")
        assert Vote.objects.get(comment=root, user=reader).value == 1
        own_link(page, root, "reply").click()
        box.get_by_label("Your reply").fill("Replying from the paper page.")
        box.get_by_role("button", name="Post reply").click()
        expect(box.get_by_text("Replying from the paper page.")).to_be_visible()
    else:  # the reply form's own page
        own_link(page, root, "reply").click()
        page.get_by_label("Your comment").fill("Replying from the paper page.")
        page.get_by_role("button", name="Post reply").click()
        expect(page.get_by_text("Replying from the paper page.")).to_be_visible()
    reply = Comment.objects.get(text__body="Replying from the paper page.")
    assert (reply.parent_id, reply.paper_entry_id, reply.author) == (root.pk, entry.pk, reader)
    tab.finish()


def test_paper_page_has_the_thread_keys_their_help_and_the_skip_link(open_tab, author, reader):
    other = factories.make_user()
    entry, comments = _paper_chain(author, reader, other, 2)
    tab = open_tab()
    page = tab.page
    tab.goto(f"/papers/{entry.paper_key}/")
    page.keyboard.press("Tab")  # the first stop: the way to the discussion
    skip = page.get_by_role("link", name="Skip to discussion")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#discussion$"))
    current = page.locator(".thread .comment.is-current")
    page.keyboard.press("j")
    expect(current).to_have_attribute("id", f"c{comments[0].pk}")
    page.keyboard.press("j")
    expect(current).to_have_attribute("id", f"c{comments[1].pk}")
    page.keyboard.press("?")
    help_ = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()
    tab.finish()


def test_paper_page_thread_is_clean_for_axe(open_tab, author, reader):
    if not AXE.exists():
        return
    other = factories.make_user()
    entry, _ = _paper_chain(author, other, other, 3)
    tab = open_tab(bypass_csp=True)
    tab.goto(f"/papers/{entry.paper_key}/")
    assert violations(tab.page) == [], "as an anonymous reader"
    tab.log_in(reader.username)
    tab.page.set_viewport_size(PHONE)
    tab.goto(f"/papers/{entry.paper_key}/")
    assert violations(tab.page) == [], "signed in, on a phone"
    tab.finish()


# --- new since the last visit (issue #11) -------------------------------------------------


def test_new_markers_stay_for_the_whole_visit_and_since_picks_the_span(
    open_tab, js, roundup, reader
):
    """A reload within the visit keeps the markers; the "since" control (a plain GET form)
    picks another span, and keeps the sort."""
    from datetime import timedelta

    from django.utils import timezone

    from comments.models import ReadMarker

    other = factories.make_user()
    older = say(roundup, other, "Three days old.")
    Comment.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    ReadMarker.objects.create(
        user=reader, roundup=roundup, last_seen_at=timezone.now() - timedelta(hours=2)
    )
    fresh = say(roundup, other, "Posted since the last visit.")
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url() + "?sort=old")
    new = page.locator(".thread .comment.is-new")
    expect(new).to_have_count(1)
    expect(comment_box(page, fresh)).to_have_class(re.compile(r"\bis-new\b"))
    expect(page.get_by_text("1 new comment")).to_be_visible()
    page.reload()
    expect(new).to_have_count(1)  # still new: the same visit
    expect(comment_box(page, fresh)).to_have_class(re.compile(r"\bis-new\b"))

    page.get_by_label("Mark new since").select_option("week")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"since=week"))
    expect(page).to_have_url(re.compile(r"sort=old"))
    expect(new).to_have_count(2)
    expect(page.get_by_text("2 new comments")).to_be_visible()
    page.get_by_label("Mark new since").select_option("all")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(new).to_have_count(0)
    tab.finish()
