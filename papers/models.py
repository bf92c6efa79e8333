"""Reader suggestions of papers for a roundup to cover."""

from django.conf import settings
from django.db import models
from django.utils import timezone

# A paper's coverage row lives with the entries whose write paths keep it (roundups sits below
# papers); named here too, where a reader of the papers app looks for it.
from roundups.models import Paper

__all__ = ["Paper", "PaperSuggestion", "PaperSuggestionQuerySet"]


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

    def for_list(self):
        """What /suggestions/ shows of each: the comment, its author and roundup."""
        return self.select_related("comment__author", "comment__roundup").order_by(
            "-created_at", "-pk"
        )


class PaperSuggestion(models.Model):
    """A paper a reader suggests, posted as a comment in the roundup's thread.

    ``papers/services.py`` writes these: ``suggestion_create`` posts the comment through
    ``comment_create``; ``suggestion_take`` adds the paper to an author's draft and marks it taken.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TAKEN = "taken", "Taken"

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
                condition=models.Q(status__in=["open", "taken"]), name="suggestion_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.title} (suggested in comment {self.comment_id})"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN
