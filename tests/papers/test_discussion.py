"""Discussion per paper: comments attached to an entry, replies inheriting it, the ?paper=
filter, the per-entry counts and links on the roundup page, and the counts on paper pages."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_create, comment_remove
from forum.errors import InvalidInput
from tests.factories import make_entry, make_moderator, make_roundup, make_user

pytestmark = pytest.mark.django_db


def post(roundup, body="A thought.", **kwargs):
    kwargs.setdefault("author", make_user())
    return comment_create(roundup=roundup, body=body, enforce_rate_limit=False, **kwargs)


@pytest.fixture
def entries(roundup):
    return list(roundup.entries.order_by("position"))


def test_a_root_comment_can_be_about_one_paper(roundup, entries):
    by_instance = post(roundup, paper_entry=entries[1])
    by_id = post(roundup, paper_entry=str(entries[2].pk))
    plain = post(roundup)
    assert by_instance.paper_entry_id == entries[1].pk
    assert Comment.objects.get(pk=by_id.pk).paper_entry_id == entries[2].pk
    assert plain.paper_entry_id is None


def test_replies_inherit_their_roots_paper_and_ignore_a_passed_one(roundup, entries):
    root = post(roundup, paper_entry=entries[0])
    reply = post(roundup, parent=root, paper_entry=entries[2])
    deeper = post(roundup, parent=reply)
    assert reply.paper_entry_id == entries[0].pk
    assert Comment.objects.get(pk=deeper.pk).paper_entry_id == entries[0].pk


@pytest.mark.parametrize("bad", ["other roundup", "abc", "999999", -1])
def test_a_paper_of_another_roundup_or_garbage_is_refused_and_nothing_written(roundup, bad):
    other = make_entry(make_roundup())
    paper = other if bad == "other roundup" else bad
    with pytest.raises(InvalidInput, match="not one of this roundup's papers"):
        post(roundup, paper_entry=paper)
    assert not Comment.objects.exists()


def test_deleting_an_entry_keeps_its_comments(roundup, entries):
    comment = post(roundup, paper_entry=entries[0])
    entries[0].delete()
    comment.refresh_from_db()
    assert comment.paper_entry_id is None


def test_roundup_page_filters_the_thread_to_one_paper(client, roundup, entries, reader):
    client.force_login(reader)
    about = post(roundup, body="About the second paper", paper_entry=entries[1])
    reply = post(roundup, body="A reply to it", parent=about)
    other = post(roundup, body="About the roundup")
    response = client.get(roundup.get_absolute_url(), {"paper": entries[1].position})
    html = response.content.decode()
    assert f'id="c{about.pk}"' in html and f'id="c{reply.pk}"' in html
    assert f'id="c{other.pk}"' not in html
    assert response.context["comment_count"] == 2
    assert "Comments about" in html and "show every comment" in html
    # The new-comment form is opened on that paper.
    assert f'name="paper_entry" value="{entries[1].pk}"' in html
    # Changing the sort keeps the filter.
    assert f"?sort=new&amp;paper={entries[1].position}#comments" in html


def test_unknown_paper_position_shows_everything_with_a_notice(client, roundup):
    comment = post(roundup)
    response = client.get(roundup.get_absolute_url(), {"paper": "42"})
    assert response.status_code == 200
    assert f'id="c{comment.pk}"' in response.content.decode()
    assert "no paper number “42”" in response.context["paper_notice"]


def test_each_entry_shows_its_count_and_a_discuss_link(client, roundup, entries):
    post(roundup, paper_entry=entries[0])
    post(roundup, paper_entry=entries[0])
    hidden = post(roundup, paper_entry=entries[0])
    Comment.objects.filter(pk=hidden.pk).update(state=Comment.State.REMOVED)
    post(roundup, paper_entry=entries[2])
    response = client.get(roundup.get_absolute_url())
    assert response.context["paper_comment_counts"] == {entries[0].pk: 2, entries[2].pk: 1}
    html = response.content.decode()
    assert html.count('class="paper-discuss"') == 3
    assert '<a href="?paper=1#comments">Discuss this paper</a>\n    · 2 comments' in html
    assert '<a href="?paper=2#comments">Discuss this paper</a>\n    · 0 comments' in html


def test_posting_from_the_paper_form_attaches_the_comment(client, roundup, entries, reader):
    client.force_login(reader)
    response = client.post(
        reverse("comments:create", args=[roundup.slug]),
        {"body": "On paper three", "paper_entry": entries[2].pk},
    )
    assert response.status_code == 302
    assert Comment.objects.get().paper_entry_id == entries[2].pk


def test_posting_a_forged_paper_is_refused_with_a_message(client, roundup, reader):
    client.force_login(reader)
    other = make_entry(make_roundup())
    response = client.post(
        reverse("comments:create", args=[roundup.slug]),
        {"body": "Sneaky", "paper_entry": other.pk},
    )
    assert response.status_code == 400
    assert "not one of this roundup&#x27;s papers" in response.content.decode()
    assert not Comment.objects.exists()


def test_also_covered_in_shows_on_the_roundup_page(client):
    now = timezone.now()
    first = make_roundup(title="Week one", published_at=now - timedelta(days=14))
    make_entry(first, url="https://arxiv.org/abs/1706.03762")
    second = make_roundup(title="Week two", published_at=now)
    make_entry(second, url="https://arxiv.org/pdf/1706.03762v3")
    html = client.get(second.get_absolute_url()).content.decode()
    assert "Also covered in" in html
    assert f'href="{first.get_absolute_url()}#paper-1">Week one</a>' in html
    # The older roundup does not claim coverage that came later.
    assert "Also covered in" not in client.get(first.get_absolute_url()).content.decode()


def test_feeds_do_not_show_the_paper_extras(client, roundup):
    html = client.get(reverse("roundups:feed_atom")).content.decode()
    assert "Discuss this paper" not in html


def test_index_and_paper_page_count_the_papers_comments(client):
    now = timezone.now()
    first = make_roundup(published_at=now - timedelta(days=7))
    second = make_roundup(published_at=now)
    a = make_entry(first, url="https://arxiv.org/abs/1706.03762")
    b = make_entry(second, url="https://arxiv.org/abs/1706.03762v2")
    root = post(first, paper_entry=a)
    post(first, parent=root)
    post(second, paper_entry=b)
    removed = post(second, paper_entry=b)
    comment_remove(comment=removed, by=make_moderator(), reason="Off topic.")
    post(second)  # about the roundup, not the paper

    index = client.get(reverse("papers:index"))
    assert [row.comment_count for row in index.context["rows"]] == [3]
    page = client.get(reverse("papers:detail", args=["arxiv:1706.03762"]))
    assert [entry.comment_count for entry in page.context["entries"]] == [2, 1]
    assert "Discussion (2 comments)" in page.content.decode()


def test_paper_page_shows_its_discussion_across_roundups(client, django_assert_num_queries):
    now = timezone.now()
    first = make_roundup(title="Week one", published_at=now - timedelta(days=7))
    second = make_roundup(title="Week two", published_at=now)
    a = make_entry(first, url="https://arxiv.org/abs/1706.03762")
    b = make_entry(second, url="https://arxiv.org/abs/1706.03762v2")
    root = post(first, body="Root about *it*", paper_entry=a)
    reply = post(first, body="A reply", parent=root)
    later = post(second, body="Again, later", paper_entry=b)
    post(second, body="Unrelated")
    post(second, body="Unrelated reply", parent=post(second, body="Unrelated root"))
    # Intended to prevent an n+1 issue: the entries with roundups and authors (each with its
    # kept comment count), the trees about the paper, then the rows of those trees in every
    # roundup at once (authors joined in); the same for 3 comments or 300, 1 roundup or 5.
    url = reverse("papers:detail", args=["arxiv:1706.03762"])
    with django_assert_num_queries(3):
        response = client.get(url)
    html = response.content.decode()
    ids = [int(i) for i in re.findall(r'<li class="comment[^"]*" id="c(\d+)"', html)]
    assert ids == [root.pk, reply.pk, later.pk]
    assert "Root about <em>it</em>" in html and "Unrelated" not in html
    assert html.index("Week one</a></h3>") < html.index("Week two</a></h3>")
    # The roundup page's renderer: the reply nested in its parent, with reply and permalink.
    assert f'<ul class="comment-children"><li class="comment" id="c{reply.pk}"' in html
    assert f'href="/comments/{root.pk}/reply/"' in html
    # Signed in: a vote form on each comment.
    client.force_login(make_user())
    html = client.get(url).content.decode()
    assert html.count('class="vote-form') == 3


@pytest.mark.parametrize("covering", [1, 4])
def test_paper_page_queries_do_not_grow_with_its_roundups(
    client, django_assert_num_queries, session_queries, covering
):
    """Three queries (entries, trees, rows) anonymous, and a fixed few more signed in, whether
    one roundup discusses the paper or several; each roundup's discussion
    still shows its own comments, in order, under its own heading."""
    now = timezone.now()
    roots = []
    for i in range(covering):
        roundup = make_roundup(title=f"Week {i}", published_at=now - timedelta(days=7 * i))
        entry = make_entry(roundup, url="https://arxiv.org/abs/1706.03762")
        root = post(roundup, body=f"Root {i}", paper_entry=entry)
        roots.append((root, post(roundup, body=f"Reply {i}", parent=root)))
        post(roundup, body="Not about it")
    url = reverse("papers:detail", args=["arxiv:1706.03762"])
    with django_assert_num_queries(3):
        html = client.get(url).content.decode()
    shown = [int(i) for i in re.findall(r'<li class="comment[^"]*" id="c(\d+)"', html)]
    # Oldest roundup first, as the page lists them; each root followed by its reply.
    expected = [c.pk for pair in reversed(roots) for c in pair]
    assert shown == expected
    assert "Not about it" not in html
    client.force_login(make_user())
    # Signed in: the session (session_queries: it depends on the store), the user, the viewer's
    # votes, their permissions (one query: may they moderate), the header's unread count; still none
    # per roundup.
    with django_assert_num_queries(3 + 4 + session_queries):
        html = client.get(url).content.decode()
    assert html.count('class="vote-form') == 2 * covering


def test_a_large_discussion_shows_a_bounded_first_part_with_a_link_to_the_rest(client):
    """However many comments a paper has, its page shows about one thread part of them, and
    links the whole discussion (on the roundup page, in parts)."""
    from comments.thread import page, parts
    from tests.factories import make_comment

    roundup = make_roundup()
    entry = make_entry(roundup, url="https://arxiv.org/abs/2202.05262")
    talkers = [make_user(f"talker{i}") for i in range(3)]
    total = page.PAPER_ROOTS + 40
    for i in range(total):
        make_comment(roundup=roundup, author=talkers[i % 3], body=f"note {i}", paper_entry=entry)
    response = client.get(reverse("papers:detail", args=["arxiv:2202.05262"]))
    html = response.content.decode()
    assert response.status_code == 200
    shown = html.count("<p>note ")  # each comment's rendered body
    assert shown == page.PAPER_ROOTS < total
    assert shown <= parts.PART_COMMENTS + parts.REPLIES_SHOWN
    assert f"All {total} comments about it" in html


def test_paper_page_marks_each_roundups_own_author(client, django_assert_num_queries):
    """Comments on a paper page come from several roundups: each is marked by the author of its
    own roundup (read with the entries: no query more, see the test above)."""
    first, second = make_roundup(title="Week one"), make_roundup(title="Week two")
    a = make_entry(first, url="https://arxiv.org/abs/2301.00001")
    b = make_entry(second, url="https://arxiv.org/abs/2301.00001v2")
    by_first_author = post(first, body="From the first author", author=first.author, paper_entry=a)
    # The first roundup's author, commenting on the second roundup: not its author there.
    elsewhere = post(second, body="A visitor here", author=first.author, paper_entry=b)
    by_second_author = post(second, body="Mine", author=second.author, paper_entry=b)
    url = reverse("papers:detail", args=["arxiv:2301.00001"])
    with django_assert_num_queries(3):  # as in the tests above: no query for the badges
        html = client.get(url).content.decode()

    def head(comment):
        start = html.index(f'id="c{comment.pk}"')
        return html[start : html.index("</div>", start)]

    assert "author-badge" in head(by_first_author)
    assert "author-badge" in head(by_second_author)
    assert "author-badge" not in head(elsewhere)
    assert html.count('class="login-prompt"') == 1
    assert "Log in to vote or reply" in html
