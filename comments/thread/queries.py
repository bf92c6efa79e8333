"""Reads for a thread: each function is one query, however big the thread.

The thread is read as declared rows (``row.py``), not model instances: building 300 ``Comment``
objects costs more than the query itself. ``tree.py``, ``render.py``, the API and the papers card
all read these rows.
"""

import sqlite3
from datetime import UTC, datetime

from django.db import connections

from ..models import Comment, ReadMarker, Vote, new_since
from . import row as declared


def thread_rows(roundup, *, tree_id=None, comment_id=None, tree_ids=None, with_body=False) -> list:
    """Every comment of ``roundup`` (or of one of its trees, of the trees in ``tree_ids``: a part,
    or one comment) in ``(tree_id, lft)`` order, as declared rows (``row.row_type``);
    ``with_body`` adds the markdown source (the API). ``roundup`` may be a list of roundup ids
    with ``tree_ids``: the trees of several roundups in the same one query (the paper page).

    One query: the author's name and karma and the text come through joins, so the page needs no
    query per author. The ORM writes the SQL (once per process: see ``_thread_sql``), but the rows
    are read straight from the cursor: Django's per-value converters cost more than the query
    itself on a big thread. The datetimes arrive aware, in UTC: from psycopg2, and from SQLite's
    driver through our column type (``_sqlite_aware_datetimes``).
    """
    narrow, params = None, [getattr(roundup, "pk", roundup)]  # a Roundup or its id
    sql = None
    using = Comment.objects.db
    if isinstance(roundup, list | tuple):  # several roundups' trees at once (the paper page)
        params = [*roundup, *tree_ids]
        sql = _thread_sql(using, narrow="trees", with_body=with_body, many=True)
        head, _slot, tail = sql.partition(_IN_ONE)  # the roundups' list, then the trees'
        sql = head + _in(roundup) + tail.replace(_IN_ONE, _in(tree_ids), 1)
    elif tree_ids is not None:
        params.extend(tree_ids)
        sql = _thread_sql(using, narrow="trees", with_body=with_body).replace(
            _IN_ONE, _in(tree_ids)
        )
    elif comment_id is not None:
        narrow = "comment"
        params.append(comment_id)
    elif tree_id is not None:
        narrow = "tree"
        params.append(tree_id)
    if sql is None:
        sql = _thread_sql(using, narrow=narrow, with_body=with_body)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    make = declared.row_type(with_body=with_body)._make
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


_SQL_CACHE: dict[tuple, str] = {}
_ROUNDUP_SLOT, _NARROW_SLOT = 987_654_301, 987_654_302  # stand-ins, replaced by the real values
_NARROW_BY = {"tree": "tree_id", "comment": "pk", "trees": "tree_id__in"}
_IN_ONE = "IN (%s)"  # the one-element list the "trees" shape is compiled with, widened per part


def _in(values) -> str:
    return "IN (" + ", ".join(["%s"] * len(values)) + ")"


def _thread_sql(using: str, *, narrow: str | None, with_body: bool, many: bool = False) -> str:
    """The thread query's SQL, compiled by the ORM once per database and shape, and kept.

    Compiling it (four joins, twenty columns) costs about as much as running it for a hundred
    comments, and it only ever differs by its parameters: the roundup's id, then the tree's or the
    comment's.
    """
    key = (using, narrow, with_body, many)
    sql = _SQL_CACHE.get(key)
    if sql is None:
        if many:  # roundup_id IN (...), widened like the tree list; written before it
            queryset = Comment.objects.filter(roundup_id__in=[_ROUNDUP_SLOT])
            queryset = queryset.order_by("tree_id", "lft")
        else:
            queryset = Comment.objects.for_thread(_ROUNDUP_SLOT)
        expected = [_ROUNDUP_SLOT]
        if narrow is not None:
            slot = [_NARROW_SLOT] if narrow == "trees" else _NARROW_SLOT
            queryset = queryset.filter(**{_NARROW_BY[narrow]: slot})
            expected.append(_NARROW_SLOT)
        joined = declared.annotations(with_body=with_body)
        queryset = queryset.annotate(**joined).values_list(*declared.FIELDS, *joined)
        sql, params = queryset.query.get_compiler(using).as_sql()
        if list(params) != expected:  # the ORM moved or added parameters: never guess
            raise RuntimeError(f"thread query parameters changed: {params!r}")
        if narrow == "trees" and sql.count(_IN_ONE) != 1 + many:
            raise RuntimeError("thread query: the tree list is not where it was expected")
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


_CREATED = declared.FIELDS.index("created_at")
_EDITED = declared.FIELDS.index("edited_at")


def _aware(value) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def viewer_votes(user, roundup) -> dict[int, tuple[int, int]]:
    """``{comment_id: (approval, agreement)}`` for the viewer's votes on this roundup (or on
    these roundups, a list: the paper page), in one query. Each axis is -2 (strong down), -1,
    0 (none), 1 or 2 (strong up)."""
    if not user.is_authenticated:
        return {}
    mine: dict[int, tuple[int, int]] = {}
    where = {"roundup__in": roundup} if isinstance(roundup, list) else {"roundup": roundup}
    rows = Vote.objects.filter(user=user, **where).values_list(
        "comment_id", "axis", "value", "strong"
    )
    for comment_id, axis, value, strong in rows:
        approval, agreement = mine.get(comment_id, _NO_VOTES)
        state = value * 2 if strong else value
        if axis == _APPROVAL:
            mine[comment_id] = (state, agreement)
        else:
            mine[comment_id] = (approval, state)
    return mine


_NO_VOTES = (0, 0)
_APPROVAL = Vote.Axis.APPROVAL.value


def last_seen(user, roundup, now):
    """Since when comments are new to the viewer looking at this roundup's thread at ``now``:
    the previous visit's last view, kept for the whole visit (``models.new_since``); None for a
    first visit or an anonymous reader."""
    if not user.is_authenticated:
        return None
    found = (
        ReadMarker.objects.filter(user=user, roundup=roundup)
        .values_list("last_seen_at", "visit_since")
        .first()
    )
    return new_since(*found, now) if found else None
