"""A reader in the thread: reply, nested reply, vote, sort, collapse, permalink and "continue
this thread". Each flow runs with JavaScript (inline forms, in-place votes) and without it
(plain forms and links), except in-place voting, which only exists with JavaScript."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment, Vote
from comments.services import vote_cast
from comments.thread.parts import REPLIES_SHOWN
from comments.thread.tree import MAX_DEPTH
from tests import factories
from tests.browser.conftest import chain, comment_box, depth_on_page, own_link, say


def reply_to(tab, parent, text, *, js):
    """Press "reply" under ``parent``, type, post. Returns the stored reply."""
    page = tab.page
    own_link(page, parent, "reply").click()
    if js:
        # The inline form opens under the comment, with the focus in it.
        box = comment_box(page, parent).get_by_label("Your reply")
        expect(box).to_be_focused()
        box.fill(text)
        comment_box(page, parent).get_by_role("button", name="Post reply").click()
    else:
        expect(page.get_by_role("heading", name=re.compile("^Reply to"))).to_be_visible()
        page.get_by_label("Your comment").fill(text)
        page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text(text)).to_be_visible()
    return Comment.objects.get(text__body=text)


def test_reply_at_the_top_level_and_three_levels_deep(open_tab, js, roundup, reader, author):
    other = factories.make_user()
    _, _, c = chain(roundup, [other, author], 3)  # levels 0, 1, 2
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())

    page.get_by_label("Your comment").fill("A new top-level thought.")
    page.get_by_role("button", name="Post comment").click()
    top = Comment.objects.get(text__body="A new top-level thought.")
    expect(comment_box(page, top)).to_contain_text("A new top-level thought.")
    assert top.parent_id is None and top.author == reader
    assert depth_on_page(page, top.pk) == 0

    deep = reply_to(tab, c, "Replying three levels down.", js=js)
    assert (deep.parent_id, deep.level) == (c.pk, 3)
    expect(comment_box(page, c).locator(f"#c{deep.pk}")).to_contain_text("three levels down")
    assert depth_on_page(page, deep.pk) == 3

    # Stored once, and shown in the same place after a fresh load.
    page.reload()
    assert Comment.objects.filter(text__body="Replying three levels down.").count() == 1
    assert depth_on_page(page, deep.pk) == 3
    tab.finish()


def test_vote_changes_the_score_without_reloading(open_tab, roundup, reader):
    other = factories.make_user()
    comment = say(roundup, other, "Vote on me.")
    tab = open_tab(js=True)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    navigations = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(1))
    page.evaluate("window.__sameDocument = true")  # a reload or navigation would drop it

    box = comment_box(page, comment)
    score = box.locator("[data-score]").first
    expect(score).to_have_text("0 points")
    up = box.get_by_role("button", name="Vote up").first
    up.click()
    expect(score).to_have_text("1 point")
    expect(up).to_have_attribute("aria-pressed", "true")
    assert Vote.objects.get(comment=comment, user=reader).value == 1

    up.click()  # pressing it again takes the vote back
    expect(score).to_have_text("0 points")
    expect(up).to_have_attribute("aria-pressed", "false")
    assert not Vote.objects.filter(comment=comment, user=reader).exists()

    box.get_by_role("button", name="Vote down").first.click()
    expect(score).to_have_text("-1 point")  # singular, as the page words it (votes.py)
    assert Comment.objects.get(pk=comment.pk).score == -1

    assert navigations == [], "voting navigated the page"
    assert page.evaluate("window.__sameDocument") is True
    tab.finish()


def test_vote_without_javascript_posts_the_form_and_comes_back(open_tab, roundup, reader):
    other = factories.make_user()
    comment = say(roundup, other, "Vote on me without a script.")
    tab = open_tab(js=False)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    comment_box(page, comment).get_by_role("button", name="Vote up").first.click()
    expect(page).to_have_url(re.compile(rf"#c{comment.pk}$"))
    expect(comment_box(page, comment).locator("[data-score]").first).to_have_text("1 point")
    assert Comment.objects.get(pk=comment.pk).score == 1
    tab.finish()


def test_sort_by_new_shows_the_newest_first_and_is_remembered(open_tab, js, roundup, reader):
    voters = [factories.make_user() for _ in range(2)]
    oldest, middle, newest = (say(roundup, reader, f"Posted {n} hours ago.") for n in (3, 2, 1))
    now = timezone.now()
    for hours, comment in zip((3, 2, 1), (oldest, middle, newest), strict=True):
        Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(hours=hours))
    for voter in voters:  # so "top" puts the oldest first and the sorts disagree
        vote_cast(comment=oldest, user=voter, value=1)

    def order():
        boxes = [comment_box(tab.page, c).bounding_box() for c in (oldest, middle, newest)]
        ys = {c: box["y"] for c, box in zip(("oldest", "middle", "newest"), boxes, strict=True)}
        return sorted(ys, key=ys.get)

    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(reader.username)
    tab.goto(roundup.get_absolute_url())
    assert order()[0] == "oldest"  # top: the highest score first

    sorts = page.get_by_role("navigation", name="Sort comments")
    sorts.get_by_role("link", name="New", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]sort=new"))
    expect(sorts.get_by_role("link", name="New", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    assert order() == ["newest", "middle", "oldest"]

    tab.goto(roundup.get_absolute_url())  # the choice is remembered for this reader
    assert order() == ["newest", "middle", "oldest"]
    tab.finish()


def test_collapse_a_subthread_and_expand_it(open_tab, js, roundup, reader):
    other = factories.make_user()
    parent = say(roundup, other, "A comment with replies.")
    first = say(roundup, reader, "First reply.", parent)
    second = say(roundup, other, "Reply to the reply.", first)
    tab = open_tab(js=js)
    page = tab.page
    tab.goto(roundup.get_absolute_url())

    fold = page.locator(f"#c{parent.pk} > details > summary")
    expect(comment_box(page, second)).to_be_visible()
    fold.click()
    expect(comment_box(page, first)).to_be_hidden()
    expect(comment_box(page, second)).to_be_hidden()
    expect(fold).to_contain_text("2 replies hidden")
    # The header (author, score) stays, so a reader knows what is folded.
    expect(comment_box(page, parent).get_by_role("link", name=other.username)).to_be_visible()
    tab.screenshot("collapsed")

    fold.click()
    expect(comment_box(page, first)).to_be_visible()
    expect(comment_box(page, second)).to_be_visible()
    tab.finish()


def test_permalink_and_continue_this_thread(open_tab, js, roundup, reader):
    other = factories.make_user()
    comments = chain(roundup, [reader, other], MAX_DEPTH + 3)  # deeper than the page shows
    deepest = comments[-1]
    tab = open_tab(js=js)
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    expect(comment_box(page, comments[MAX_DEPTH - 1])).to_be_visible()
    expect(comment_box(page, comments[MAX_DEPTH])).to_have_count(0)  # past the cut-off

    own_link(page, comments[1], "permalink").click()
    expect(page).to_have_url(re.compile(rf"/comments/{comments[1].pk}/$"))
    path = page.get_by_role("navigation", name="Where this comment sits")
    expect(path.get_by_role("link", name=roundup.title)).to_be_visible()

    page.get_by_role("link", name=re.compile("continue this thread")).first.click()
    expect(page).to_have_url(re.compile(r"/comments/\d+/$"))
    expect(comment_box(page, deepest)).to_contain_text(deepest.text.body)
    # The way back up: the path names every parent, then the roundup.
    path = page.get_by_role("navigation", name="Where this comment sits")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Thread continued from {roundup.title}"
    )
    here = next(c for c in comments if page.url.endswith(f"/comments/{c.pk}/"))
    ancestors = path.locator(".thread-ancestor")
    expect(ancestors).to_have_count(here.level)
    expect(ancestors.first).to_contain_text("level 0")  # root first, with an excerpt
    expect(ancestors.last).to_contain_text(f"level {here.level - 1}")
    box = ancestors.first.bounding_box()
    line = page.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight) || 24")
    assert box["height"] < 2 * line  # one line each
    ancestors.last.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/comments/{comments[here.level - 1].pk}/$"))
    page.go_back()
    page.get_by_role("link", name=re.compile("Back to the full thread")).click()
    expect(page).to_have_url(
        re.compile(rf"/roundups/{roundup.slug}/#c{comments[MAX_DEPTH - 1].pk}$")
    )
    expect(comment_box(page, comments[MAX_DEPTH - 1])).to_be_visible()
    page.go_back()
    path = page.get_by_role("navigation", name="Where this comment sits")
    expect(path.get_by_role("link", name=roundup.title)).to_be_visible()
    path.get_by_role("link", name=roundup.title).click()
    expect(page.get_by_role("heading", name=roundup.title, level=1)).to_be_visible()
    tab.finish()


def test_load_more_comments_and_more_replies(open_tab, js, roundup, reader, monkeypatch):
    """A thread in parts: "N more replies" and "load more comments", fetched in place with
    JavaScript, links to the comment's page and to the next part without it."""
    monkeypatch.setattr("comments.thread.parts.PART_COMMENTS", 9)  # 14 comments: three parts
    other = factories.make_user()
    roots = [say(roundup, other, f"Root number {i}.") for i in range(7)]
    busy = roots[0]  # every score is 0: "top" shows the oldest first
    replies = [say(roundup, reader, f"Reply number {i}.", busy) for i in range(REPLIES_SHOWN + 2)]
    tab = open_tab(js=js)
    page = tab.page
    tab.goto(roundup.get_absolute_url())
    expect(comment_box(page, replies[REPLIES_SHOWN - 1])).to_be_visible()
    expect(comment_box(page, replies[-1])).to_have_count(0)
    expect(comment_box(page, roots[-1])).to_have_count(0)

    page.get_by_role("link", name="2 more replies").click()
    expect(comment_box(page, replies[-1])).to_be_visible()
    if js:
        expect(page).to_have_url(re.compile(rf"/roundups/{roundup.slug}/$"))
        expect(page.locator(f"#c{replies[0].pk}")).to_have_count(1)  # not inserted twice
    else:
        expect(page).to_have_url(re.compile(rf"/comments/{busy.pk}/$"))
        tab.goto(roundup.get_absolute_url())

    for _ in range(len(roots)):
        if comment_box(page, roots[-1]).count():
            break
        page.get_by_role("link", name="load more comments").click()
        page.wait_for_load_state()
        expect(page.locator("[data-load-more][aria-busy]")).to_have_count(0)
    expect(comment_box(page, roots[-1])).to_be_visible()
    expect(page.get_by_role("link", name="load more comments")).to_have_count(0)
    if js:  # every part in place, on one page, each comment once
        for root in roots:
            expect(page.locator(f"#c{root.pk}")).to_have_count(1)
    tab.screenshot("parts")
    tab.finish()
