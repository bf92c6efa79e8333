"""RSS 2.0 and Atom feeds, read back with a real feed parser."""

from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from roundups.feeds import FEED_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

SITE_FEEDS = [("roundups:feed_rss", "rss20"), ("roundups:feed_atom", "atom10")]
SERIES_FEEDS = [("roundups:series_rss", "rss20"), ("roundups:series_atom", "atom10")]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def full_html(entry):
    """The item's full HTML: RSS puts it in <description>, our Atom in <content>."""
    return entry.content[0].value if "content" in entry else entry.summary


@pytest.mark.parametrize("name, version", SITE_FEEDS)
def test_site_feeds_list_published_roundups_newest_first_with_full_html(
    client, author, name, version
):
    now = timezone.now()
    old = factories.make_roundup(author=author, published_at=now - timedelta(days=7))
    new = factories.make_roundup(author=author, published_at=now, entries=2)
    factories.make_entry(new, 3, title="Toy Models of Superposition", opinion="So **clear**.")
    draft = factories.make_roundup(author=author, published=False)
    response, feed = parse(client, reverse(name))
    assert feed.version == version
    assert [e.title for e in feed.entries] == [new.title, old.title]
    assert draft.title.encode() not in response.content
    newest = feed.entries[0]
    assert newest.link == f"http://testserver{new.get_absolute_url()}"
    html = full_html(newest)
    assert "Toy Models of Superposition" in html
    assert "<strong>clear</strong>" in html
    assert 'id="paper-3"' in html and "My opinion" in html
    assert newest.published_parsed is not None
    assert newest.get("author") == author.username


@pytest.mark.parametrize("name, version", SERIES_FEEDS)
def test_series_feeds_hold_only_that_series(client, author, name, version):
    series = factories.make_series("Weekly paper roundup")
    mine = factories.make_roundup(author=author, series=series, entries=1)
    factories.make_roundup(author=author, series=factories.make_series(), entries=1)
    factories.make_roundup(author=author, series=series, published=False)
    _, feed = parse(client, reverse(name, args=[series.slug]))
    assert feed.version == version
    assert "Weekly paper roundup" in feed.feed.title
    assert [e.title for e in feed.entries] == [mine.title]
    assert "paper-1" in full_html(feed.entries[0])


@pytest.mark.parametrize("name", [n for n, _ in SERIES_FEEDS])
def test_feed_of_unknown_series_is_404(client, db, name):
    assert client.get(reverse(name, args=["nope"])).status_code == 404


def test_feeds_are_capped(client, author):
    for _ in range(FEED_SIZE + 2):
        factories.make_roundup(author=author)
    _, feed = parse(client, reverse("roundups:feed_rss"))
    assert len(feed.entries) == FEED_SIZE


def test_feed_queries_do_not_grow_with_items(client, author, django_assert_num_queries):
    # Intended to prevent an n+1 issue: entries, series and authors for every item are fetched
    # with the items (one query for the roundups, one for all their entries).
    for _ in range(5):
        factories.make_roundup(author=author, entries=3, series=factories.make_series())
    with django_assert_num_queries(2):
        client.get(reverse("roundups:feed_atom"))


def test_empty_feed_is_valid(client, db):
    _, feed = parse(client, reverse("roundups:feed_atom"))
    assert feed.entries == []
