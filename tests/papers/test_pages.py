"""The paper index, the paper page and "also covered in" data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from papers.queries import earlier_coverage
from roundups.models import Roundup
from tests.factories import make_entry, make_roundup

pytestmark = pytest.mark.django_db

ATTENTION = "https://arxiv.org/abs/1706.03762"


def _roundup(days_ago, **kwargs):
    return make_roundup(published_at=timezone.now() - timedelta(days=days_ago), **kwargs)


def test_index_lists_each_paper_once_with_every_roundup_that_covered_it(client):
    older = _roundup(10, title="Week one")
    newer = _roundup(3, title="Week two")
    make_entry(older, title="Attention (old title)", url=ATTENTION + "v1")
    make_entry(newer, title="Attention Is All You Need", url="https://arxiv.org/pdf/1706.03762v5")
    make_entry(newer, title="Another paper", url="https://doi.org/10.1145/3290605.3300857")

    response = client.get(reverse("papers:index"))

    assert response.status_code == 200
    rows = {row.key: row for row in response.context["rows"]}
    assert set(rows) == {"arxiv:1706.03762", "doi:10.1145/3290605.3300857"}
    attention = rows["arxiv:1706.03762"]
    assert attention.latest.title == "Attention Is All You Need"  # from the newest entry
    assert [roundup.title for roundup, _ in attention.coverage] == ["Week two", "Week one"]
    assert attention.comment_count == 0
    html = response.content.decode()
    assert html.count("Attention Is All You Need") == 1
    assert "Attention (old title)" not in html
    assert reverse("papers:detail", args=["arxiv:1706.03762"]) in html


def test_index_leaves_out_drafts(client):
    draft = make_roundup(published=False)
    make_entry(draft, title="Secret draft paper")
    response = client.get(reverse("papers:index"))
    assert response.context["rows"] == []
    assert "Secret draft paper" not in response.content.decode()


def test_index_is_ordered_by_latest_coverage_and_paginated(client, settings, monkeypatch):
    monkeypatch.setattr("papers.queries.INDEX_PAGE_SIZE", 2)
    for days in (5, 4, 3):
        make_entry(_roundup(days), title=f"Paper {days}")
    first = client.get(reverse("papers:index"))
    older = first.context["page"].older
    second = client.get(reverse("papers:index"), {"after": older})
    assert [row.latest.title for row in first.context["rows"]] == ["Paper 3", "Paper 4"]
    assert f'rel="next" href="?after={older}"' in first.content.decode()
    assert [row.latest.title for row in second.context["rows"]] == ["Paper 5"]


@pytest.mark.parametrize("papers", [1, 20])
def test_index_query_count_does_not_grow_with_papers(client, papers):
    """Intended to prevent an n+1 issue: a page costs the same for 1 paper or 20, each covered
    by two roundups. 2 queries: the page of ``Paper`` rows (keyset, with their comment counts),
    the entries of those keys with their roundups."""
    first, second = _roundup(9), _roundup(2)
    for n in range(papers):
        make_entry(first, url=f"https://arxiv.org/abs/2301.{n:05d}")
        make_entry(second, url=f"https://arxiv.org/pdf/2301.{n:05d}v2")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("papers:index"))
    assert len(response.context["rows"]) == papers
    assert len(queries) == 2, [query["sql"] for query in queries]


def test_paper_page_shows_each_opinion_side_by_side(client):
    first = _roundup(9, title="Week one")
    second = _roundup(2, title="Week two")
    make_entry(first, url=ATTENTION, opinion="Overhyped, *honestly*.")
    make_entry(second, url=ATTENTION + "v3", opinion="Held up **well**.", title="Attention")
    make_entry(make_roundup(published=False), url=ATTENTION, opinion="Draft opinion")

    response = client.get(reverse("papers:detail", args=["arxiv:1706.03762"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Overhyped, <em>honestly</em>." in html
    assert "Held up <strong>well</strong>." in html
    assert "Draft opinion" not in html
    assert html.index("Week one") < html.index("Week two")  # oldest first, left to right
    assert "eprint = {1706.03762}" in html  # its own BibTeX entry
    assert f"{second.get_absolute_url()}?paper=1#comments" in html


@pytest.mark.parametrize(
    "url",
    [
        ATTENTION,
        "https://arxiv.org/abs/hep-th/9901001",
        "https://doi.org/10.1145/3290605.3300857",
        "https://example.org/view?id=3&b=x%20y",
        "https://example.org/papers/a#frag",
        "https://example.org/bibtex",
    ],
)
def test_paper_keys_round_trip_through_the_url(client, url):
    entry = make_entry(make_roundup(), url=url)
    path = reverse("papers:detail", args=[entry.paper_key])
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.context["key"] == entry.paper_key
    bibtex = client.get(reverse("papers:paper_bibtex", args=[entry.paper_key]))
    assert bibtex.status_code == 200
    assert bibtex["Content-Type"].startswith("application/x-bibtex")


def test_unknown_paper_is_404(client):
    assert client.get(reverse("papers:detail", args=["arxiv:0000.00000"])).status_code == 404
    draft = make_roundup(published=False)
    entry = make_entry(draft, url=ATTENTION)
    assert client.get(reverse("papers:detail", args=[entry.paper_key])).status_code == 404


def test_earlier_coverage_in_one_query(django_assert_num_queries):
    oldest, older, current, later = _roundup(30), _roundup(20), _roundup(10), _roundup(1)
    make_entry(oldest, url=ATTENTION)
    make_entry(older, url=ATTENTION + "v2")
    make_entry(later, url=ATTENTION)
    mine = make_entry(current, url="https://arxiv.org/pdf/1706.03762.pdf")
    fresh = make_entry(current, url="https://example.org/new-paper")
    entries = list(Roundup.objects.for_page().get(pk=current.pk).entries.all())

    with django_assert_num_queries(1):
        coverage = earlier_coverage(entries)

    assert [roundup.pk for roundup, _ in coverage[mine.pk]] == [oldest.pk, older.pk]
    assert coverage[fresh.pk] == []


def test_roundup_page_shows_earlier_coverage_without_extra_queries(
    client, django_assert_num_queries
):
    # Intended to prevent an n+1 issue: the coverage rows carry only the fields the links show,
    # so a template reaching for another one would cost a query per link. Four queries: the
    # roundup, its entries, the (empty) thread and the earlier coverage.
    first = _roundup(20, title="Week one")
    second = _roundup(10, title="Week two")
    current = _roundup(1, title="Week three")
    for roundup in (first, second, current):
        make_entry(roundup, position=1, url=ATTENTION)
        make_entry(roundup, position=2, url=f"https://example.org/only-in/{roundup.slug}")
    with django_assert_num_queries(4):
        html = client.get(current.get_absolute_url()).content.decode()
    assert "Also covered in" in html
    assert f'href="{first.get_absolute_url()}#paper-1">Week one</a>' in html
    assert f'href="{second.get_absolute_url()}#paper-1">Week two</a>' in html


def test_earlier_coverage_of_a_draft_counts_every_published_roundup():
    published = _roundup(5)
    make_entry(published, url=ATTENTION)
    draft = make_roundup(published=False)
    entry = make_entry(draft, url=ATTENTION)
    assert [roundup.pk for roundup, _ in earlier_coverage([entry])[entry.pk]] == [published.pk]


def test_earlier_coverage_of_nothing_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert earlier_coverage([]) == {}
