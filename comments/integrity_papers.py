"""``check_threads``' part for the counts kept per paper: each entry's ``comment_count`` (its
visible comments) and each ``roundups.Paper`` row (its coverage and comments), against the rows
they count. The repair recounts under row locks, as ``integrity`` does for roundups.
"""

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from roundups.models import Paper, PaperEntry, paper_stats, papers_refresh

from .models import Comment

PAPER_FIELDS = ("roundup_count", "last_covered_at", "comment_count")


def _with_true_count(entries):
    visible = (
        Comment.objects.filter(paper_entry=OuterRef("pk"), state=Comment.State.VISIBLE)
        .order_by()
        .values("paper_entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return entries.annotate(
        true_count=Coalesce(Subquery(visible), Value(0), output_field=IntegerField())
    )


def _entries(roundup):
    entries = PaperEntry.objects.order_by("pk")
    return entries if roundup is None else entries.filter(roundup=roundup)


def wrong_entry_counts(roundup) -> list[tuple[int, int, int]]:
    """``(entry id, kept, true)`` for every entry whose kept count is wrong."""
    wrong = _with_true_count(_entries(roundup)).exclude(comment_count=F("true_count"))
    return list(wrong.values_list("pk", "comment_count", "true_count"))


def wrong_papers(roundup) -> dict[str, tuple[dict, dict]]:
    """``{paper_key: (kept, true)}`` for every ``Paper`` row that is wrong or missing.

    Over the keys of ``roundup``'s entries, or of every entry and every row when it is None.
    """
    keys = set(_entries(roundup).exclude(paper_key="").values_list("paper_key", flat=True))
    rows = Paper.objects.all() if roundup is None else Paper.objects.filter(paper_key__in=keys)
    kept = {row["paper_key"]: row for row in rows.values("paper_key", *PAPER_FIELDS)}
    true = paper_stats(keys | set(kept))
    empty = {"roundup_count": 0, "last_covered_at": None, "comment_count": 0}
    wrong = {}
    for key in sorted(keys | set(kept)):
        have = kept.get(key)
        want = true.get(key, empty)
        if have is None and key not in true:
            continue  # only in drafts: no row needed
        if have is None or any(have[name] != want[name] for name in PAPER_FIELDS):
            wrong[key] = (have, want)
    return wrong


def check_paper_counts(roundup, report, problem) -> None:
    """Add a problem for each wrong entry count and each wrong ``Paper`` row to ``report``."""
    for pk, kept, true in wrong_entry_counts(roundup):
        report.bad_entry_counts.append(pk)
        message = f"paper entry {pk}: comment_count is {kept} but it has {true} visible comment(s)"
        report.problems.append(problem("entry_comment_count", message))
    for key, (have, want) in wrong_papers(roundup).items():
        report.bad_papers.append(key)
        shown = "missing" if have is None else ", ".join(f"{n} {have[n]}" for n in PAPER_FIELDS)
        should = ", ".join(f"{n} {want[n]}" for n in PAPER_FIELDS)
        report.problems.append(problem("paper", f"paper {key}: {shown}; should be {should}"))


def repair_paper_counts(report) -> list[str]:
    """Recount the entries and papers the check found wrong: entries first (a paper's comment
    count is the sum of its entries'), each set of rows locked before it is counted."""
    changes = []
    if report.bad_entry_counts:
        entries = PaperEntry.objects.filter(pk__in=report.bad_entry_counts).order_by("pk")
        list(entries.select_for_update().values_list("pk"))
        wrong = _with_true_count(entries).exclude(comment_count=F("true_count"))
        for pk, kept, true in wrong.values_list("pk", "comment_count", "true_count"):
            PaperEntry.objects.filter(pk=pk).update(comment_count=true)
            changes.append(f"paper entry {pk}: comment_count {kept} -> {true}")
    if report.bad_papers:
        list(
            Paper.objects.filter(paper_key__in=report.bad_papers)
            .order_by("pk")
            .select_for_update()
            .values_list("pk")
        )
        papers_refresh(report.bad_papers)
        changes.extend(f"paper {key}: recounted" for key in report.bad_papers)
    return changes
