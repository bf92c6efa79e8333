"""Counts in the site header ("Suggestions (12)", "Notifications (3)"), bounded.

The header shows on every page, so its counts must not grow with the site: a count reads at most
``HEADER_COUNT_CAP + 1`` rows (``COUNT(*)`` over a ``LIMIT``ed subquery) and says "99+" past
the cap, as most forums' badges do. At 10,000 open suggestions the uncapped count took 36 ms of
every page an author opened on PostgreSQL (`make bench-scale`, "suggestions").
"""

HEADER_COUNT_CAP = 99


def capped_count(queryset, cap: int | None = None) -> int | str:
    """How many rows ``queryset`` has, up to ``cap`` (``HEADER_COUNT_CAP``); past it the text
    "<cap>+"."""
    cap = HEADER_COUNT_CAP if cap is None else cap
    found = queryset[: cap + 1].count()
    return found if found <= cap else f"{cap}+"
