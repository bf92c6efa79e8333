"""Keyset pagination for lists newest first: "newer / older" links that never count or skip rows.

A list is ordered by a time column, then the primary key (the unique tiebreaker), both
descending, and must have an index on ``(time, pk)`` (or led by its filter columns). A page is
``size + 1`` rows read from the index where the previous page ended, so the last page costs what
the first does (OFFSET reads and throws away every skipped row, and ``Paginator`` counts them
all). A cursor is an opaque, URL-safe token of the boundary row's key; ``?after=`` goes older,
``?before=`` goes newer. A malformed cursor is ``InvalidCursor`` (the pages answer 400).
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import BadRequest
from django.db.models import Q

MAX_CURSOR_CHARS = 200  # a time and an id fit in 60; anything longer is not ours


class InvalidCursor(BadRequest):
    """The cursor in the address was not made by us (or was cut): a 400 for the reader."""

    def __init__(self):
        super().__init__("This page link is broken: go back to the first page of the list.")


def encode_cursor(when: datetime, pk: int) -> str:
    raw = json.dumps([when.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, int]:
    """The ``(time, pk)`` a cursor stands for, or ``InvalidCursor``."""
    if not token or len(token) > MAX_CURSOR_CHARS:
        raise InvalidCursor
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        when, pk = json.loads(raw)
        when = datetime.fromisoformat(when)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursor from None
    if type(pk) is not int or when.tzinfo is None or not 0 <= pk < 2**63:
        raise InvalidCursor
    return when, pk


@dataclass
class KeysetPage:
    """One page of a list: its rows, newest first, and the cursors of the pages around it."""

    object_list: list
    newer: str | None = None  # cursor for ?before=: the page above this one
    older: str | None = None  # cursor for ?after=: the page below this one

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def _older_than(field: str, when, pk) -> Q:
    # "time <= t AND (time < t OR pk < id)": the first clause is a plain range on the index's
    # leading column, so the planner walks the index from the cursor; the second drops the ties
    # already shown.
    return Q(**{f"{field}__lte": when}) & (Q(**{f"{field}__lt": when}) | Q(pk__lt=pk))


def _newer_than(field: str, when, pk) -> Q:
    return Q(**{f"{field}__gte": when}) & (Q(**{f"{field}__gt": when}) | Q(pk__gt=pk))


def keyset_page(queryset, field: str, size: int, *, after=None, before=None) -> KeysetPage:
    """One page of ``queryset`` ordered by ``-field, -pk``: the first, or the one older than the
    ``after`` cursor, or the one newer than ``before``. One query of ``size + 1`` rows.

    Past the end (the rows behind a cursor were deleted) the page is empty and links back.
    """
    if before:
        when, pk = decode_cursor(before)
        newer = queryset.filter(_newer_than(field, when, pk)).order_by(field, "pk")
        rows = list(newer[: size + 1])
        page = KeysetPage(rows[:size][::-1])
        if len(rows) > size:
            page.newer = _cursor(page.object_list[0], field)
        # The cursor's own row is older than this page: the link includes it (pk + 1).
        page.older = _cursor(page.object_list[-1], field) if rows else encode_cursor(when, pk + 1)
        return page
    older = queryset.order_by(f"-{field}", "-pk")
    if after:
        when, pk = decode_cursor(after)
        older = older.filter(_older_than(field, when, pk))
    rows = list(older[: size + 1])
    page = KeysetPage(rows[:size])
    if len(rows) > size:
        page.older = _cursor(page.object_list[-1], field)
    if after:  # the cursor's row (and anything above it) is newer
        page.newer = _cursor(rows[0], field) if rows else encode_cursor(when, pk - 1)
    return page


def page_from_request(queryset, field: str, size: int, request) -> KeysetPage:
    """``keyset_page`` with the cursors of the request's ``?after=`` / ``?before=``."""
    return keyset_page(
        queryset, field, size, after=request.GET.get("after"), before=request.GET.get("before")
    )


def _cursor(row, field: str) -> str:
    return encode_cursor(getattr(row, field), row.pk)
