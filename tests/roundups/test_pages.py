"""The pages readers see: the roundup page and the series page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

# Queries for an anonymous reader of a published roundup in a series: the roundup with its
# series and author, its entries (one prefetch), the previous and the next roundup, then the
# comment thread (one query for an anonymous reader; see comments/thread/page.py).
ROUNDUP_PAGE_QUERIES = 6  # 5, plus one for every entry's earlier coverage (papers.queries)


def get_page(url, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_roundup_page_shows_every_part(author):
    series = factories.make_series("Weekly paper roundup")
    roundup = factories.make_roundup(
        author=author,
        series=series,
        number=7,
        intro="The **intro**.",
        outro="The *outro*.",
        crosspost_url="https://example.org/original-post",
    )
    factories.make_entry(
        roundup,
        1,
        title="Attention Is All You Need",
        url="https://arxiv.org/abs/1706.03762",
        authors="Ashish Vaswani, Noam Shazeer",
        year=2017,
        abstract="Attention replaces recurrence.",
        opinion="A *classic*.",
        code_url="https://github.com/tensorflow/tensor2tensor",
        related="- https://example.org/annotated",
    )
    response = get_page(reverse("roundups:detail", args=[roundup.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>intro</strong>" in html and "<em>outro</em>" in html
    assert 'href="#paper-1"' in html and 'id="paper-1"' in html
    assert '<a href="https://arxiv.org/abs/1706.03762"' in html
    assert "Ashish Vaswani, Noam Shazeer · 2017" in html
    assert '<blockquote class="abstract"><p>Attention replaces recurrence.</p></blockquote>' in html
    assert "<h3>My opinion</h3>" in html and "<em>classic</em>" in html
    assert 'href="https://github.com/tensorflow/tensor2tensor"' in html
    assert 'href="https://example.org/annotated"' in html
    assert "Crossposted from" in html and "https://example.org/original-post" in html
    assert series.get_absolute_url() in html and "#7" in html


def test_abstract_and_titles_are_escaped(author):
    roundup = factories.make_roundup(author=author)
    factories.make_entry(roundup, title="<b>bold</b>", abstract="<script>x</script>")
    html = get_page(roundup.get_absolute_url()).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html


def test_no_crosspost_line_without_a_url(roundup):
    assert b"Crossposted from" not in get_page(roundup.get_absolute_url()).content


def test_previous_and_next_links_within_the_series(author):
    series = factories.make_series()
    now = timezone.now()
    first, second, third = (
        factories.make_roundup(author=author, series=series, published_at=now + timedelta(days=d))
        for d in (0, 7, 14)
    )
    html = get_page(second.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{first.get_absolute_url()}"' in html
    assert f'rel="next" href="{third.get_absolute_url()}"' in html
    first_html = get_page(first.get_absolute_url()).content.decode()
    assert 'rel="prev"' not in first_html
    assert f'rel="next" href="{second.get_absolute_url()}"' in first_html


def test_unknown_roundup_is_404(db):
    assert get_page(reverse("roundups:detail", args=["nope"])).status_code == 404


@pytest.mark.parametrize("viewer", ["anonymous", "reader", "other_author", "moderator"])
def test_drafts_are_404_to_everyone_but_their_author_and_staff(author, viewer):
    draft = factories.make_roundup(author=author, published=False)
    user = {
        "anonymous": None,
        "reader": factories.make_user(),
        "other_author": factories.make_author(),
        "moderator": factories.make_moderator(),
    }[viewer]
    assert get_page(draft.get_absolute_url(), user).status_code == 404


@pytest.mark.parametrize("viewer", ["author", "staff"])
def test_drafts_show_to_their_author_and_staff_with_a_banner_and_no_thread(
    author, viewer, monkeypatch
):
    calls = []
    monkeypatch.setattr("comments.views.thread_context", lambda *a: calls.append(a) or {})
    draft = factories.make_roundup(author=author, published=False, entries=1)
    user = author if viewer == "author" else factories.make_user(staff=True)
    response = get_page(draft.get_absolute_url(), user)
    assert response.status_code == 200
    assert b"Draft: only you and staff can see this page." in response.content
    assert calls == []  # no comment thread under a draft


def test_published_roundup_page_asks_for_the_thread_and_records_the_visit(roundup, monkeypatch):
    seen = []
    monkeypatch.setattr("comments.views.thread_context", lambda request, r: {"thread_marker": 1})
    monkeypatch.setattr(
        "comments.views.record_visit", lambda request, r, context: seen.append(context)
    )
    response = get_page(roundup.get_absolute_url())
    assert response.status_code == 200
    assert seen and seen[0]["thread_marker"] == 1 and seen[0]["roundup"] == roundup


def test_author_tools_only_for_who_may_edit(roundup, author, reader):
    edit_url = reverse("roundups:edit", args=[roundup.slug]).encode()
    assert edit_url in get_page(roundup.get_absolute_url(), author).content
    assert edit_url not in get_page(roundup.get_absolute_url(), reader).content
    assert edit_url not in get_page(roundup.get_absolute_url()).content


def test_roundup_page_rejects_post(roundup):
    assert Client().post(roundup.get_absolute_url()).status_code == 405


@pytest.mark.parametrize("entries", [1, 20])
def test_roundup_page_query_count_does_not_grow_with_entries(
    author, entries, client, django_assert_num_queries
):
    # Intended to prevent an n+1 issue: entries come in one prefetch, series and author
    # through select_related, so a roundup with 20 papers costs what one with 1 paper does.
    series = factories.make_series()
    now = timezone.now()
    factories.make_roundup(author=author, series=series, published_at=now - timedelta(days=7))
    roundup = factories.make_roundup(author=author, series=series, entries=entries)
    factories.make_roundup(author=author, series=series, published_at=now + timedelta(days=7))
    with django_assert_num_queries(ROUNDUP_PAGE_QUERIES):
        response = client.get(roundup.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b'class="paper"') == entries


def test_series_page_lists_its_published_roundups_newest_first(author):
    series = factories.make_series("Weekly paper roundup", description="Papers, weekly.")
    now = timezone.now()
    old = factories.make_roundup(author=author, series=series, published_at=now - timedelta(1))
    new = factories.make_roundup(author=author, series=series, published_at=now, entries=2)
    draft = factories.make_roundup(author=author, series=series, published=False)
    elsewhere = factories.make_roundup(author=author)
    response = get_page(series.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Papers, weekly." in html
    assert html.index(new.title) < html.index(old.title)
    assert draft.title not in html and elsewhere.title not in html
    assert "2 papers" in html
    assert reverse("roundups:series_rss", args=[series.slug]) in html


def test_unknown_series_is_404(db):
    assert get_page(reverse("roundups:series", args=["nope"])).status_code == 404
