"""Reads for the thread pages: each function is one query, however big the thread.

The thread is read as plain named tuples (``values_list(named=True)``), not model instances:
building 300 ``Comment`` objects costs more than the query itself, and the page only needs the
columns below. ``comments/tree.py`` and ``comments/render.py`` both work on these rows.
"""

import sqlite3
from collections import namedtuple
from datetime import UTC, datetime

from django.db import connections
from django.db.models import F

from .models import Comment, ModerationAction, ReadMarker, Vote

# What the tree builder and the renderer read from each row; nothing else is fetched
# (``body``, the markdown source, never leaves the database on a page view).
THREAD_FIELDS = (
    "id",
    "parent_id",
    "tree_id",
    "author_id",
    "state",
    "score",
    "upvotes",
    "downvotes",
    "created_at",
    "edited_at",
    "edited_by_id",
    "body_html",
    "paper_entry_id",  # the paper a comment discusses: per-paper counts and ?paper= filter
)


# The author's name and karma (accounts.Karma, kept by every vote; None before any vote reached
# them), joined in so a page needs no query per author and none for karma.
AUTHOR_COLUMNS = {
    "author_name": F("author__username"),
    "author_karma": F("author__karma__value"),
}


# A paper suggestion's card data (papers.PaperSuggestion, one per suggesting comment), joined in
# so the cards cost no query of their own; None on every other comment. Read by papers/cards.py.
SUGGESTION_COLUMNS = {
    "suggestion_title": F("paper_suggestion__title"),
    "suggestion_url": F("paper_suggestion__url"),
    "suggestion_status": F("paper_suggestion__status"),
    "suggestion_taken_slug": F("paper_suggestion__taken_entry__roundup__slug"),
    "suggestion_taken_status": F("paper_suggestion__taken_entry__roundup__status"),
    "suggestion_taken_position": F("paper_suggestion__taken_entry__position"),
}


def thread_rows(roundup, *, tree_id=None) -> list:
    """Every comment of ``roundup`` (or of one of its trees) in ``(tree_id, lft)`` order.

    One query: the author's name and karma and the text come through joins, so the page needs no
    query per author. The ORM writes the SQL (once per process: see ``_thread_sql``), but the rows
    are read straight from the cursor: Django's per-value converters cost more than the query
    itself on a big thread. The datetimes arrive aware, in UTC: from psycopg2, and from SQLite's
    driver through our column type (``_sqlite_aware_datetimes``).
    """
    params = [roundup.pk] if tree_id is None else [roundup.pk, tree_id]
    using = Comment.objects.db
    with connections[using].cursor() as cursor:
        cursor.execute(_thread_sql(using, by_tree=tree_id is not None), params)
        raw = cursor.fetchall()
    make = ThreadRow._make
    if not raw or _aware(raw[0][_CREATED]):
        return list(map(make, raw))
    rows = []  # a backend that hands back naive datetimes (in UTC, as Django stores them)
    for row in raw:
        row = list(row)
        row[_CREATED] = _utc(row[_CREATED])
        if row[_EDITED] is not None:
            row[_EDITED] = _utc(row[_EDITED])
        rows.append(make(row))
    return rows


_SQL_CACHE: dict[tuple[str, bool], str] = {}
_ROUNDUP_SLOT, _TREE_SLOT = 987_654_301, 987_654_302  # stand-ins, replaced by the real values


def _thread_sql(using: str, *, by_tree: bool) -> str:
    """The thread query's SQL, compiled by the ORM once per database and kept.

    Compiling it (four joins, twenty columns) costs about as much as running it for a hundred
    comments, and it only ever differs by its parameters: the roundup's id, then the tree's.
    """
    key = (using, by_tree)
    sql = _SQL_CACHE.get(key)
    if sql is None:
        queryset = Comment.objects.for_thread(_ROUNDUP_SLOT)
        expected = [_ROUNDUP_SLOT]
        if by_tree:
            queryset = queryset.filter(tree_id=_TREE_SLOT)
            expected.append(_TREE_SLOT)
        queryset = queryset.annotate(
            **AUTHOR_COLUMNS,
            body_html=F("text__body_html"),  # the text lives beside the tree row: joined here
            **SUGGESTION_COLUMNS,
        )
        queryset = queryset.values_list(*THREAD_FIELDS, *AUTHOR_COLUMNS, *SUGGESTION_COLUMNS)
        sql, params = queryset.query.get_compiler(using).as_sql()
        if list(params) != expected:  # the ORM moved or added parameters: never guess
            raise RuntimeError(f"thread query parameters changed: {params!r}")
        if connections[using].vendor == "sqlite":
            sql = _sqlite_aware_datetimes(sql)
        _SQL_CACHE[key] = sql
    return sql


def _sqlite_aware_datetimes(sql: str) -> str:
    """Let SQLite's driver hand back the two datetime columns already aware, in UTC.

    The driver picks a column's converter from a ``[type]`` in its name before its declared
    type (Django opens connections with ``PARSE_COLNAMES``), so naming them ``created_at
    [roundups_utc]`` replaces Django's naive converter with ours, once per value, in the fetch
    itself: no second pass over the rows to attach the zone.
    """
    aliases = [f'AS "{column}"' for column in ("created_at", "edited_at")]
    if any(sql.count(alias) != 1 for alias in aliases):
        return sql  # the ORM wrote something else: keep its SQL, thread_rows zones the values
    for alias in aliases:
        sql = sql.replace(alias, f'{alias[:-1]} [{_SQLITE_UTC}]"')
    return sql


def _utc_from_sqlite(value: bytes) -> datetime:
    # Django stores naive UTC ("2026-01-31 18:00:00.123456"); naming the offset in the text is
    # several times cheaper than .replace(tzinfo=UTC) on the parsed value.
    return datetime.fromisoformat(value.decode() + "+00:00")


_SQLITE_UTC = "roundups_utc"
sqlite3.register_converter(_SQLITE_UTC, _utc_from_sqlite)


ThreadRow = namedtuple("ThreadRow", (*THREAD_FIELDS, *AUTHOR_COLUMNS, *SUGGESTION_COLUMNS))
_CREATED = ThreadRow._fields.index("created_at")
_EDITED = ThreadRow._fields.index("edited_at")


def _aware(value) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def viewer_votes(user, roundup) -> dict[int, int]:
    """``{comment_id: value}`` for the viewer's votes on this roundup, in one query."""
    if not user.is_authenticated:
        return {}
    return dict(Vote.objects.filter(user=user, roundup=roundup).values_list("comment_id", "value"))


def last_seen(user, roundup):
    """When the viewer last saw this roundup's thread (None for a first visit or anonymous)."""
    if not user.is_authenticated:
        return None
    return (
        ReadMarker.objects.filter(user=user, roundup=roundup)
        .values_list("last_seen_at", flat=True)
        .first()
    )


def moderation_log():
    """The public log, newest first, with everything a row shows joined in."""
    return ModerationAction.objects.select_related(
        "moderator", "comment", "roundup", "user"
    ).order_by("-created_at", "-pk")
