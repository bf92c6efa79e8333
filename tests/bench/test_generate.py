"""The benchmark code, exercised on tiny threads so CI keeps it working; nothing here is timed.

The generator must give the shape issue 5 promises, its bulk insert must leave trees exactly as
django-mptt would, and every renderer the page is compared with must show the same comments as
the page itself (a ratio between renderings of different threads would mean nothing).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from bench import generate, thread_page
from comments.models import Comment, Vote
from comments.thread.parts import PART_COMMENTS
from comments.thread.tree import MAX_DEPTH

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db  # the shared conftest clears the (database) cache


def test_spec_shape():
    spec = generate.make_spec(400)
    assert len(spec.roots) == 100  # a quarter are roots
    assert max(spec.levels) <= generate.MAX_LEVEL == 11  # depth 12 at most
    assert max(spec.levels) >= MAX_DEPTH  # deep enough to reach "continue this thread"
    assert all(p is None or p < i for i, p in enumerate(spec.parents))  # replies to earlier ones
    assert len(set(spec.authors)) >= 45 and max(spec.authors) < generate.AUTHORS
    voted = sum(1 for v in spec.votes if v)
    assert voted / spec.n > 0.75  # votes on most comments
    assert all(voter != spec.authors[i] for i, v in enumerate(spec.votes) for voter, _ in v)
    assert spec.offsets == sorted(spec.offsets)
    bodies = generate.body_pool()
    assert all(200 <= len(b) <= 600 for b in bodies)
    assert generate.make_spec(400).parents == spec.parents  # fixed seed


def test_single_root_spec():
    spec = generate.make_spec(200, single_root=True)
    assert spec.roots == [0]
    assert max(spec.levels) <= generate.MAX_LEVEL


# serialized_rollback: without it the flush after this test re-creates content types, and the
# next test that restores the serialized database (tests/comments/test_concurrency.py, on
# PostgreSQL) collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bulk_insert_matches_django_mptt():
    made = generate.build([120], check=True)
    thread = made[generate.thread_slug(120)]
    single = made[generate.thread_slug(120, single_root=True)]
    assert (thread["roots"], single["roots"]) == (30, 1)
    assert len(generate.ensure_users()) == generate.AUTHORS
    columns = ("id", "parent_id", "tree_id", "lft", "rght", "level")
    before = list(Comment.objects.order_by("id").values_list(*columns))
    for tree_id in {row[2] for row in before}:
        Comment.objects.partial_rebuild(tree_id)
    assert list(Comment.objects.order_by("id").values_list(*columns)) == before
    # Both axes' counters agree with the stored votes, and about half the comments have
    # agreement votes.
    agreed = 0
    for comment in Comment.objects.filter(roundup_id=thread["roundup_id"]):
        for axis, counters in (
            ("approval", (comment.score, comment.upvotes, comment.downvotes)),
            ("agreement", (comment.agreement, comment.agree_votes, comment.disagree_votes)),
        ):
            votes = Vote.objects.filter(comment=comment, axis=axis)
            values = list(votes.values_list("value", flat=True))
            assert counters == (sum(values), values.count(1), values.count(-1))
        agreed += comment.agree_votes + comment.disagree_votes > 0
    assert 30 < agreed < 90
    # A reply through django-mptt afterwards lands where it should: the ids moved past ours.
    parent = Comment.objects.filter(roundup_id=thread["roundup_id"]).last()
    reply = Comment.objects.create(  # the tree row alone: its text is not what this checks
        roundup_id=parent.roundup_id, parent=parent, author_id=parent.author_id
    )
    assert reply.pk > before[-1][0]
    assert generate.check_tree(parent.roundup) == 121


@pytest.mark.django_db
def test_floor_and_recursetree_show_what_the_page_shows():
    from roundups.models import Roundup

    generate.build([300], single_root_too=False)
    roundup = Roundup.objects.get(slug=generate.thread_slug(300))
    response = Client().get(roundup.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    ids = [int(i) for i in thread_page._OURS_COMMENT.findall(html)]
    expected = thread_page.ours_count(html)
    # The first part (comments/thread/parts.py), above the depth cut: not the whole thread.
    assert expected == len(ids) and PART_COMMENTS <= expected < 300
    assert Comment.objects.filter(pk__in=ids, level__gte=MAX_DEPTH).count() == 0
    assert thread_page.floor_count(thread_page.floor_html(roundup.pk, ids)) == expected
    assert thread_page.floor_count(thread_page.floor_narrow_html(roundup.pk, ids)) == expected
    assert thread_page.recursetree_count(thread_page.recursetree_html(roundup, ids)) == expected


@pytest.mark.django_db
def test_the_served_floor_and_thread_show_what_the_page_shows(settings):
    """bench/urls.py's two pages, through the same client and middleware as the page."""
    from bench.urls import FLOOR_IDS
    from roundups.models import Roundup

    settings.ROOT_URLCONF = "bench.urls"
    generate.build([300], single_root_too=False)
    roundup = Roundup.objects.get(slug=generate.thread_slug(300))
    client = Client()
    page = client.get(roundup.get_absolute_url())  # resolved as on the site
    assert page.status_code == 200
    html = page.content.decode()
    ids = [int(i) for i in thread_page._OURS_COMMENT.findall(html)]
    assert client.get(f"/bench/floor/{roundup.pk}/").status_code == 404  # none set up yet
    FLOOR_IDS[roundup.pk] = ids
    try:
        floor = client.get(f"/bench/floor/{roundup.pk}/")
        thread = client.get(f"/bench/thread/{roundup.slug}/")
    finally:
        del FLOOR_IDS[roundup.pk]
    assert thread_page.floor_count(floor.content.decode()) == len(ids)
    # The same comments, in the same order and markup, as on the page: its thread, bare.
    assert thread.content.decode() in html
    assert thread_page.ours_count(thread.content.decode()) == len(ids)
    assert client.get("/bench/thread/no-such-roundup/").status_code == 404


def test_xtd_peer_shows_what_the_page_shows():
    pytest.importorskip("django_comments_xtd", reason="django-comments-xtd is in the bench extra")
    out = subprocess.run(
        [sys.executable, "-m", "bench.peers.xtd", "--db", "sqlite", "--check", "300"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout.strip().splitlines()[-1])
    spec = generate.make_spec(300)
    expected = sum(1 for level in spec.levels if level < MAX_DEPTH)
    assert shown == {"expected": expected, "xtd": expected, "xtd_default": expected}
