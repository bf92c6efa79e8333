"""Threads in parts (comments/thread/parts.py): cursors, cuts, "load more", fixed query counts."""

import json
import random
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.signing import b64_encode
from django.utils import timezone

from comments import services
from comments.models import Comment
from comments.thread.parts import PART_COMMENTS, REPLIES_SHOWN, Cursor
from comments.thread.tree import SORTS
from tests.comments.thread.test_page import make_thread, order, page, post

pytestmark = pytest.mark.django_db


def api_part(client, roundup, **params):
    response = client.get(f"/api/roundups/{roundup.slug}/comments", params)
    assert response.status_code == 200, response.content
    return response.json()


def ids_in(comments) -> list[int]:
    """Every comment id in an API part, depth first (replies included)."""
    out = []
    stack = list(reversed(comments))
    while stack:
        comment = stack.pop()
        out.append(comment["id"])
        stack.extend(reversed(comment["replies"]))
    return out


@pytest.fixture
def anon_api():
    from tests.api.conftest import ApiClient

    return ApiClient()


@pytest.fixture
def voters(db):
    return User.objects.bulk_create(User(username=f"voter{i}") for i in range(6))


def small_trees(roundup, authors, *, roots=30, seed=3):
    """``roots`` top-level comments with 0-3 replies each (never cut: fewer than REPLIES_SHOWN
    replies, two levels), of varied ages and scores, so every sort orders them differently."""
    rng = random.Random(seed)
    now = timezone.now()
    made = []
    for i in range(roots):
        root = post(roundup, authors[i % 2], f"root {i}",
                    created_at=now - timedelta(minutes=rng.randrange(10, 5000)),
                    score=rng.randrange(-3, 9), upvotes=rng.randrange(0, 9),
                    downvotes=rng.randrange(0, 4))  # fmt: skip
        made.append(root)
        for j in range(rng.randrange(0, 4)):
            made.append(post(roundup, authors[(i + j + 1) % 2], f"reply {i}.{j}", parent=root))
    return made


def writes_between(roundup, authors, voters, seen: set, step: int, rng) -> None:
    """What a busy thread does between two fetches: new roots and replies, votes that move
    comments up past the cursor and down behind it, a deletion."""
    roots = list(Comment.objects.filter(roundup=roundup, parent=None).order_by("pk"))
    unseen = [c for c in roots if c.pk not in seen]
    shown = [c for c in roots if c.pk in seen]
    post(roundup, authors[step % 2], f"late root {step}")
    for pool in (unseen, shown):
        if pool:
            post(roundup, authors[(step + 1) % 2], "late reply", parent=rng.choice(pool))
    for voter in voters:
        if unseen:
            services.vote_cast(comment=rng.choice(unseen), user=voter, value=1)
        if shown:
            services.vote_cast(comment=rng.choice(shown), user=voter, value=-1)


@pytest.mark.parametrize("sort", SORTS)
def test_following_cursors_yields_every_comment_once_while_the_thread_changes(
    anon_api, roundup, reader, other_reader, voters, sort
):
    """Every comment there at the first fetch, exactly once, with posts and votes in between."""
    authors = [reader, other_reader]
    small_trees(roundup, authors)
    before = set(
        Comment.objects.filter(roundup=roundup, state="visible").values_list("pk", flat=True)
    )
    rng = random.Random(sort)
    seen: list[int] = []
    data = api_part(anon_api, roundup, sort=sort, limit=8)
    fetches = 1
    while True:
        seen.extend(ids_in(data["comments"]))
        if data["next"] is None:
            break
        writes_between(roundup, authors, voters, set(seen), fetches, rng)
        data = api_part(anon_api, roundup, cursor=data["next"], limit=8)
        fetches += 1
    assert fetches >= 4  # the thread really came in parts
    assert len(seen) == len(set(seen)), "a comment was shown twice"
    assert before <= set(seen), f"never shown: {sorted(before - set(seen))}"


def test_the_page_follows_the_same_cursors_without_javascript(
    client, roundup, reader, other_reader, voters, monkeypatch
):
    monkeypatch.setattr("comments.thread.parts.PART_COMMENTS", 10)
    monkeypatch.setattr("comments.thread.page.parts.PART_COMMENTS", 10)
    small_trees(roundup, [reader, other_reader])
    everything = set(Comment.objects.filter(roundup=roundup).values_list("pk", flat=True))
    url, seen, rng = roundup.get_absolute_url() + "?sort=hot", [], random.Random(1)
    for step in range(50):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        seen.extend(order(html))
        more = re.search(r'<a href="([^"]+)#comments" data-load-more>load more comments</a>', html)
        if not more:
            break
        assert "back to the first comments" in html or step == 0
        url = more.group(1).replace("&amp;", "&")
        writes_between(roundup, [reader, other_reader], voters, set(seen), step, rng)
    assert step >= 3
    assert len(seen) == len(set(seen)) and everything <= set(seen)


def test_a_part_holds_about_part_comments(anon_api, roundup, reader):
    authors = User.objects.bulk_create(User(username=f"w{i}") for i in range(10))
    make_thread(roundup, 600, authors)
    data = api_part(anon_api, roundup)
    shown = len(ids_in(data["comments"]))
    assert PART_COMMENTS <= shown < PART_COMMENTS + REPLIES_SHOWN * 8 and data["next"]
    assert data["count"] == 600


def test_replies_past_the_few_shown_say_how_many_and_the_comment_page_shows_them(
    anon_api, client, roundup, reader, other_reader
):
    busy = post(roundup, reader, "busy")
    replies = [post(roundup, other_reader, f"r{i}", parent=busy) for i in range(REPLIES_SHOWN + 3)]
    post(roundup, reader, "under the last", parent=replies[-1])
    (root,) = api_part(anon_api, roundup)["comments"]
    assert len(root["replies"]) == REPLIES_SHOWN
    assert root["more_replies"] == 4  # three replies, and the one under the last
    assert "more_replies" not in root["replies"][0]
    html = page(client, roundup)
    assert (
        f'<li class="more-replies"><a href="/comments/{busy.pk}/" data-more-replies '
        f'data-parent="{busy.pk}">4 more replies</a></li>'
    ) in html
    detail = anon_api.get(f"/api/comments/{busy.pk}").json()
    assert len(detail["replies"]) == len(replies) and detail["next"] is None
    permalink = page_at(client, f"/comments/{busy.pk}/")
    assert set(order(permalink)) == {c.pk for c in Comment.objects.filter(roundup=roundup)}


def page_at(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_comments_replies_come_in_parts_too(anon_api, roundup, reader, other_reader):
    top = post(roundup, reader, "top")
    replies = {post(roundup, other_reader, f"r{i}", parent=top).pk for i in range(12)}
    seen, data = [], anon_api.get(f"/api/comments/{top.pk}", {"limit": 5, "sort": "new"}).json()
    while True:
        seen.extend(r["id"] for r in data["replies"])
        if not data["next"]:
            break
        post(roundup, other_reader, "late", parent=top)  # not in the frozen ranking
        data = anon_api.get(f"/api/comments/{top.pk}", {"cursor": data["next"]}).json()
    assert sorted(seen) == sorted(replies)


def test_tampered_forged_or_foreign_cursors_are_400(anon_api, client, roundup, reader, author):
    from tests import factories

    for i in range(12):
        post(roundup, reader, f"c{i}")
    cursor = api_part(anon_api, roundup, limit=3)["next"]
    forged = Cursor(roundup.pk, 0, "top", 0, "0" * 24, 3, 0.0).encode()[:-3] + "abc"
    tampered = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    garbage = b64_encode(json.dumps([1, 2]).encode()).decode()
    other = factories.make_roundup(author=author)
    for bad in (tampered, forged, garbage, "x"):
        response = anon_api.get(f"/api/roundups/{roundup.slug}/comments", {"cursor": bad})
        assert response.status_code == 400, bad
        assert "cursor" in response.json()["detail"]
        response = client.get(roundup.get_absolute_url(), {"cursor": bad})
        assert response.status_code == 400 and "cursor" in response.content.decode()
    response = anon_api.get(f"/api/roundups/{other.slug}/comments", {"cursor": cursor})
    assert response.status_code == 400  # a cursor of another thread
    response = anon_api.get(f"/api/comments/{Comment.objects.first().pk}", {"cursor": cursor})
    assert response.status_code == 400  # a thread's cursor is not a comment's


def test_a_lost_ranking_is_computed_again_or_the_cursor_has_expired(
    anon_api, roundup, reader, other_reader
):
    comments = [post(roundup, reader, f"c{i}") for i in range(9)]
    first = api_part(anon_api, roundup, limit=6)
    cache.clear()  # evicted, but nothing changed: the same ranking, the same digest
    second = api_part(anon_api, roundup, cursor=first["next"], limit=6)["comments"]
    assert second and set(ids_in(second)).isdisjoint(ids_in(first["comments"]))
    cursor = first["next"]
    cache.clear()
    services.vote_cast(comment=comments[-1], user=other_reader, value=1)  # the order moved
    response = anon_api.get(f"/api/roundups/{roundup.slug}/comments", {"cursor": cursor})
    assert response.status_code == 400 and "expired" in response.json()["detail"]


def test_a_link_to_a_comment_opens_the_part_that_holds_it(client, roundup, reader, monkeypatch):
    monkeypatch.setattr("comments.thread.parts.PART_COMMENTS", 5)
    roots = [post(roundup, reader, f"r{i}", created_at=timezone.now() - timedelta(hours=i))
             for i in range(12)]  # fmt: skip
    deep = post(roundup, reader, "deep", parent=roots[-1])
    first = order(page(client, roundup, "?sort=new"))
    assert deep.pk not in first
    html = page(client, roundup, f"?sort=new&comment={deep.pk}")
    assert deep.pk in order(html) and roots[-1].pk in order(html)
    assert "back to the first comments" in html


def test_load_more_as_json_is_the_part_alone(client, roundup, reader, monkeypatch):
    monkeypatch.setattr("comments.thread.page.parts.PART_COMMENTS", 4)
    monkeypatch.setattr("comments.thread.parts.PART_COMMENTS", 4)
    for i in range(10):
        post(roundup, reader, f"c{i}")
    html = page(client, roundup)
    url = re.search(r'href="([^"]+)#comments" data-load-more', html).group(1)
    response = client.get(url.replace("&amp;", "&"), headers={"accept": "application/json"})
    assert response.status_code == 200 and "Accept" in response["Vary"]
    data = response.json()
    assert data["html"].startswith('<li class="comment') and "<html" not in data["html"]
    assert set(order(data["html"])).isdisjoint(order(html))
    assert data["next"] is None or "cursor=" in data["next"]


# Intended to prevent an n+1 issue in parts: a later part costs what the first one does.
# The API's first part of an unchanged thread: the roundup, the part's trees; one cache read
# finds the ranking kept under the thread's version (no ranking query: it was 3 when every view
# ranked every root). A later part: the roundup, the kept ranking (cache), the part's trees.
API_FIRST_PART_QUERIES = 2
API_LATER_PART_QUERIES = 2


@pytest.mark.parametrize("size", [400, 900])
def test_api_parts_run_a_fixed_number_of_queries(
    anon_api, roundup, django_assert_num_queries, cache_queries, size
):
    authors = User.objects.bulk_create(User(username=f"w{i}") for i in range(20))
    make_thread(roundup, size, authors)
    url = f"/api/roundups/{roundup.slug}/comments"
    anon_api.get(url)  # the first reader keeps the ranking
    with django_assert_num_queries(API_FIRST_PART_QUERIES + cache_queries):
        first = anon_api.get(url).json()
    with django_assert_num_queries(API_LATER_PART_QUERIES + cache_queries):
        second = anon_api.get(url, {"cursor": first["next"]}).json()
    assert set(ids_in(first["comments"])).isdisjoint(ids_in(second["comments"]))


# The page's later part: the roundup and its entries, the kept ranking (cache), the part's
# trees and the papers' earlier coverage (the per-paper counts are kept on the entries).
PAGE_LATER_PART_QUERIES = 4


@pytest.mark.parametrize("size", [400, 900])
def test_page_parts_run_a_fixed_number_of_queries(
    client, roundup, django_assert_num_queries, cache_queries, size
):
    from tests.comments.thread.test_page import ANONYMOUS_PAGE_QUERIES, IN_PARTS_QUERIES

    authors = User.objects.bulk_create(User(username=f"w{i}") for i in range(20))
    make_thread(roundup, size, authors)
    url = roundup.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(ANONYMOUS_PAGE_QUERIES + IN_PARTS_QUERIES + cache_queries):
        html = page(client, roundup)
    later = re.search(r'href="([^"]+)#comments" data-load-more', html).group(1)
    with django_assert_num_queries(PAGE_LATER_PART_QUERIES + cache_queries):
        response = client.get(later.replace("&amp;", "&"))
    assert response.status_code == 200
    assert set(order(response.content.decode())).isdisjoint(order(html))


def test_active_ranks_top_level_comments_by_their_latest_reply(
    anon_api, roundup, reader, other_reader
):
    """The ranking (SQL) agrees with the tree's own "active" order, on every database."""
    now = timezone.now()
    quiet = post(roundup, reader, "quiet", created_at=now - timedelta(hours=1))
    busy = post(roundup, reader, "busy", created_at=now - timedelta(hours=5))
    for minutes in (200, 100, 3):
        post(roundup, other_reader, "r", parent=busy, created_at=now - timedelta(minutes=minutes))
    old = post(roundup, reader, "old", created_at=now - timedelta(hours=9))
    shown, data = [], api_part(anon_api, roundup, sort="active", limit=2)  # ranked, in parts
    while True:
        shown.extend(c["id"] for c in data["comments"])
        if not data["next"]:
            break
        data = api_part(anon_api, roundup, cursor=data["next"], limit=2)
    assert shown == [busy.pk, quiet.pk, old.pk]


@pytest.mark.parametrize("sort", SORTS)
def test_the_ranking_query_orders_roots_as_the_tree_does(roundup, reader, other_reader, sort):
    """``rank_roots`` (one query; on SQLite its column comes back as one JSON array) gives the
    top-level comments in the order the built tree gives them, in every sort."""
    from comments.thread.parts import rank_roots
    from comments.thread.queries import thread_rows
    from comments.thread.tree import build_tree

    small_trees(roundup, [reader, other_reader])
    now = timezone.now()
    ranking = rank_roots(roundup, sort=sort, now=now)
    built = build_tree(thread_rows(roundup), sort=sort, now=now)
    assert list(ranking) == [node.comment.tree_id for node in built]
    assert len(ranking) == 30


def test_a_page_in_parts_shows_the_counts_kept_on_its_papers(client, roundup, reader):
    """A thread too big for one part is not read whole, so "Discuss this paper · N comments"
    is each entry's kept ``comment_count`` (moved by the comment services), in parts as whole."""
    from comments.services import comment_create, comment_remove
    from tests.factories import make_moderator

    entry, other = roundup.entries.order_by("position")[:2]
    authors = User.objects.bulk_create(User(username=f"w{i}") for i in range(5))
    make_thread(roundup, PART_COMMENTS + 20, authors)
    about = [
        comment_create(roundup=roundup, author=reader, body=f"On it {i}", paper_entry=entry,
                       enforce_rate_limit=False)
        for i in range(3)
    ]  # fmt: skip
    comment_create(roundup=roundup, author=reader, body="A reply", parent=about[0],
                   enforce_rate_limit=False)  # fmt: skip
    comment_remove(comment=about[2], by=make_moderator(), reason="Off topic.")
    html = page(client, roundup)
    assert "data-load-more" in html  # the thread came in parts
    assert '<a href="?paper=1#comments">Discuss this paper</a>\n    · 3 comments' in html
    assert '<a href="?paper=2#comments">Discuss this paper</a>\n    · 0 comments' in html
    entry.refresh_from_db()
    other.refresh_from_db()
    assert (entry.comment_count, other.comment_count) == (3, 0)
    narrowed = client.get(roundup.get_absolute_url(), {"paper": "1"}).content.decode()
    assert 'class="thread-title">3 comments</h2>' in narrowed


# --- a first part's ranking, kept under the thread's version --------------------------------


def thread_queries(captured) -> int:
    """The queries of a request that are not the database cache's own (reads, writes and their
    savepoints): the same count whichever cache the run has."""
    from django.conf import settings

    cache = settings.CACHES["default"]
    table = cache["LOCATION"] if cache["BACKEND"].endswith("DatabaseCache") else None
    return sum(
        1
        for query in captured.captured_queries
        if "SAVEPOINT" not in query["sql"] and not (table and table in query["sql"])
    )


def first_part(anon_api, roundup, **params):
    """The API's first part, and the queries it ran: all of them, and the thread's own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        data = api_part(anon_api, roundup, limit=3, **params)
    return data, len(captured), thread_queries(captured)


def test_a_first_part_of_an_unchanged_thread_reuses_its_ranking(
    anon_api, roundup, reader, cache_queries
):
    """Intended to keep a first part from ranking every top-level comment on each view: the
    second view of an unchanged thread reads the kept ranking (one cache read) and runs one
    query less, the ranking's."""
    for i in range(9):
        post(roundup, reader, f"c{i}")
    first, _, ranked = first_part(anon_api, roundup, sort="top")
    second, total, reused = first_part(anon_api, roundup, sort="top")
    assert ranked == API_FIRST_PART_QUERIES + 1  # the roundup, the ranking, the trees
    assert (reused, total) == (API_FIRST_PART_QUERIES, API_FIRST_PART_QUERIES + cache_queries)
    assert second == first  # the same part, and the same cursor: the same ranking and moment
    later = api_part(anon_api, roundup, cursor=second["next"], limit=3)["comments"]
    assert later and set(ids_in(later)).isdisjoint(ids_in(second["comments"]))


@pytest.mark.parametrize("write", ["post", "vote"])
def test_a_write_between_first_parts_makes_the_next_rank_again(
    anon_api, roundup, reader, other_reader, write
):
    """A post or a vote moves the thread's version: the next first part ranks again (one query
    more than a reuse) and shows the thread as it now is, and the one after reuses that."""
    old = [post(roundup, reader, f"c{i}") for i in range(9)]
    sort = "new" if write == "post" else "top"
    api_part(anon_api, roundup, sort=sort, limit=3)
    _, _, reused = first_part(anon_api, roundup, sort=sort)
    assert reused == API_FIRST_PART_QUERIES
    if write == "post":
        moved = post(roundup, other_reader, "the newest")
    else:
        moved = old[4]
        services.vote_cast(comment=moved, user=other_reader, value=1)
    data, _, ranked = first_part(anon_api, roundup, sort=sort)
    assert ranked == API_FIRST_PART_QUERIES + 1  # the kept ranking was not reused
    assert data["comments"][0]["id"] == moved.pk  # and the new one shows the write
    again, _, reused = first_part(anon_api, roundup, sort=sort)
    assert reused == API_FIRST_PART_QUERIES and again == data


def test_hot_first_parts_in_one_bucket_share_a_ranking_at_its_start(
    roundup, reader, django_assert_num_queries, cache_queries
):
    """``hot`` decays with time: a kept ranking serves one HOT_BUCKET_SECONDS bucket, ranked at
    its start, which is its cursors' moment; the next bucket ranks again."""
    from datetime import UTC, datetime

    from comments.thread.parts import HOT_BUCKET_SECONDS, first_ranking

    for i in range(4):
        post(roundup, reader, f"c{i}")
    roundup.refresh_from_db()
    start = datetime.fromtimestamp(1_900_000_000 // HOT_BUCKET_SECONDS * HOT_BUCKET_SECONDS, UTC)
    first = first_ranking(roundup, sort="hot", now=start + timedelta(seconds=5))
    assert first.taken_at == start.timestamp() and first.length == 4
    with django_assert_num_queries(cache_queries):  # the kept one: no ranking query
        same = first_ranking(roundup, sort="hot", now=start + timedelta(seconds=50))
    assert (list(same.ids), same.digest, same.taken_at) == (
        list(first.ids), first.digest, first.taken_at
    )  # fmt: skip
    later = first_ranking(
        roundup, sort="hot", now=start + timedelta(seconds=HOT_BUCKET_SECONDS + 1)
    )
    assert later.taken_at == start.timestamp() + HOT_BUCKET_SECONDS
