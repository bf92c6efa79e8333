"""The moderator edits a reader's comment with a reason; the admin reads the comment tree."""

import re

from playwright.sync_api import expect

from comments.models import CommentRevision, ModerationAction
from tests import factories
from tests.browser.conftest import PASSWORD_LABEL, comment_box, own_link, say


def test_moderator_edits_a_comment_with_a_reason(open_tab, js, roundup, reader, moderator):
    comment = say(roundup, reader, "The paper's link is http://spam.example/ buy now")
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(moderator.username)
    tab.goto(roundup.get_absolute_url())
    expect(comment_box(page, comment)).not_to_contain_text("edited by a moderator")

    own_link(page, comment, "edit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("as a moderator")
    page.get_by_label("Your comment").fill("The paper's link is [removed].")
    page.get_by_label("Reason for the edit").fill("Spam link")
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(re.compile(rf"{roundup.get_absolute_url()}#c{comment.pk}$"))
    box = comment_box(page, comment)
    expect(box).to_contain_text("The paper's link is [removed].")
    expect(box).to_contain_text("edited by a moderator")
    revision = CommentRevision.objects.get(comment=comment)
    assert (revision.reason, revision.edited_by) == ("Spam link", moderator)
    assert "spam.example" in revision.body

    # Readers see the mark too, and the reason is in the public log.
    other = open_tab(js=js, suffix="-reader")
    other.goto(roundup.get_absolute_url())
    expect(comment_box(other.page, comment)).to_contain_text("edited by a moderator")
    other.page.get_by_role("link", name="Moderation log").click()
    expect(other.page.get_by_role("main")).to_contain_text("Spam link")
    assert ModerationAction.objects.filter(comment=comment, reason="Spam link").exists()
    tab.finish()
    other.finish()


def test_admin_opens_the_comment_tree(open_tab, roundup, reader):
    admin = factories.make_user("boss", superuser=True)
    root = say(roundup, reader, "Root of the tree")
    child = say(roundup, admin, "A child reply", root)
    grandchild = say(roundup, reader, "A grandchild reply", child)
    second_root = say(roundup, reader, "Second root")
    tab = open_tab()
    page = tab.page
    tab.goto("/admin/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label(PASSWORD_LABEL).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The model's link, not the app's (both read "Comments"): by its URL, admin's stable name.
    page.locator('a[href$="/admin/comments/comment/"]').first.click()
    expect(page).to_have_url(re.compile(r"/admin/comments/comment/$"))

    cells = {
        comment.pk: page.get_by_role("link", name=re.compile(rf"#{comment.pk}\b"))
        for comment in (root, child, grandchild, second_root)
    }
    for cell in cells.values():
        expect(cell).to_be_visible()
    # A tree: each reply right under its parent, and indented one step further.
    y = {pk: cell.bounding_box()["y"] for pk, cell in cells.items()}
    tops = sorted(y, key=y.get)
    assert tops.index(child.pk) == tops.index(root.pk) + 1
    assert tops.index(grandchild.pk) == tops.index(child.pk) + 1
    indent = {pk: _indent(cell.inner_text()) for pk, cell in cells.items()}
    assert indent[root.pk] == indent[second_root.pk] < indent[child.pk] < indent[grandchild.pk]

    tab.screenshot("tree")

    cells[child.pk].click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change comment")
    expect(page.get_by_label("Body")).to_have_value("A child reply")
    tab.finish()


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def test_admin_comment_tree_fits_1366_px(open_tab, reader):
    """Deep replies with long words under a long roundup title: the list still fits a 1366 px
    screen, with the state, score and date columns in view."""
    factories.make_user("boss", superuser=True)
    roundup = factories.make_roundup(
        title="A roundup with a very long title about scaling laws, interpretability and RLHF "
        "papers from the whole last month, with a subtitle"
    )
    parent = None
    for level in range(10):
        parent = say(roundup, reader, f"Level {level} " + "supercalifragilistic " * 12, parent)
    tab = open_tab()
    page = tab.page
    page.set_viewport_size({"width": 1366, "height": 768})
    tab.goto("/admin/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label(PASSWORD_LABEL).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    tab.goto("/admin/comments/comment/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    for column in ("state", "score", "created_at"):
        header = page.locator(f"#result_list th.column-{column}")
        expect(header).to_be_in_viewport()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1366, column
    tab.screenshot("tree-1366")
    tab.finish()
