"""The home page: published roundups, newest first, paginated, with their counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundups.views import HOME_PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

# One query for the page of roundups (keyset: no COUNT) with their series, author and both counts
# (papers as a subquery, comments kept on the row). Nothing per roundup.
HOME_PAGE_QUERIES = 1


def test_home_lists_published_roundups_newest_first_with_series_date_and_counts(client, author):
    series = factories.make_series("Weekly paper roundup")
    now = timezone.now()
    old = factories.make_roundup(author=author, published_at=now - timedelta(days=7), entries=1)
    new = factories.make_roundup(author=author, series=series, number=2, entries=3)
    reader = factories.make_user()
    for state in ["visible", "visible", "deleted"]:
        factories.make_comment(roundup=new, author=reader, body="x", state=state)
    draft = factories.make_roundup(author=author, published=False)

    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(new.title) < html.index(old.title)
    assert draft.title not in html
    assert "3 papers" in html and re.search(r"\b1 paper\s+·", html)
    assert "2 comments" in html and "0 comments" in html
    assert f'href="{series.get_absolute_url()}"' in html and "#2" in html
    assert new.published_at.strftime("%Y-%m-%d") in html  # machine-readable <time>


def test_home_when_nothing_is_published(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200 and b"Nothing published yet." in response.content


def _link(response, rel):
    found = re.search(rf'rel="{rel}" href="(\?[^"]+)"', response.content.decode())
    return found and found.group(1).replace("&amp;", "&")


def test_home_is_paginated_newer_and_older(client, author):
    now = timezone.now()
    roundups = [
        factories.make_roundup(author=author, published_at=now - timedelta(days=n))
        for n in range(HOME_PAGE_SIZE + 1)
    ]
    first = client.get(reverse("home"))
    assert len(first.context["roundups"]) == HOME_PAGE_SIZE
    assert _link(first, "prev") is None and _link(first, "next").startswith("?after=")
    second = client.get(reverse("home") + _link(first, "next"))
    assert [r.pk for r in second.context["roundups"]] == [roundups[-1].pk]
    assert _link(second, "next") is None and "Older" not in second.content.decode()
    back = client.get(reverse("home") + _link(second, "prev"))
    assert [r.pk for r in back.context["roundups"]] == [r.pk for r in roundups[:HOME_PAGE_SIZE]]
    assert _link(back, "prev") is None  # the newest page again: nothing above it


@pytest.mark.parametrize("cursor", ["?after=abc", "?before=" + "x" * 300, "?after=W10"])
def test_home_refuses_a_broken_cursor(client, db, cursor):
    response = client.get(reverse("home") + cursor)
    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 20])
def test_home_query_count_does_not_grow_with_roundups(
    client, author, count, django_assert_num_queries
):
    # Intended to prevent an n+1 issue: series, author and both counts come with the page's
    # single query, so 20 roundups cost what one does.
    reader = factories.make_user()
    for _ in range(count):
        roundup = factories.make_roundup(author=author, series=factories.make_series(), entries=2)
        factories.make_comment(roundup=roundup, author=reader, body="x")
    with django_assert_num_queries(HOME_PAGE_QUERIES):
        response = client.get(reverse("home"))
    assert response.content.count(b'class="roundup-summary"') == count


def test_home_rejects_post(client, db):
    assert client.post(reverse("home")).status_code == 405
