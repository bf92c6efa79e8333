"""The roundup page's thread: what readers see, and the fixed number of queries behind it."""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from comments import services
from comments.models import Comment, CommentText, ReadMarker
from comments.thread.page import SORT_COOKIE, parse_since
from comments.thread.parts import PART_COMMENTS
from comments.thread.tree import MAX_DEPTH
from roundups.models import Roundup

pytestmark = pytest.mark.django_db


# The whole roundup page, view and thread together. Intended to prevent an n+1 issue: the count
# must be the same for 5 comments and for 300 by 30 authors (less the two below).
# Anonymous: the roundup, its entries, the thread (authors' names and karma joined in), and the
# earlier coverage of the roundup's papers (papers.queries.earlier_coverage, one query).
ANONYMOUS_PAGE_QUERIES = 4
# A thread bigger than a part (comments/thread/parts.py) reads its window of trees instead of
# the whole thread, and one cache read (the cache_queries fixture) finds the ranking of its
# top-level comments kept under the thread's version by the first reader: no ranking query
# while the thread is unchanged (it was 1 before, when every view ranked every root).
# Its per-paper comment counts are the ones kept on the entries (PaperEntry.comment_count, read
# with the entries): no query.
IN_PARTS_QUERIES = 0
# Logged in adds: the session (the session_queries fixture: it depends on the session store) and
# the user (auth middleware); the user's and their groups' permissions (one query, a UNION:
# accounts/backends.py; loaded once by the role checks, then cached on the user); the read
# marker; the viewer's votes; and, after the page is built, recording the visit
# (read_marker_touch: one UPDATE on a repeat visit, with no transaction of its own); and the
# header's unread notifications count (one, on every page for a signed-in reader:
# notifications.context_processors.unread); and the reader's follow level, which the follow
# buttons show (the notifications_tags follow_level tag; on a roundup of a series the same
# query reads the reader's subscription to it: tests/notifications/test_reader_state.py).
LOGGED_IN_PAGE_QUERIES = 11  # + session_queries


def post(roundup, user, body="A thought.", parent=None, **fields):
    """A comment through the service (so the tree is real), then any field forced for the test."""
    comment = services.comment_create(
        roundup=roundup, author=user, body=body, parent=parent, enforce_rate_limit=False
    )
    if fields:
        Comment.objects.filter(pk=comment.pk).update(**fields)
        comment.refresh_from_db()
    return comment


def order(html):
    """Comment ids in page order."""
    return [int(i) for i in re.findall(r'<li class="comment[^"]*" id="c(\d+)"', html)]


def comment_li(html, comment):
    """One comment's own markup: from its ``<li`` to the end of its actions (not its replies)."""
    start = html.rindex("<li", 0, html.index(f'id="c{comment.pk}"'))
    actions = html.index('<div class="comment-actions">', start)
    return html[start : html.index("</div>", actions) + len("</div>")]  # actions hold no <div>


def page(client, roundup, query=""):
    response = client.get(roundup.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def make_thread(roundup, n, authors, *, seed=7):
    """``n`` comments by ``authors``: a mix of roots and replies to random earlier comments.

    Inserted in bulk and then given their nested-set fields by django-mptt's ``rebuild``: 300
    inserts through the service would spend most of the test rendering markdown.
    """
    rng = random.Random(seed)
    first_id = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = timezone.now()
    rows = []
    for i in range(n):
        parent_id = rng.randrange(first_id, first_id + i) if i and rng.random() < 0.8 else None
        rows.append(
            Comment(
                id=first_id + i,
                roundup=roundup,
                author=authors[i % len(authors)],
                parent_id=parent_id,
                created_at=now - timedelta(minutes=n - i),
                # Placeholders until rebuild(); unique tree ids keep the root index happy.
                tree_id=1_000_000 + i,
                lft=1,
                rght=2,
                level=0,
            )
        )
    Comment.objects.bulk_create(rows)
    CommentText.objects.bulk_create(
        CommentText(comment_id=row.id, body=f"Comment {i}", body_html=f"<p>Comment {i}</p>")
        for i, row in enumerate(rows)
    )
    # As comment_create would have counted them (all visible), and moved the thread's version.
    Roundup.objects.filter(pk=roundup.pk).update(
        comment_count=F("comment_count") + n, thread_version=F("thread_version") + 1
    )
    Comment.objects.rebuild()
    return list(Comment.objects.filter(pk__in=[row.id for row in rows]).order_by("pk"))


@pytest.mark.parametrize("size, n_authors", [(5, 3), (300, 30)])
@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_roundup_page_runs_a_fixed_number_of_queries(
    client, roundup, reader, django_assert_num_queries, size, n_authors, logged_in,
    session_queries, cache_queries,
):  # fmt: skip
    # No passwords: hashing thirty would dominate the test's time.
    authors = User.objects.bulk_create(User(username=f"writer{i}") for i in range(n_authors))
    comments = make_thread(roundup, size, authors)
    for comment in comments[:3]:
        services.vote_cast(comment=comment, user=reader, value=1)
    services.read_marker_touch(user=reader, roundup=roundup)
    expected = ANONYMOUS_PAGE_QUERIES
    if logged_in:
        client.force_login(reader)
        expected = LOGGED_IN_PAGE_QUERIES + session_queries
    if size > PART_COMMENTS:
        expected += IN_PARTS_QUERIES + cache_queries
        client.get(roundup.get_absolute_url())  # the first reader keeps the ranking
    with django_assert_num_queries(expected):
        response = client.get(roundup.get_absolute_url())
    assert response.status_code == 200
    assert len(order(response.content.decode())) > 0


def test_header_counts_visible_comments_and_shows_author_karma_age_score(
    client, roundup, reader, other_reader
):
    first = post(roundup, reader, "First **point**")
    post(roundup, other_reader, "Second", parent=first)
    services.vote_cast(comment=first, user=other_reader, value=1)
    html = page(client, roundup)
    assert "2 comments</h2>" in html
    li = comment_li(html, first)
    # Karma on hover (the name's title), not after every name.
    assert (
        '<a class="comment-author" href="/users/reader/" title="reader &middot; 1 karma">'
        "reader</a>" in li
    )
    assert 'class="karma"' not in html
    assert '<span class="score" data-score>1 point</span>' in li
    exact = f"{first.created_at:%Y-%m-%d %H:%M:%S} UTC"
    assert f'<time datetime="{first.created_at.isoformat()}" title="{exact}">just now</time>' in li
    assert "<strong>point</strong>" in li
    assert f'href="/comments/{first.pk}/" rel="bookmark">permalink</a>' in li


@pytest.mark.parametrize(
    "score, words", [(1, "1 point"), (-1, "-1 point"), (0, "0 points"), (2, "2 points"),
                     (-2, "-2 points"), (11, "11 points")],
)  # fmt: skip
@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_points_are_singular_for_one_and_minus_one(
    client, roundup, reader, other_reader, score, words, logged_in
):
    comment = post(roundup, other_reader, score=score, agreement=1)
    if logged_in:  # the score stands between the vote arrows
        client.force_login(reader)
    li = comment_li(page(client, roundup), comment)
    assert f'<span class="score" data-score>{words}</span>' in li
    assert '<span class="agreement" data-agreement>+1 agreement</span>' in li


def test_the_roundup_author_is_marked_on_their_comments_only(client, roundup, reader):
    own = post(roundup, roundup.author, "The author answers.")
    other = post(roundup, reader, "A reader asks.", parent=own)
    html = page(client, roundup)
    badge = f'<span class="author-badge" title="{roundup.author.username} wrote this roundup">'
    assert badge + "author</span>" in comment_li(html, own)
    assert "author-badge" not in comment_li(html, other)
    permalink = client.get(f"/comments/{other.pk}/").content.decode()
    assert "author-badge" not in comment_li(permalink, other)
    permalink = client.get(f"/comments/{own.pk}/").content.decode()
    assert badge in comment_li(permalink, own)


def test_voters_see_each_score_between_its_arrows_in_the_head(
    client, roundup, reader, other_reader
):
    comment = post(roundup, other_reader, score=3)
    client.force_login(reader)
    li = comment_li(page(client, roundup), comment)
    head = li[: li.index("</div>")]  # the head comes first, before the fold
    assert 'class="vote-form"' in head
    up, score = head.index('class="vote vote-up"'), head.index("data-score>3 points")
    down = head.index('class="vote vote-down"')
    agree, agreement = head.index('class="vote vote-agree"'), head.index("data-agreement>")
    disagree = head.index('class="vote vote-disagree"')
    assert up < score < down < agree < agreement < disagree
    assert head.count("data-score") == 1  # the score once, not also beside the arrows


def test_author_names_are_escaped(client, roundup):
    odd = User.objects.create(username='x"><script>alert(1)</script>')
    post(roundup, odd, "hello")
    html = page(client, roundup)
    assert "<script>alert(1)" not in html
    assert "x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_placeholders_keep_replies_and_lone_deleted_comments_disappear(
    client, roundup, reader, other_reader, moderator
):
    deleted = post(roundup, reader, "withdrawn text")
    reply = post(roundup, other_reader, "still here", parent=deleted)
    removed = post(roundup, other_reader, "rude text")
    post(roundup, reader, "reply to rude", parent=removed)
    lone = post(roundup, reader, "lonely and deleted")
    services.comment_delete(comment=deleted, by=reader)
    services.comment_delete(comment=lone, by=reader)
    services.comment_remove(comment=removed, by=moderator, reason="Rude")
    html = page(client, roundup)
    assert "[deleted]" in comment_li(html, deleted)
    assert "[removed by a moderator]" in html
    assert "withdrawn text" not in html and "rude text" not in html
    assert f'id="c{lone.pk}"' not in html
    assert f'id="c{reply.pk}"' in html
    assert "2 comments</h2>" in html  # only visible comments count


def test_edited_and_edited_by_a_moderator(client, roundup, reader, other_reader, moderator):
    own = post(roundup, reader, "v1")
    theirs = post(roundup, other_reader, "v1")
    services.comment_edit(comment=own, by=reader, body="v2")
    services.comment_edit(comment=theirs, by=moderator, body="tidied", reason="Formatting")
    html = page(client, roundup)
    assert '<span class="edited">edited <time' in comment_li(html, own)
    assert '<span class="edited">edited by a moderator <time' in comment_li(html, theirs)


def test_sort_changes_order_and_is_remembered_bad_value_falls_back(
    client, roundup, reader, other_reader
):
    old = post(roundup, reader, "old", created_at=timezone.now() - timedelta(days=2))
    new = post(roundup, reader, "new", created_at=timezone.now() - timedelta(hours=1))
    services.vote_cast(comment=old, user=other_reader, value=-1)
    assert order(page(client, roundup)) == [new.pk, old.pk]  # top: score 0 beats -1
    assert order(page(client, roundup, "?sort=old")) == [old.pk, new.pk]
    assert client.cookies[SORT_COOKIE].value == "old"
    assert order(page(client, roundup)) == [old.pk, new.pk]  # remembered
    html = page(client, roundup, "?sort=bogus")  # not an error: the remembered sort stays
    assert order(html) == [old.pk, new.pk]
    assert 'href="?sort=old#comments" aria-current="true"' in html


def test_anonymous_sort_is_a_cookie_and_never_a_session(
    client, roundup, reader, other_reader, monkeypatch
):
    """200 cookieless readers clicking a sort made 200 stored sessions: a cookie costs nothing."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session

    saved = []
    store = import_module(settings.SESSION_ENGINE).SessionStore
    monkeypatch.setattr(store, "save", lambda self, *a, **k: saved.append(self))
    old = post(roundup, reader, "old", created_at=timezone.now() - timedelta(days=2))
    new = post(roundup, reader, "new", created_at=timezone.now() - timedelta(hours=1))
    services.vote_cast(comment=old, user=other_reader, value=-1)
    response = client.get(roundup.get_absolute_url() + "?sort=old")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert response.cookies[SORT_COOKIE].value == "old"
    assert response.cookies[SORT_COOKIE]["httponly"] and response.cookies[SORT_COOKIE]["max-age"]
    assert saved == [] and not Session.objects.exists()
    assert order(page(client, roundup)) == [old.pk, new.pk]  # remembered without ?sort=
    again = client.get(roundup.get_absolute_url() + "?sort=old")
    assert SORT_COOKIE not in again.cookies  # written only when the choice changes


def test_since_out_of_range_is_a_notice_not_a_500(client, roundup, reader):
    post(roundup, reader, "a comment")
    for since in ("0001-01-01T00:00:00%2B01:00", "1900-01-01"):
        html = page(client, roundup, f"?since={since}")
        assert "is not a date between 1970 and today" in html
        assert "is-new" not in html


def test_bad_sort_without_a_remembered_one_means_top(client, roundup, reader, other_reader):
    low = post(roundup, reader, "low")
    high = post(roundup, reader, "high")
    services.vote_cast(comment=high, user=other_reader, value=1)
    assert order(page(client, roundup, "?sort=%3Cscript%3E")) == [high.pk, low.pk]


def test_depth_cut_off_links_to_continue_this_thread(client, roundup, reader):
    chain = [post(roundup, reader, "depth 0")]
    for depth in range(1, MAX_DEPTH + 2):
        chain.append(post(roundup, reader, f"depth {depth}", parent=chain[-1]))
    html = page(client, roundup)
    assert order(html) == [c.pk for c in chain[:MAX_DEPTH]]
    last_shown = chain[MAX_DEPTH - 1]
    assert (
        f'<p class="continue"><a href="/comments/{last_shown.pk}/">continue this thread '
        "(2 more replies) &rarr;</a></p>"
    ) in html
    assert html.count('<ul class="comment-children">') == MAX_DEPTH - 1


def test_low_scores_start_collapsed_and_say_how_many_replies_they_hide(client, roundup, reader):
    buried = post(roundup, reader, "buried", score=-5)
    post(roundup, reader, "a", parent=buried)
    post(roundup, reader, "b", parent=buried)
    fine = post(roundup, reader, "fine", score=-4)
    html = page(client, roundup)
    assert '<details class="comment-fold">' in comment_li(html, buried)
    assert "[+] 2 replies hidden" in comment_li(html, buried)
    assert '<details class="comment-fold" open>' in comment_li(html, fine)


def test_new_since_last_visit_marks_counts_and_chains_next_links(
    client, roundup, reader, other_reader
):
    before = post(roundup, other_reader, "seen", created_at=timezone.now() - timedelta(hours=3))
    ReadMarker.objects.create(
        user=reader, roundup=roundup, last_seen_at=timezone.now() - timedelta(hours=2)
    )
    new_a = post(roundup, other_reader, "new a", parent=before)
    new_b = post(roundup, other_reader, "new b")
    mine = post(roundup, reader, "my own is never new")
    client.force_login(reader)
    html = page(client, roundup, "?sort=old")
    assert order(html) == [before.pk, new_a.pk, new_b.pk, mine.pk]
    assert "<strong>2 new comments</strong>" in html
    assert f'<a class="next-new" href="#c{new_a.pk}">first new comment</a>' in html
    assert 'class="comment is-new"' in comment_li(html, new_a)
    assert f'<a class="next-new" href="#c{new_b.pk}">next new comment</a>' in comment_li(
        html, new_a
    )
    assert "is-new" not in comment_li(html, before)
    assert "is-new" not in comment_li(html, mine)
    # The visit was recorded after the page was built; a reload is the same visit: the markers
    # stay (models.VISIT_GAP), however often the reader comes back within it.
    marker = ReadMarker.objects.get(user=reader, roundup=roundup)
    assert marker.last_seen_at > new_b.created_at
    for _ in range(2):
        again = page(client, roundup, "?sort=old")
        assert "<strong>2 new comments</strong>" in again
        assert 'class="comment is-new"' in comment_li(again, new_a)


def test_first_visit_marks_nothing_new_and_records_the_visit(client, roundup, reader, author):
    post(roundup, author, "hello")
    client.force_login(reader)
    html = page(client, roundup)
    assert "is-new" not in html
    assert ReadMarker.objects.filter(user=reader, roundup=roundup).exists()


def test_since_picks_another_moment_and_a_bad_one_is_ignored_with_a_notice(client, roundup, reader):
    post(roundup, reader, "old", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    recent = post(roundup, reader, "recent", created_at=datetime(2026, 3, 1, tzinfo=UTC))
    html = page(client, roundup, "?since=2026-02-01T00:00:00%2B00:00")
    assert "<strong>1 new comment</strong>" in html
    assert 'class="comment is-new"' in comment_li(html, recent)
    html = page(client, roundup, "?since=yesterday-ish")
    assert "is not a date we can read" in html
    assert "is-new" not in html


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-02-01", datetime(2026, 2, 1, tzinfo=UTC)),
        ("2026-02-01T10:30", datetime(2026, 2, 1, 10, 30, tzinfo=UTC)),
        ("2026-02-01T10:30:00Z", datetime(2026, 2, 1, 10, 30, tzinfo=UTC)),
        ("2026-02-01T11:30:00 01:00", datetime(2026, 2, 1, 10, 30, tzinfo=UTC)),  # "+" unencoded
        ("2026-13-01", None),
        ("<b>", None),
        ("0001-01-01T00:00:00+01:00", None),  # before datetime.min in UTC: was a 500
        ("9999-12-31T23:59:59-01:00", None),  # past datetime.max in UTC
        ("1969-12-31", None),  # before 1970: no visit to count from
        ("2999-01-01", None),  # after tomorrow
    ],
)
def test_parse_since(value, expected):
    moment, notice = parse_since(value)
    assert moment == expected
    assert bool(notice) == (expected is None)


def test_anonymous_readers_get_one_login_prompt_and_reply_and_permalink_per_comment(
    client, roundup, reader
):
    comment = post(roundup, reader)
    reply = post(roundup, reader, parent=comment)
    html = page(client, roundup)
    assert html.count('class="login-prompt"') == 1
    prompt = f'<a href="/accounts/login/?next=/roundups/{roundup.slug}/%23comments">'
    assert prompt + "Log in to vote or reply</a>" in html
    assert "<textarea" not in html and 'class="vote-form"' not in html
    assert "reply-form-template" not in html
    assert "log in to vote" not in html.lower().replace("log in to vote or reply", "")
    for each in (comment, reply):
        li = comment_li(html, each)
        actions = li[li.index('<div class="comment-actions">') :]
        # The reply link leads to the login, and back to the reply form (login_to_act).
        assert f'href="/comments/{each.pk}/reply/">reply</a>' in actions
        assert f'href="/comments/{each.pk}/" rel="bookmark">permalink</a>' in actions
    response = client.get(f"/comments/{comment.pk}/reply/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/comments/{comment.pk}/reply/"
    permalink = client.get(f"/comments/{comment.pk}/").content.decode()
    assert permalink.count('class="login-prompt"') == 1
    assert f'<a href="/accounts/login/?next=/comments/{comment.pk}/">' in permalink


def test_a_locked_thread_asks_nobody_to_log_in(client, roundup, reader):
    comment = post(roundup, reader)
    roundup.comments_locked = True
    roundup.save()
    html = page(client, roundup)
    assert "login-prompt" not in html and f"/comments/{comment.pk}/reply/" not in html
    permalink = client.get(f"/comments/{comment.pk}/").content.decode()
    assert "login-prompt" not in permalink
    assert f'href="/comments/{comment.pk}/" rel="bookmark">permalink</a>' in permalink


def test_logged_in_readers_get_a_labelled_form_with_a_counted_limit_and_vote_buttons(
    client, roundup, reader, other_reader
):
    theirs = post(roundup, other_reader)
    own = post(roundup, reader)
    services.vote_cast(comment=theirs, user=reader, value=1)
    client.force_login(reader)
    html = page(client, roundup)
    assert '<label for="id_body">Your comment:</label>' in html
    assert 'data-max-length="10000"' in html and 'maxlength="10000"' not in html
    assert 'id="reply-form-template"' in html
    li = comment_li(html, theirs)
    assert 'class="vote vote-up" name="approval" value="0" aria-pressed="true"' in li
    assert 'class="vote vote-down" name="approval" value="-1" aria-pressed="false"' in li
    assert 'class="vote vote-agree" name="agreement" value="1" aria-pressed="false"' in li
    assert f'href="/comments/{theirs.pk}/edit/"' not in li
    own_li = comment_li(html, own)
    assert 'class="vote-form"' not in own_li  # no votes on your own comment
    assert f'href="/comments/{own.pk}/edit/">edit</a>' in own_li
    assert f'href="/comments/{own.pk}/delete/">delete</a>' in own_li


def test_locked_roundup_shows_a_notice_and_no_forms(client, roundup, reader, other_reader):
    comment = post(roundup, other_reader)
    roundup.comments_locked = True
    roundup.save()
    client.force_login(reader)
    html = page(client, roundup)
    assert "Comments on this roundup are locked" in html
    assert "<textarea" not in html and 'class="vote-form"' not in html
    assert f"/comments/{comment.pk}/reply/" not in html


def test_moderators_see_remove_restore_edit_and_the_lock_form(
    client, roundup, reader, other_reader, moderator
):
    visible = post(roundup, reader)
    removed = post(roundup, other_reader)
    post(roundup, reader, parent=removed)
    services.comment_remove(comment=removed, by=moderator, reason="Spam")
    client.force_login(moderator)
    html = page(client, roundup)
    assert f'href="/comments/{visible.pk}/remove/">remove</a>' in html
    assert f'href="/comments/{visible.pk}/edit/">edit</a>' in html
    assert f'href="/comments/{removed.pk}/restore/">restore</a>' in html
    assert f'action="/roundups/{roundup.slug}/lock/"' in html


def test_readers_do_not_see_moderator_tools(client, roundup, reader, other_reader):
    comment = post(roundup, other_reader)
    client.force_login(reader)
    html = page(client, roundup)
    assert f"/comments/{comment.pk}/remove/" not in html
    assert "/lock/" not in html


def test_empty_thread_says_so(client, roundup):
    html = page(client, roundup)
    assert "0 comments</h2>" in html
    assert "No comments yet." in html


# The permalink page, for the same reason: a fixed count however big the subthread.
# Anonymous: the comment with its roundup, the comment's tree (names and karma joined).
ANONYMOUS_PERMALINK_QUERIES = 2
# Logged in adds: session (session_queries), user, the permissions (one query), the read marker,
# the viewer's votes, and the header's unread notifications count.
LOGGED_IN_PERMALINK_QUERIES = 7  # + session_queries


@pytest.mark.parametrize("size, n_authors", [(5, 3), (300, 30)])
@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_permalink_page_runs_a_fixed_number_of_queries(
    client, roundup, reader, django_assert_num_queries, size, n_authors, logged_in,
    session_queries, cache_queries,
):  # fmt: skip
    authors = User.objects.bulk_create(User(username=f"writer{i}") for i in range(n_authors))
    comments = make_thread(roundup, size, authors)
    root = max(
        (c for c in comments if c.parent_id is None), key=lambda c: c.rght - c.lft
    )  # the biggest tree
    expected = ANONYMOUS_PERMALINK_QUERIES
    if logged_in:
        client.force_login(reader)
        expected = LOGGED_IN_PERMALINK_QUERIES + session_queries
    in_parts = "data-load-more" in client.get(f"/comments/{root.pk}/").content.decode()
    # Replies in more than one part: their ranking is kept, and read back from the cache.
    expected += cache_queries if in_parts else 0
    with django_assert_num_queries(expected):
        response = client.get(f"/comments/{root.pk}/")
    assert response.status_code == 200
    # Only the root's tree, down to the cut-off, at most a part of it.
    tree = {
        c.pk for c in comments if c.tree_id == root.tree_id and c.level - root.level < MAX_DEPTH
    }
    shown = set(order(response.content.decode()))
    assert root.pk in shown and shown <= tree
    assert len(shown) == len(tree) or len(shown) >= PART_COMMENTS // 2
    # The "continue this thread" page of the tree's deepest comment: its parents (one line each,
    # root first) come from the same rows, so the count is the same however deep it sits.
    deepest = max((c for c in comments if c.tree_id == root.tree_id), key=lambda c: c.level)
    assert deepest.level > 1
    expected -= cache_queries if in_parts else 0
    in_parts = "data-load-more" in client.get(f"/comments/{deepest.pk}/").content.decode()
    expected += cache_queries if in_parts else 0
    with django_assert_num_queries(expected):
        response = client.get(f"/comments/{deepest.pk}/")
    html = response.content.decode()
    assert html.count('class="thread-ancestor"') == deepest.level
