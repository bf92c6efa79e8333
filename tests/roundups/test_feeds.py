"""RSS 2.0 and Atom feeds, read back with a real feed parser."""

import xml.etree.ElementTree as ET
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


# Every control character XML 1.0 cannot carry, DEL, a C1 control and the noncharacters, as
# stored before input was cleaned (NUL aside: PostgreSQL never could store it).
STORED_BAD = "".join(chr(c) for c in range(1, 0x20) if chr(c) not in "\t\n\r") + "\x7f\x85\ufffe"
ALL_FEEDS = [(name, []) for name, _ in SITE_FEEDS] + [(name, ["bad"]) for name, _ in SERIES_FEEDS]


@pytest.fixture
def stored_bad_text(author):
    """A published roundup whose every emitted string holds control characters, written with
    ``.update()`` as old rows would be, past the cleaning on input."""
    series = factories.make_series(slug="bad")
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    entry = roundup.entries.get()
    bad = f"x{STORED_BAD}y"
    type(series).objects.filter(pk=series.pk).update(name=f"Series {bad}", description=bad)
    type(roundup).objects.filter(pk=roundup.pk).update(
        title=f"Title {bad}", intro=bad, intro_html=f"<p>{bad}</p>", outro_html=f"<p>{bad}</p>"
    )
    type(entry).objects.filter(pk=entry.pk).update(
        title=f"Paper {bad}", authors=bad, abstract=bad, opinion_html=f"<p>{bad}</p>"
    )
    type(author).objects.filter(pk=author.pk).update(first_name="Ada", last_name=bad)
    return roundup


@pytest.mark.parametrize("name, args", ALL_FEEDS)
def test_feeds_stay_well_formed_xml_over_stored_control_characters(
    client, stored_bad_text, name, args
):
    response, feed = parse(client, reverse(name, args=args))  # asserts 200 and not bozo
    ET.fromstring(response.content)  # a strict XML parser agrees
    assert feed.entries[0].title == "Title xy"
    assert feed.entries[0].author == "Ada xy"
    assert [tag.term for tag in feed.entries[0].tags] == ["Series xy"]
    assert all(code not in response.content.decode() for code in STORED_BAD)
    if args:
        assert feed.feed.title == "Series xy · Roundups"
    html = full_html(feed.entries[0])
    assert "Paper xy" in html and "<p>xy</p>" in html


def test_pages_and_exports_answer_over_stored_control_characters(client, stored_bad_text):
    slug = stored_bad_text.slug
    for url in [
        reverse("roundups:detail", args=[slug]),
        reverse("roundups:series", args=["bad"]),
        reverse("papers:roundup_bibtex", args=[slug]),
        reverse("papers:detail", args=[stored_bad_text.entries.get().paper_key]),
        reverse("home"),
    ]:
        assert client.get(url).status_code == 200, url
    api = client.get(f"/api/roundups/{slug}")
    assert api.status_code == 200
    assert api.json()["title"] == f"Title x{STORED_BAD}y"  # JSON escapes them; nothing lost
