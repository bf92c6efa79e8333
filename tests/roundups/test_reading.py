"""Reading a roundup (issue #11): what the header tells and links, how long abstracts fold, and
the "on: <paper>" labels in the full thread. The browser side is tests/browser/test_reading.py."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.services import comment_create
from papers.models import PaperSuggestion
from roundups.models import ABSTRACT_FOLD_CHARS, WORDS_PER_MINUTE
from tests import factories

pytestmark = pytest.mark.django_db


def html_of(url, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def header_of(html):
    return html[
        html.index('<header class="roundup-header">') : html.index(
            "</header>", html.index('<header class="roundup-header">')
        )
    ]


def test_header_links_the_comment_count_to_the_discussion(roundup, reader):
    for _ in range(3):
        factories.make_comment(roundup=roundup, author=reader)
    header = header_of(html_of(roundup.get_absolute_url()))
    assert '<a class="comment-count-link" href="#comments">3 comments</a>' in header


def test_reading_time_is_words_over_230_rounded_up(author):
    roundup = factories.make_roundup(author=author, title="T", intro="", outro="")
    # 1 (title) + 2 (entry title) + 2 * WORDS_PER_MINUTE - 3 words of abstract: exactly 2 minutes.
    factories.make_entry(
        roundup,
        title="Two words",
        abstract="word " * (2 * WORDS_PER_MINUTE - 3),
        opinion="",
        related="",
    )
    roundup.refresh_from_db()
    assert roundup.reading_minutes == 2
    header = header_of(html_of(roundup.get_absolute_url()))
    assert '<span class="reading-time">2 min read</span>' in header
    factories.make_entry(roundup, title="One", abstract="", opinion="", related="")
    roundup.refresh_from_db()
    assert roundup.reading_minutes == 3  # one word more: the next minute


def test_crosspost_is_a_banner_at_the_top_linking_the_original(author):
    roundup = factories.make_roundup(
        author=author, crosspost_url="https://example.org/original-post", entries=1
    )
    html = html_of(roundup.get_absolute_url())
    banner = html.index('class="banner banner-crosspost"')
    assert banner < html.index("<h1>") < html.index('class="roundup-body"')
    assert '<a href="https://example.org/original-post" rel="noopener">' in html[banner:]
    assert html.count("Crossposted from") == 1  # no second line at the bottom


def test_roundup_page_links_its_bibtex_and_feed(author):
    series = factories.make_series("Weekly")
    in_series = factories.make_roundup(author=author, series=series, entries=1)
    alone = factories.make_roundup(author=author, entries=1)
    header = header_of(html_of(in_series.get_absolute_url()))
    assert f'href="{reverse("papers:roundup_bibtex", args=[in_series.slug])}" download' in header
    assert f'href="{reverse("roundups:series_rss", args=[series.slug])}"' in header
    assert f'href="{reverse("roundups:series_atom", args=[series.slug])}"' in header
    header = header_of(html_of(alone.get_absolute_url()))
    assert f'href="{reverse("papers:roundup_bibtex", args=[alone.slug])}" download' in header
    assert f'href="{reverse("roundups:feed_rss")}"' in header


def test_long_abstracts_fold_and_opinions_do_not(author):
    roundup = factories.make_roundup(author=author)
    long_text = "Long abstract sentence. " * (ABSTRACT_FOLD_CHARS // 20)
    factories.make_entry(roundup, abstract=long_text, opinion="My whole *opinion*.")
    factories.make_entry(roundup, abstract="Short abstract.")
    html = html_of(roundup.get_absolute_url())
    assert html.count('<div class="abstract-long">') == 1
    fold = html.index('<div class="abstract-long">')
    assert html.index('<details class="abstract-more">', fold) < html.index(long_text.strip(), fold)
    assert "Show the whole abstract" in html
    assert '<blockquote class="abstract"><p>Short abstract.</p></blockquote>' in html
    assert '<div class="opinion prose"><p>My whole <em>opinion</em>.</p>' in html


def test_comments_about_a_paper_are_labelled_in_the_full_thread(roundup, reader):
    entry = roundup.entries.order_by("position")[1]
    about = comment_create(
        roundup=roundup, author=reader, body="On paper two.", paper_entry=entry,
        enforce_rate_limit=False,
    )  # fmt: skip
    comment_create(
        roundup=roundup, author=reader, body="A reply.", parent=about, enforce_rate_limit=False
    )
    comment_create(roundup=roundup, author=reader, body="General.", enforce_rate_limit=False)
    html = html_of(roundup.get_absolute_url())
    label = f'<p class="on-paper">on: <a href="#{entry.anchor}">{entry.title}</a></p>'
    assert html.count('class="on-paper"') == 1  # the root only: not its reply, not "General."
    assert html.index(label) < html.index("On paper two.")
    # A page narrowed to that paper needs no label.
    narrowed = html_of(roundup.get_absolute_url() + f"?paper={entry.position}")
    assert "On paper two." in narrowed and 'class="on-paper"' not in narrowed


def test_paper_labels_are_escaped(author, reader):
    roundup = factories.make_roundup(author=author)
    entry = factories.make_entry(roundup, title="<b>bold</b> & co")
    comment_create(
        roundup=roundup, author=reader, body="x", paper_entry=entry, enforce_rate_limit=False
    )
    html = html_of(roundup.get_absolute_url())
    assert 'on: <a href="#paper-1">&lt;b&gt;bold&lt;/b&gt; &amp; co</a>' in html


def test_header_links_papers_search_and_for_authors_suggestions(roundup, reader, author):
    comment = factories.make_comment(roundup=roundup, author=reader, body="Read this.")
    PaperSuggestion.objects.create(
        comment=comment, title="P", url="https://example.org/p", blurb="b"
    )
    nav = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
    anonymous = nav.search(html_of("/")).group()
    assert f'href="{reverse("papers:index")}">Papers</a>' in anonymous
    assert f'action="{reverse("papers:search")}"' in anonymous and 'name="q"' in anonymous
    assert "Suggestions" not in anonymous
    assert "Suggestions" not in nav.search(html_of("/", reader)).group()
    for_author = nav.search(html_of("/", author)).group()
    assert f'href="{reverse("papers:suggestions")}"' in for_author
    assert '<span class="open-count" title="open">(1)</span>' in for_author


def test_header_open_suggestions_stop_at_the_cap(roundup, reader, author, monkeypatch):
    monkeypatch.setattr("forum.counts.HEADER_COUNT_CAP", 1)
    for n in range(2):
        comment = factories.make_comment(roundup=roundup, author=reader, body=f"Read {n}.")
        PaperSuggestion.objects.create(
            comment=comment, title=f"P{n}", url=f"https://example.org/{n}", blurb="b"
        )
    assert '<span class="open-count" title="open">(1+)</span>' in html_of("/", author)
