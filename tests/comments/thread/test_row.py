"""comments.thread.row: the declared row, and the hook by which a higher app adds columns."""

import pytest
from django.db.models import F

from comments.thread import queries, row
from papers.cards import SUGGESTION_COLUMNS

pytestmark = pytest.mark.django_db


def test_the_row_is_declared_fields_then_joins_then_extensions():
    fields = row.row_type()._fields
    assert fields[: len(row.FIELDS)] == row.FIELDS
    assert fields[-len(SUGGESTION_COLUMNS) :] == tuple(SUGGESTION_COLUMNS)  # papers, by the hook
    assert "body" not in fields  # a page never fetches the markdown source
    assert "body" in row.row_type(with_body=True)._fields
    assert row.row_type() is row.row_type()  # built once


def test_registering_after_rows_are_in_use_or_twice_is_refused(monkeypatch):
    row.row_type()
    with pytest.raises(RuntimeError, match="AppConfig.ready"):
        row.register_row_extension(columns={"x": F("id")}, render_card=str)
    monkeypatch.setattr(row, "_TYPES", {})
    monkeypatch.setattr(row, "_EXTENSIONS", list(row._EXTENSIONS))
    with pytest.raises(ValueError, match="suggestion_url"):
        row.register_row_extension(columns={"suggestion_url": F("id")}, render_card=str)


def test_the_page_query_leaves_the_body_out_and_the_api_query_has_it():
    page_sql = queries._thread_sql("default", narrow=None, with_body=False)
    api_sql = queries._thread_sql("default", narrow=None, with_body=True)
    assert '."body"' not in page_sql and '."body_html"' in page_sql
    assert '."body"' in api_sql


def test_one_comment_is_read_as_the_same_row(roundup, reader):
    from comments import services

    first = services.comment_create(
        roundup=roundup, author=reader, body="a", enforce_rate_limit=False
    )
    second = services.comment_create(
        roundup=roundup, author=reader, body="b", parent=first, enforce_rate_limit=False
    )
    (one,) = queries.thread_rows(roundup, comment_id=second.pk)
    assert one == {r.id: r for r in queries.thread_rows(roundup)}[second.pk]


def test_a_fresh_reply_renders_as_the_page_shows_it(client, roundup, reader, other_reader):
    """render_single reads a real row: the script inserts exactly what a reload shows."""
    from comments import services

    parent = services.comment_create(
        roundup=roundup, author=other_reader, body="parent", enforce_rate_limit=False
    )
    client.force_login(reader)
    response = client.post(
        f"/comments/{parent.pk}/reply/", {"body": "**hi**"}, HTTP_ACCEPT="application/json"
    )
    markup = response.json()["html"]
    reply_id = response.json()["id"]
    html = client.get(roundup.get_absolute_url()).content.decode()
    start = html.index(f'<li class="comment is-own" id="c{reply_id}"')
    assert html[start : start + len(markup)] == markup
    assert markup.endswith("</div></details></li>") and "<ul" not in markup
