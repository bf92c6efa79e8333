"""Search: what it finds, how it ranks, how it highlights, and what a page costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment, CommentText
from comments.services import comment_create
from papers.search import MAX_QUERY_CHARS, SearchError, parse_terms
from roundups.models import PaperEntry
from tests.factories import make_entry, make_roundup, make_user

pytestmark = pytest.mark.django_db
SEARCH = reverse("papers:search")


def _comment(roundup, body, **kwargs):
    return comment_create(
        roundup=roundup, author=make_user(), body=body, enforce_rate_limit=False, **kwargs
    )


def _results(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response, [(hit.kind, hit.obj.pk) for hit in response.context["hits"]]


def test_finds_roundups_papers_and_comments(client):
    roundup = make_roundup(title="Diffusion week", intro="Plenty of samplers.")
    entry = make_entry(roundup, title="Score matching", abstract="A diffusion model for audio.")
    comment = _comment(roundup, "Is diffusion really new here?")
    _, found = _results(client, "diffusion")
    assert set(found) == {("roundup", roundup.pk), ("paper", entry.pk), ("comment", comment.pk)}


def test_every_word_must_match(client):
    roundup = make_roundup(title="Quiet week")
    both = make_entry(roundup, title="Sparse transformers", abstract="Attention that is sparse.")
    make_entry(roundup, title="Dense transformers", abstract="Attention everywhere.")
    _, found = _results(client, "Sparse TRANSFORMERS")
    assert found == [("paper", both.pk)]


@pytest.mark.parametrize("field", ["authors", "abstract", "opinion"])
def test_paper_fields_are_searched(client, field):
    entry = make_entry(make_roundup(), **{field: "Grothendieck"})
    _, found = _results(client, "grothendieck")
    assert found == [("paper", entry.pk)]


def test_title_match_ranks_above_body_match(client):
    roundup = make_roundup(title="A week")
    body = make_entry(roundup, title="Something else", abstract="We revisit quantization here.")
    comment = _comment(roundup, "quantization is underrated")
    title = make_entry(roundup, title="Quantization for everyone", abstract="Small models.")
    _, found = _results(client, "quantization")
    assert found[0] == ("paper", title.pk)
    assert set(found[1:]) == {("paper", body.pk), ("comment", comment.pk)}


def test_a_roundup_title_ranks_above_its_intro(client):
    in_intro = make_roundup(title="Week 3", intro="This week: robotics, and more.")
    in_title = make_roundup(title="Robotics special", intro="All about arms.")
    _, found = _results(client, "robotics")
    assert found == [("roundup", in_title.pk), ("roundup", in_intro.pk)]


def test_drafts_and_hidden_comments_are_not_found(client, moderator):
    draft = make_roundup(published=False, title="Secret zeppelin draft")
    make_entry(draft, title="Zeppelin paper")
    roundup = make_roundup(title="Public")
    deleted = _comment(roundup, "zeppelin thoughts")
    Comment.objects.filter(pk=deleted.pk).update(state=Comment.State.DELETED)
    removed = _comment(roundup, "zeppelin spam")
    Comment.objects.filter(pk=removed.pk).update(state=Comment.State.REMOVED)
    kept = _comment(roundup, "zeppelin, seriously")
    _, found = _results(client, "zeppelin")
    assert found == [("comment", kept.pk)]


def test_snippets_escape_user_text_and_mark_matches(client):
    roundup = make_roundup(title="Week")
    _comment(roundup, 'Use lasers: 1 < 2 & "quotes" <script>alert(1)</script> <b>mirrors</b>')
    response, found = _results(client, "lasers")
    html = response.content.decode()
    assert len(found) == 1
    assert "<mark>lasers</mark>: 1 &lt; 2 &amp; &quot;quotes&quot;" in html
    # SQLite shows the tags as escaped text; ts_headline drops tags from snippets. Neither runs.
    assert "<script>alert" not in html
    assert "<b>mirrors</b>" not in html


def test_title_highlight_is_escaped(client):
    make_entry(make_roundup(), title='Photonic <img src=x onerror="x()"> chips')
    response, _ = _results(client, "photonic")
    html = response.content.decode()
    assert "<img src=x" not in html
    assert "<mark>Photonic</mark> &lt;img" in html


def test_results_are_paginated_and_keep_the_query(client, monkeypatch):
    monkeypatch.setattr("papers.views.RESULTS_PER_PAGE", 2)
    roundup = make_roundup(title="Week")
    for n in range(5):
        make_entry(roundup, title=f"Kernel methods {n}")
    first, first_found = _results(client, "kernel")
    third, third_found = _results(client, "kernel", page=3)
    assert len(first_found) == 2 and len(third_found) == 1
    assert first.context["page"].paginator.count == 5
    assert "?q=kernel&amp;page=2" in first.content.decode()
    _, second_found = _results(client, "kernel", page=2)
    assert not set(first_found) & set(second_found)


def _fill(n_each):
    roundup = make_roundup(title="Graph week", intro="graph things")
    for n in range(n_each):
        make_roundup(title=f"Graph roundup {n}")
        make_entry(roundup, title=f"Graph paper {n}", abstract="graph graph")
        _comment(roundup, f"graph comment {n}")


@pytest.mark.parametrize("n_each", [1, 20])
def test_query_count_is_fixed_per_page(client, monkeypatch, n_each):
    """Intended to prevent an n+1 issue: whatever the number of results, a page costs 4 queries:
    the bounded candidates (id, kind, rank, date), never a count of every match, and one query
    per kind of result on the page (roundups, paper entries with their roundup, comments with
    author and roundup)."""
    monkeypatch.setattr("papers.views.RESULTS_PER_PAGE", 100)  # every result on one page
    _fill(n_each)
    with CaptureQueriesContext(connection) as queries:
        response, found = _results(client, "graph")
    assert len(found) == 3 * n_each + 1
    assert {kind for kind, _ in found} == {"roundup", "paper", "comment"}
    assert len(queries) == 4, [query["sql"] for query in queries]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("!!! ???", "Type at least one word"),
        ("-spam -eggs", "Type at least one word"),
        ("x" * (MAX_QUERY_CHARS + 1), "at most 200 characters"),
        ("a b c d e f g h i j k", "at most 10 words"),
    ],
)
def test_bad_queries_get_a_clear_message(client, query, message):
    response, found = _results(client, query)
    assert found == []
    assert message in response.context["error"]
    assert message in response.content.decode()


def test_empty_query_shows_the_form_only(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(SEARCH)
    assert response.context["hits"] == []
    assert 'name="q"' in response.content.decode()


def test_parse_terms():
    assert parse_terms("Graph, GRAPH; networks!") == ["graph", "networks"]
    with pytest.raises(SearchError):
        parse_terms("   ")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="stored vectors exist on PostgreSQL")
def test_search_ranks_from_the_stored_vectors_through_their_gin_indexes():
    """Each kind's candidates come from its stored ``search_vector`` (papers migration 0004),
    which has a GIN index; nothing is parsed at query time. On these tiny tables the planner
    prefers other paths, so each table's match is explained alone, sequential scans off."""
    from papers import search

    query = search.PostgresSearch("transformers").query
    params = [query, query, "published", 10] * 2 + [query, query, "published", "visible", 10]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + search.CANDIDATES_SQL, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "to_tsvector" not in plan and plan.count("search_vector @@") == 3, plan
        cursor.execute("SET LOCAL enable_seqscan = off")
        for table in ("roundups_roundup", "roundups_paperentry", "comments_commenttext"):
            cursor.execute(
                f"EXPLAIN SELECT 1 FROM {table} WHERE search_vector @@ "
                "websearch_to_tsquery('english'::regconfig, %s)",
                [query],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"{table}_search_vector" in plan, plan


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="stored vectors exist on PostgreSQL")
def test_stored_vectors_follow_edits(client):
    """The database regenerates a vector when its text changes: an edited comment is found by
    its new words and no longer by the old ones."""
    roundup = make_roundup()
    comment = _comment(roundup, "about zeppelins")
    CommentText.objects.filter(comment=comment).update(body="about dirigibles")
    assert _results(client, "zeppelins")[1] == []
    assert _results(client, "dirigibles")[1] == [("comment", comment.pk)]


def test_a_common_word_is_ranked_from_a_bounded_set_and_not_counted(client, monkeypatch):
    """Past MAX_CANDIDATES matches the page says "more than", and shows the best it ranked."""
    monkeypatch.setattr("papers.search.MAX_CANDIDATES", 3)
    roundup = make_roundup(title="Plain week")
    for n in range(6):
        _comment(roundup, f"common word {n}")
    response, found = _results(client, "common")
    assert 0 < len(found) <= 3 * 3  # at most the bound per kind (PostgreSQL) or in all
    assert response.context["capped"] is True
    assert "More than" in response.content.decode()
    monkeypatch.setattr("papers.search.MAX_CANDIDATES", 100)
    response, found = _results(client, "common")
    assert len(found) == 6 and response.context["capped"] is False
    assert "6 results" in response.content.decode()


def test_a_paper_without_key_links_to_its_roundup(client):
    entry = make_entry(make_roundup(), title="Keyless zebra")
    PaperEntry.objects.filter(pk=entry.pk).update(paper_key="")  # as an entry saved before keys
    response, found = _results(client, "zebra")
    assert found == [("paper", entry.pk)]
    assert f'href="{entry.roundup.get_absolute_url()}#{entry.anchor}"' in response.content.decode()
