"""Notifications and who follows what. Every write goes through ``notifications/services.py``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """A reader's notifications, newest first (the inbox's and the API's order)."""
        return self.filter(user=user).order_by("-created_at", "-id")

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        # In order of specificity: a post that is several of these to one reader is the first.
        REPLY = "reply", "Reply to your comment"
        MENTION = "mention", "Mention"
        FOLLOW = "follow", "New comment in a discussion you follow"
        MODERATION = "moderation", "A moderator acted on your comment"
        SUGGESTION = "suggestion", "Your paper suggestion"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    roundup = models.ForeignKey(
        "roundups.Roundup", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The sentence as it was true when it happened (a later title change does not rewrite it).
    text = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [
            # The inbox and API order, with its unique tiebreaker.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
            # The header's unread count on every page: only unread rows are in it.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Follow(models.Model):
    """A reader's level on one roundup's discussion; no row is "normal" (replies, mentions)."""

    class Level(models.TextChoices):
        WATCHING = "watching", "Watching: every new comment"
        MUTED = "muted", "Muted: nothing from this discussion"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    roundup = models.ForeignKey("roundups.Roundup", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roundup", "user"], name="follow_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.level} roundup {self.roundup_id}"


class MutedSubthread(models.Model):
    """A reader hears nothing about replies anywhere below ``comment``."""

    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # One row per reader and comment; looked up by the comment's ancestors, comment first.
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="muted_subthread_unique")
        ]

    def __str__(self):
        return f"{self.user_id} muted below comment {self.comment_id}"
