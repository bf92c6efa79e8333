"""``check_threads``' part for the papers app (``comments.integrity.EXTRA_CHECKS``): each
suggestion's ``supporter_count`` against its rows. The services keep it in the same transaction
as the rows (its suggester, plus one per ``SuggestionSupport``); the repair recounts it under
the suggestions' row locks, as ``suggestion_support`` takes them.
"""

from django.db.models import Count, F

from .models import PaperSuggestion

NAME = "supporter_count"


def _with_true_count(suggestions):
    """Each suggestion with ``true_count``: its suggester and one per support row."""
    return suggestions.annotate(true_count=Count("supports") + 1)


def _wrong(suggestions) -> list[tuple[int, int, int]]:
    """``(suggestion id, kept, true)`` for each of ``suggestions`` whose count is wrong."""
    wrong = _with_true_count(suggestions.order_by("pk")).exclude(supporter_count=F("true_count"))
    return list(wrong.values_list("pk", "supporter_count", "true_count"))


def check_supporters(roundup, report, problem) -> None:
    """Suggestions made in ``roundup``'s thread (every one when None) whose count is wrong."""
    suggestions = PaperSuggestion.objects.all()
    if roundup is not None:
        suggestions = suggestions.filter(comment__roundup=roundup)
    for pk, kept, true in _wrong(suggestions):
        report.found.setdefault(NAME, []).append(pk)
        message = (
            f"paper suggestion {pk}: supporter_count is {kept} but {true} reader(s) want it "
            "(its suggester and its supporters)"
        )
        report.problems.append(problem(NAME, message))


def repair_supporters(report) -> list[str]:
    """Recount the suggestions the check found wrong, their rows locked first."""
    found = report.found.get(NAME)
    if not found:
        return []
    suggestions = PaperSuggestion.objects.filter(pk__in=found).order_by("pk")
    list(suggestions.select_for_update().values_list("pk"))
    changes = []
    for pk, kept, true in _wrong(suggestions):
        PaperSuggestion.objects.filter(pk=pk).update(supporter_count=true)
        changes.append(f"paper suggestion {pk}: supporter_count {kept} -> {true}")
    return changes
