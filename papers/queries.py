"""Reads for the paper pages: each function fetches what one page needs in a fixed number of
queries, whatever the number of papers, roundups or comments."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connections

from papers.cards import roundup_url_prefix
from roundups.models import Paper, PaperEntry, published_filter

INDEX_PAGE_SIZE = 50  # a screenful of titles; the index grows by ~10 papers a week


def covered_entries():
    """Paper entries of published roundups that have a paper key: what readers can see."""
    return PaperEntry.objects.filter(published_filter("roundup__")).exclude(paper_key="")


@dataclass
class PaperRow:
    """One distinct paper in the index: its ``Paper`` row's counts; its newest entry gives the
    title."""

    key: str
    last_covered: object
    comment_count: int = 0
    coverage: list = field(default_factory=list)  # [(roundup, entry)], newest first

    @property
    def latest(self):
        return self.coverage[0][1]


def paper_index_rows():
    """The covered papers, most recently covered first: ``Paper`` rows, one per paper key, kept
    by the write paths. Keyset-paginate them (``last_covered_at``), then pass the page to
    ``paper_rows``."""
    return Paper.objects.covered()


def paper_rows(papers_page) -> list[PaperRow]:
    """The page's rows with their coverage: one query for any page size (the counts are on the
    ``Paper`` rows already)."""
    rows = {
        paper.paper_key: PaperRow(
            key=paper.paper_key,
            last_covered=paper.last_covered_at,
            comment_count=paper.comment_count,
        )
        for paper in papers_page
    }
    if not rows:
        return []
    entries = (
        covered_entries()
        .filter(paper_key__in=rows)
        .select_related("roundup")
        .order_by("-roundup__published_at", "-roundup_id", "position")
    )
    for entry in entries:
        rows[entry.paper_key].coverage.append((entry.roundup, entry))
    # A row whose entries went away since it was counted (check_threads repairs it) is left out
    # rather than shown without a title.
    return [row for row in rows.values() if row.coverage]


def paper_coverage(key: str) -> list[PaperEntry]:
    """Every published entry of one paper, oldest roundup first, with roundup and author."""
    return list(
        covered_entries()
        .filter(paper_key=key)
        .select_related("roundup", "roundup__author")
        .order_by("roundup__published_at", "roundup_id", "position")
    )


@dataclass(frozen=True, slots=True)
class CoveringRoundup:
    """An earlier roundup as an "also covered in" link shows it: no model, no reverse()."""

    pk: int
    slug: str
    title: str
    published_at: object

    def get_absolute_url(self) -> str:
        return f"{roundup_url_prefix()}{self.slug}/"  # slugs are URL-safe; the prefix reversed once


@dataclass(frozen=True, slots=True)
class CoveringEntry:
    """The entry of that roundup: where on its page the link points."""

    pk: int
    roundup_id: int
    position: int
    paper_key: str

    @property
    def anchor(self) -> str:
        return PaperEntry.anchor_for(self.position)


def earlier_coverage(entries) -> dict[int, list[tuple[CoveringRoundup, CoveringEntry]]]:
    """For each entry, the published roundups that covered the same paper before it, in ONE query.

    "Before" means published earlier than the entry's own roundup; for an entry of a draft, every
    published roundup counts. Entries without coverage elsewhere get an empty list. The entries'
    own roundups are never fetched: their publication times come from the same query. Every
    roundup page runs this, so it reads plain rows of only what the links show.
    """
    entries = list(entries)
    keys = {entry.paper_key for entry in entries if entry.paper_key}
    result = {entry.pk: [] for entry in entries}
    if not keys:
        return result
    roundups = {}
    others = []
    for pk, roundup_id, position, key, slug, title, published_at in _coverage_rows(sorted(keys)):
        roundup = roundups.get(roundup_id)
        if roundup is None:
            roundup = roundups[roundup_id] = CoveringRoundup(roundup_id, slug, title, published_at)
        others.append((roundup, CoveringEntry(pk, roundup_id, position, key)))
    for entry in entries:
        when = roundups[entry.roundup_id].published_at if entry.roundup_id in roundups else None
        seen = set()  # a roundup that listed the paper twice shows once
        for roundup, other in others:
            if other.paper_key != entry.paper_key or other.roundup_id == entry.roundup_id:
                continue
            if when is not None and (roundup.published_at, roundup.pk) >= (when, entry.roundup_id):
                continue
            if roundup.pk not in seen:
                seen.add(roundup.pk)
                result[entry.pk].append((roundup, other))
    return result


_COVERAGE_SQL: dict[str, tuple[str, list, int]] = {}
_KEY_SLOT = "\x00roundups:key"  # a stand-in paper key, replaced by the real ones
_IN_ONE = "IN (%s)"


def _coverage_rows(keys: list[str]) -> list[tuple]:
    """The published entries of ``keys``, oldest roundup first, as plain rows: the query
    ``earlier_coverage`` reads on every roundup page.

    The ORM writes its SQL once per process and database (building and compiling the queryset
    cost three times what SQLite takes to run it); the rows come straight from the cursor, the
    publication time as an aware datetime on every backend.
    """
    using = PaperEntry.objects.db
    compiled = _COVERAGE_SQL.get(using)
    if compiled is None:
        queryset = (
            covered_entries()
            .filter(paper_key__in=[_KEY_SLOT])
            .order_by("roundup__published_at", "roundup_id", "position")
            .values_list("pk", "roundup_id", "position", "paper_key", "roundup__slug",
                         "roundup__title", "roundup__published_at")
        )  # fmt: skip
        sql, params = queryset.query.get_compiler(using).as_sql()
        if list(params).count(_KEY_SLOT) != 1 or sql.count(_IN_ONE) != 1:
            raise RuntimeError("coverage query: the key list is not where it was expected")
        compiled = _COVERAGE_SQL[using] = (sql, list(params), list(params).index(_KEY_SLOT))
    sql, params, at = compiled
    sql = sql.replace(_IN_ONE, "IN (" + ", ".join(["%s"] * len(keys)) + ")")
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*params[:at], *keys, *params[at + 1 :]])
        rows = cursor.fetchall()
    if rows and not isinstance(rows[0][-1], datetime):  # SQLite: the stored UTC text
        rows = [(*row[:-1], _aware(row[-1])) for row in rows]
    return rows


def _aware(value) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
