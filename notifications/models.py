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


class MailState(models.TextChoices):
    PENDING = "", "Not mailed"
    SENDING = "sending", "Sending (claimed by a worker)"
    SENT = "sent", "Mailed"
    FAILED = "failed", "Failed (retried)"
    SKIPPED = "skipped", "Not mailed: the comment is gone"


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
    # Its mail, alone or in a digest (notifications/mailing.py): a worker claims the row
    # ("sending", committed) before it talks to the mail server, so it is never mailed twice.
    mail_state = models.CharField(max_length=8, choices=MailState.choices, default="", blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

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
        constraints = [
            # One notification per post and reader: a retried fan-out task inserts nothing twice.
            models.UniqueConstraint(
                fields=["comment", "user"],
                condition=Q(kind__in=["reply", "mention", "follow"]),
                name="notification_once_per_comment",
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


class Delivery(models.TextChoices):
    """How a reader hears of one kind of notification by mail (always on the site)."""

    IMMEDIATELY = "immediately", "Immediately"
    DIGEST = "digest", "In a daily digest"
    NEVER = "never", "Never"


class MailPreference(models.Model):
    """A reader's choice for one kind; no row is the default (``notifications/preferences.py``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="mail_preference_unique")
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.delivery}"


class DigestRun(models.Model):
    """One reader's digest of one day: inserted before the task is enqueued, claimed before the
    mail goes out, so ``send_digests`` run twice or on two hosts mails a reader once a day."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        EMPTY = "empty", "Nothing to send"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    notifications = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_run_unique")]
        indexes = [models.Index(fields=["day", "state"], name="digest_run_day")]

    def __str__(self):
        return f"digest of {self.day} for {self.user_id}: {self.state}"
