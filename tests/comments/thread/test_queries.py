"""comments.thread.queries.thread_rows: one query, aware UTC datetimes, SQL compiled once."""

from datetime import UTC

import pytest
from django.db.models import F

from comments import services
from comments.models import Comment, Vote
from comments.thread import queries

pytestmark = pytest.mark.django_db


def test_thread_rows_give_aware_utc_datetimes_and_joined_fields(roundup, reader, other_reader):
    root = services.comment_create(
        roundup=roundup, author=reader, body="First", enforce_rate_limit=False
    )
    reply = services.comment_create(
        roundup=roundup, author=other_reader, body="Second", parent=root, enforce_rate_limit=False
    )
    services.vote_cast(comment=root, user=other_reader, value=1)
    Comment.objects.filter(pk=reply.pk).update(edited_at=F("created_at"))
    rows = {row.id: row for row in queries.thread_rows(roundup)}
    assert list(rows) == [root.pk, reply.pk]
    for row in rows.values():
        assert row.created_at.utcoffset().total_seconds() == 0
        assert row.created_at.tzinfo is not None
    assert rows[root.pk].created_at == Comment.objects.get(pk=root.pk).created_at
    assert rows[reply.pk].edited_at == rows[reply.pk].created_at
    assert rows[reply.pk].edited_at.tzinfo is not None and rows[root.pk].edited_at is None
    assert rows[root.pk].author_name == "reader" and rows[root.pk].author_karma == 1
    assert rows[reply.pk].author_karma is None  # no vote has reached them
    assert rows[root.pk].body_html == "<p>First</p>"
    by_tree = queries.thread_rows(roundup, tree_id=root.tree_id)
    assert [row.id for row in by_tree] == [root.pk, reply.pk]


def test_one_query_however_often(roundup, reader, django_assert_num_queries):
    services.comment_create(roundup=roundup, author=reader, body="x", enforce_rate_limit=False)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert len(queries.thread_rows(roundup)) == 1


def test_sqlite_column_types_only_when_both_datetimes_are_found():
    both = 'SELECT c.created_at AS "created_at", c.edited_at AS "edited_at" FROM c'
    assert queries._sqlite_aware_datetimes(both) == (
        'SELECT c.created_at AS "created_at [roundups_utc]", '
        'c.edited_at AS "edited_at [roundups_utc]" FROM c'
    )
    one = 'SELECT c.created_at AS "created_at", c.edited_at FROM c'
    assert queries._sqlite_aware_datetimes(one) == one


def test_the_sqlite_converter_reads_what_django_stores():
    moment = queries._utc_from_sqlite(b"2026-01-31 18:00:00.123456")
    assert moment.tzinfo == UTC and moment.microsecond == 123456 and moment.hour == 18
    assert queries._utc_from_sqlite(b"2026-01-31 18:00:00").second == 0


def test_viewer_votes_reads_only_this_roundups_votes(roundup, reader, other_reader):
    """Votes carry their roundup: the viewer's votes elsewhere are neither read nor returned."""
    from tests import factories

    elsewhere = factories.make_roundup(author=roundup.author)
    here = services.comment_create(
        roundup=roundup, author=reader, body="here", enforce_rate_limit=False
    )
    there = services.comment_create(
        roundup=elsewhere, author=reader, body="there", enforce_rate_limit=False
    )
    services.vote_cast(comment=here, user=other_reader, value=-1)
    services.vote_cast(comment=there, user=other_reader, value=1)
    services.vote_cast(comment=there, user=other_reader, value=-1, axis="agreement", strong=True)
    assert queries.viewer_votes(other_reader, roundup) == {here.pk: (-1, 0)}
    assert queries.viewer_votes(other_reader, elsewhere) == {there.pk: (1, -2)}
    assert set(Vote.objects.values_list("comment_id", "roundup_id")) == {
        (here.pk, roundup.pk),
        (there.pk, elsewhere.pk),
    }
