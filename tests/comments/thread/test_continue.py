"""The "continue this thread" page (a comment's permalink): its parents one line each, a way
back to the full thread, and a heading."""

import re

import pytest

from comments import services
from comments.thread.page import ANCESTOR_EXCERPT_CHARS, plain_excerpt
from comments.thread.tree import MAX_DEPTH
from tests.comments.thread.test_page import post

pytestmark = pytest.mark.django_db


def permalink(client, comment):
    response = client.get(f"/comments/{comment.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def ancestor_lines(html):
    return re.findall(
        r'<li class="thread-ancestor"><a href="/comments/(\d+)/">(.*?)</a></li>', html
    )


def test_parents_show_root_first_one_line_each_with_author_time_and_excerpt(
    client, roundup, reader, other_reader
):
    root = post(roundup, reader, "The **root** says & argues that\n\nthis is long enough.")
    middle = post(roundup, other_reader, "A middle <reply>", parent=root)
    leaf = post(roundup, reader, "The leaf", parent=middle)
    html = permalink(client, leaf)
    lines = ancestor_lines(html)
    assert [int(pk) for pk, _ in lines] == [root.pk, middle.pk]
    first, second = (text for _, text in lines)
    assert '<span class="ancestor-author">reader</span>' in first
    assert "<time datetime=" in first and "just now" in first
    # Plain text, on one line, escaped once: no markup from the comment survives.
    assert (
        '<span class="ancestor-excerpt">The root says &amp; argues that this is long enough.'
        in first
    )
    assert "A middle" in second and "<reply>" not in second
    assert "<strong>" not in first
    assert '<h1 class="thread-title" id="permalink-title">Thread continued from ' in html
    assert f'href="{roundup.get_absolute_url()}#c{leaf.pk}">&larr; Back to the full thread' in html


def test_a_root_comment_has_no_parents(client, roundup, reader):
    root = post(roundup, reader, "alone")
    assert ancestor_lines(permalink(client, root)) == []


def test_deleted_and_removed_parents_keep_their_place_as_placeholders(
    client, roundup, reader, other_reader, moderator
):
    root = post(roundup, reader, "secret root text")
    middle = post(roundup, other_reader, "secret middle text", parent=root)
    leaf = post(roundup, reader, "leaf", parent=middle)
    services.comment_delete(comment=root, by=reader)
    services.comment_remove(comment=middle, by=moderator, reason="Off topic.")
    html = permalink(client, leaf)
    lines = [text for _, text in ancestor_lines(html)]
    assert len(lines) == 2
    assert "[deleted]" in lines[0] and "[removed by a moderator]" in lines[1]
    assert "secret" not in html
    assert "reader" not in lines[0] and "reader2" not in lines[1]


def test_past_the_cut_off_the_way_back_is_the_deepest_parent_the_roundup_page_shows(
    client, roundup, reader
):
    chain = [post(roundup, reader, "depth 0")]
    for depth in range(1, MAX_DEPTH + 2):
        chain.append(post(roundup, reader, f"depth {depth}", parent=chain[-1]))
    deep = chain[-1]
    html = permalink(client, deep)
    assert len(ancestor_lines(html)) == MAX_DEPTH + 1
    shown = chain[MAX_DEPTH - 1]
    assert f'href="{roundup.get_absolute_url()}#c{shown.pk}">&larr; Back to the full thread' in html


def test_comments_of_a_draft_roundup_are_not_found(client, roundup, reader):
    comment = post(roundup, reader, "on a roundup taken back to draft")
    type(roundup).objects.filter(pk=roundup.pk).update(status=type(roundup).Status.DRAFT)
    assert client.get(f"/comments/{comment.pk}/").status_code == 404


def test_plain_excerpt_cuts_long_text_at_the_limit():
    text = "<p>" + "word " * 100 + "</p>"
    excerpt = plain_excerpt(text)
    assert len(excerpt) <= ANCESTOR_EXCERPT_CHARS and excerpt.endswith("…")
    assert plain_excerpt("<p>a</p>\n<p>b &lt;c&gt;</p>") == "a b <c>"
