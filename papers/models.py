"""Reader suggestions of papers for a roundup to cover."""

from django.conf import settings
from django.db import models
from django.utils import timezone

# A paper's coverage row lives with the entries whose write paths keep it (roundups sits below
# papers); named here too, where a reader of the papers app looks for it.
from roundups.models import Paper

__all__ = ["Paper", "PaperSuggestion", "PaperSuggestionQuerySet", "SuggestionSupport"]

DECLINE_REASON_MAX_LENGTH = 500  # a sentence or two to the reader; the thread has room for more


class PaperSuggestionQuerySet(models.QuerySet):
    def open(self):
        """Open suggestions readers can still see: visible comments on published roundups."""
        from comments.models import Comment
        from roundups.models import published_filter

        return self.filter(
            published_filter("comment__roundup__"),
            status=PaperSuggestion.Status.OPEN,
            comment__state=Comment.State.VISIBLE,
        )

    def for_list(self, viewer=None):
        """What /suggestions/ shows of each: the comment, its author and roundup, and whether
        ``viewer`` supports it (a subquery in the same query, so no query per row)."""
        rows = self.select_related("comment__author", "comment__roundup").order_by(
            "-created_at", "-pk"
        )
        if viewer is not None and viewer.is_authenticated:
            mine = SuggestionSupport.objects.filter(suggestion=models.OuterRef("pk"), user=viewer)
            rows = rows.annotate(supported=models.Exists(mine))
        return rows


class PaperSuggestion(models.Model):
    """A paper a reader suggests, posted as a comment in the roundup's thread.

    ``papers/services.py`` writes these: ``suggestion_create`` posts the comment through
    ``comment_create``; ``suggestion_take`` adds the paper to an author's draft and marks it taken;
    ``suggestion_decline`` closes it with a reason the reader is told. A paper already open
    elsewhere (same ``paper_key``) is not opened twice: the new row is ``merged`` into the open
    one, whose ``supporter_count`` counts the reader (a ``SuggestionSupport`` row).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TAKEN = "taken", "Taken"
        DECLINED = "declined", "Declined"
        MERGED = "merged", "Merged into an earlier suggestion"

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="paper_suggestion"
    )
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=500)
    blurb = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    taken_entry = models.ForeignKey(
        "roundups.PaperEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The draft entry the suggestion became.",
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    # The paper's identity across links (roundups.papers.paper_key), so duplicates are found.
    paper_key = models.CharField(max_length=500, blank=True, db_index=True, editable=False)
    # Readers who want the paper covered: the suggester and each supporter row. Kept by the
    # services in the same transaction as the rows, so lists never count per row.
    supporter_count = models.PositiveIntegerField(default=1)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    declined_reason = models.TextField(blank=True, max_length=DECLINE_REASON_MAX_LENGTH)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PaperSuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # /suggestions/ walks the open ones newest first from here (keyset), never scanning
        # comments for them.
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="suggestion_state_time_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "taken", "declined", "merged"]),
                name="suggestion_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False)
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="suggestion_merged_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.title} (suggested in comment {self.comment_id})"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class SuggestionSupport(models.Model):
    """A reader who wants a suggested paper covered too: a +1, or a later suggestion of the same
    paper merged into this one (then ``comment`` is the reader's own suggesting comment)."""

    suggestion = models.ForeignKey(
        PaperSuggestion, on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "user"], name="support_once_per_reader")
        ]

    def __str__(self):
        return f"{self.user_id} supports suggestion {self.suggestion_id}"
