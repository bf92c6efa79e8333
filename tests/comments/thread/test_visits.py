"""New since the last visit: markers that last the whole visit, and the "since" control."""

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from comments import services
from comments.models import VISIT_GAP, ReadMarker, new_since
from comments.thread.parts import PART_COMMENTS, REPLIES_SHOWN
from comments.thread.tree import MAX_DEPTH
from tests.comments.thread.test_page import comment_li, make_thread, page, post

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def test_rule_a_view_within_the_gap_keeps_the_visits_marker():
    last, start = NOW - timedelta(minutes=5), NOW - timedelta(days=2)
    assert new_since(last, start, NOW) == start


def test_rule_a_view_after_the_gap_counts_from_the_last_view():
    last, start = NOW - VISIT_GAP - timedelta(seconds=1), NOW - timedelta(days=2)
    assert new_since(last, start, NOW) == last


def test_rule_a_first_visit_marks_nothing():
    assert new_since(None, None, NOW) is None
    assert new_since(NOW - timedelta(minutes=1), None, NOW) is None  # still the first visit


def move_back(reader, roundup, by):
    marker = ReadMarker.objects.get(user=reader, roundup=roundup)
    ReadMarker.objects.filter(pk=marker.pk).update(last_seen_at=marker.last_seen_at - by)
    return ReadMarker.objects.get(pk=marker.pk)


def test_touch_keeps_the_marker_within_a_visit_and_moves_it_after_the_gap(roundup, reader):
    services.read_marker_touch(user=reader, roundup=roundup)
    first = ReadMarker.objects.get()
    assert first.visit_since is None  # the first visit: nothing to be new since
    services.read_marker_touch(user=reader, roundup=roundup)  # a reload
    assert ReadMarker.objects.get().visit_since is None
    left = move_back(reader, roundup, VISIT_GAP + timedelta(minutes=1))
    services.read_marker_touch(user=reader, roundup=roundup)  # back after the gap: a new visit
    second = ReadMarker.objects.get()
    assert second.visit_since == left.last_seen_at
    assert second.last_seen_at > left.last_seen_at
    services.read_marker_touch(user=reader, roundup=roundup)  # a reload in the new visit
    assert ReadMarker.objects.get().visit_since == left.last_seen_at


def test_page_reload_keeps_markers_and_a_later_visit_starts_a_new_baseline(
    client, roundup, reader, other_reader, monkeypatch
):
    real_now, later = timezone.now, [timedelta(0)]
    monkeypatch.setattr(timezone, "now", lambda: real_now() + later[0])  # the reader's clock
    client.force_login(reader)
    old = post(roundup, other_reader, "before the first visit")
    assert "is-new" not in page(client, roundup)  # first visit
    later[0] += VISIT_GAP + timedelta(minutes=1)
    fresh = post(roundup, other_reader, "after the first visit")
    for _ in range(3):  # the second visit, and two reloads of it within the gap
        later[0] += timedelta(minutes=10)
        html = page(client, roundup)
        assert "is-new" in comment_li(html, fresh)
        assert "is-new" not in comment_li(html, old)
    later[0] += VISIT_GAP + timedelta(minutes=1)
    html = page(client, roundup)  # a third visit: seen in the second, no longer new
    assert "is-new" not in html


def aged(roundup, author, body, age, parent=None):
    return post(roundup, author, body, parent=parent, created_at=timezone.now() - age)


@pytest.fixture
def spread(roundup, reader, other_reader):
    """Comments two hours, two days and two weeks old; the reader last visited three hours ago
    (a visit that ended: the gap has passed)."""
    comments = {
        "hours": aged(roundup, other_reader, "two hours", timedelta(hours=2)),
        "days": aged(roundup, other_reader, "two days", timedelta(days=2)),
        "weeks": aged(roundup, other_reader, "two weeks", timedelta(weeks=2)),
    }
    ReadMarker.objects.create(
        user=reader, roundup=roundup, last_seen_at=timezone.now() - timedelta(hours=3)
    )
    return comments


def new_on(html, comments):
    return {name for name, c in comments.items() if "is-new" in comment_li(html, c)}


@pytest.mark.parametrize(
    "since, expected, summary",
    [
        ("", {"hours"}, "since your last visit"),
        ("visit", {"hours"}, "since your last visit"),
        ("day", {"hours"}, "in the last day"),
        ("week", {"hours", "days"}, "in the last week"),
        ("all", set(), None),
    ],
)
def test_each_since_value(client, roundup, reader, spread, since, expected, summary):
    client.force_login(reader)
    html = page(client, roundup, f"?since={since}" if since else "")
    assert new_on(html, spread) == expected
    if summary:
        assert re.search(rf"{len(expected)} new comments?</strong>\s*{summary}", html)
    else:
        assert 'class="new-summary"' not in html
    chosen = since or "visit"
    assert f'<option value="{chosen}" selected>' in html


def test_anonymous_readers_have_no_visit_but_can_pick_a_span(client, roundup, spread):
    html = page(client, roundup)
    assert "is-new" not in html
    assert 'value="visit"' not in html  # no visits to count from
    assert '<option value="all" selected>' in html
    assert page(client, roundup, "?since=visit").count("is-new") == 0
    assert new_on(page(client, roundup, "?since=week"), spread) == {"hours", "days"}


def test_a_bad_since_says_so_and_counts_from_the_last_visit(client, roundup, reader, spread):
    client.force_login(reader)
    html = page(client, roundup, "?since=fortnight")
    assert "is not a date we can read" in html
    assert new_on(html, spread) == {"hours"}


def test_next_new_links_follow_the_chosen_since(client, roundup, reader, spread):
    client.force_login(reader)
    html = page(client, roundup, "?since=week&sort=new")
    first, second = spread["hours"], spread["days"]
    assert f'<a class="next-new" href="#c{first.pk}">first new comment</a>' in html
    assert f'<a class="next-new" href="#c{second.pk}">next new comment</a>' in comment_li(
        html, first
    )
    assert "next new comment" not in comment_li(page(client, roundup, "?sort=new"), first)


def test_since_is_kept_in_sort_links_and_the_control_keeps_sort(client, roundup, reader, spread):
    client.force_login(reader)
    html = page(client, roundup, "?since=week&sort=old")
    assert 'href="?sort=new&amp;since=week#comments"' in html
    assert '<input type="hidden" name="sort" value="old">' in html


def test_since_is_kept_across_parts_and_marks_their_comments(client, roundup, reader):
    authors = User.objects.bulk_create(User(username=f"writer{i}") for i in range(3))
    comments = make_thread(roundup, PART_COMMENTS + 40, authors)  # all within the last day
    client.force_login(reader)
    html = page(client, roundup, "?since=day")
    more = htmllib.unescape(re.search(r'href="([^"]+)" data-load-more', html).group(1))
    assert "since=day" in more
    later = client.get(more).content.decode()
    shown = [c for c in comments if f'id="c{c.pk}"' in later]
    assert shown and all("is-new" in comment_li(later, c) for c in shown)
    # The part the script fetches in place, and its own next link.
    part = client.get(more, HTTP_ACCEPT="application/json").json()
    assert "is-new" in part["html"]
    assert part["next"] is None or "since=day" in part["next"]


def test_visit_markers_are_kept_in_later_parts(client, roundup, reader):
    authors = User.objects.bulk_create(User(username=f"writer{i}") for i in range(3))
    make_thread(roundup, PART_COMMENTS + 40, authors)
    ReadMarker.objects.create(
        user=reader, roundup=roundup, last_seen_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(reader)
    html = page(client, roundup)  # starts the visit
    more = htmllib.unescape(re.search(r'href="([^"]+)" data-load-more', html).group(1))
    assert "is-new" in client.get(more).content.decode()
    assert "is-new" in client.get(more, HTTP_ACCEPT="application/json").json()["html"]


def test_since_is_kept_on_links_to_a_comments_page_and_used_there(
    client, roundup, reader, other_reader, spread
):
    busy = spread["weeks"]
    replies = [
        aged(roundup, other_reader, f"reply {i}", timedelta(days=3), parent=busy)
        for i in range(REPLIES_SHOWN + 1)
    ]
    deep = [aged(roundup, other_reader, "depth 0", timedelta(days=3))]
    for depth in range(1, MAX_DEPTH + 1):
        deep.append(
            aged(roundup, other_reader, f"depth {depth}", timedelta(days=3), parent=deep[-1])
        )
    client.force_login(reader)
    html = page(client, roundup, "?since=week")
    assert f'<a href="/comments/{busy.pk}/?since=week" data-more-replies' in html
    cut = deep[MAX_DEPTH - 1]
    assert f'<a href="/comments/{cut.pk}/?since=week">continue this thread' in html
    plain = page(client, roundup)
    assert f'<a href="/comments/{busy.pk}/" data-more-replies' in plain
    assert f'<a href="/comments/{cut.pk}/">continue this thread' in plain
    # The comment's page counts from the same moment: three-day-old replies are new this week,
    # not since the last visit (three hours ago).
    week = client.get(f"/comments/{busy.pk}/?since=week").content.decode()
    assert '<option value="week" selected>' in week
    assert all("is-new" in comment_li(week, reply) for reply in replies[:REPLIES_SHOWN])
    visit = client.get(f"/comments/{busy.pk}/").content.decode()
    assert "is-new" not in visit
