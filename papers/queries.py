"""Reads for the paper pages: each function fetches what one page needs in a fixed number of
queries, whatever the number of papers, roundups or comments."""

from dataclasses import dataclass, field

from django.db.models import Count, Max

from comments.models import Comment
from papers.cards import roundup_url_prefix
from roundups.models import PaperEntry, published_filter

INDEX_PAGE_SIZE = 50  # a screenful of titles; the index grows by ~10 papers a week
# Comments shown on a paper's page; past this, its roundups' threads (linked) have the rest.
PAPER_DISCUSSION_LIMIT = 100


def covered_entries():
    """Paper entries of published roundups that have a paper key: what readers can see."""
    return PaperEntry.objects.filter(published_filter("roundup__")).exclude(paper_key="")


@dataclass
class PaperRow:
    """One distinct paper in the index: its newest entry gives the title."""

    key: str
    last_covered: object
    coverage: list = field(default_factory=list)  # [(roundup, entry)], newest first
    comment_count: int = 0

    @property
    def latest(self):
        return self.coverage[0][1]


def paper_index_rows():
    """One row per distinct paper key, most recently covered first (a values queryset).

    Paginate it, then pass the page to ``paper_rows``.
    """
    return (
        covered_entries()
        .values("paper_key")
        .annotate(last_covered=Max("roundup__published_at"))
        .order_by("-last_covered", "paper_key")
    )


def paper_rows(keys_page) -> list[PaperRow]:
    """The page's rows with their coverage and comment counts: two queries for any page size."""
    rows = {
        item["paper_key"]: PaperRow(key=item["paper_key"], last_covered=item["last_covered"])
        for item in keys_page
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
    for key, count in paper_comment_counts(rows).items():
        rows[key].comment_count = count
    return list(rows.values())


def paper_comment_counts(keys) -> dict[str, int]:
    """Visible comments attached to the entries of each paper key (on published roundups), in
    one query."""

    counts = (
        Comment.objects.visible()
        .filter(published_filter("roundup__"), paper_entry__paper_key__in=list(keys))
        .order_by()
        .values("paper_entry__paper_key")
        .annotate(n=Count("pk"))
    )
    return {row["paper_entry__paper_key"]: row["n"] for row in counts}


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
    rows = (
        covered_entries()
        .filter(paper_key__in=keys)
        .order_by("roundup__published_at", "roundup_id", "position")
        .values_list(
            "pk",
            "roundup_id",
            "position",
            "paper_key",
            "roundup__slug",
            "roundup__title",
            "roundup__published_at",
        )  # fmt: skip
    )
    roundups = {}
    others = []
    for pk, roundup_id, position, key, slug, title, published_at in rows:
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


def entry_comment_counts(entries) -> dict[int, int]:
    """Visible comments attached to each entry, in one query."""

    counts = (
        Comment.objects.visible()
        .filter(paper_entry__in=[entry.pk for entry in entries])
        .order_by()
        .values("paper_entry")
        .annotate(n=Count("pk"))
    )
    return {row["paper_entry"]: row["n"] for row in counts}


def paper_discussion(entries) -> list[Comment]:
    """The visible comments about a paper across its roundups, each thread in tree order (oldest
    roundup first), at most PAPER_DISCUSSION_LIMIT: one query."""
    return list(
        Comment.objects.visible()
        .filter(paper_entry__in=[entry.pk for entry in entries])
        .select_related("author", "roundup", "text")
        .order_by("roundup__published_at", "roundup_id", "tree_id", "lft")[:PAPER_DISCUSSION_LIMIT]
    )
