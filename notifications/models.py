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


class MailTiming(models.TextChoices):
    """How a reader hears of one kind of notification by mail (always on the site)."""

    IMMEDIATELY = "immediately", "Immediately"
    DIGEST = "digest", "In a daily digest"
    NEVER = "never", "Never"


class MailPreference(models.Model):
    """A reader's choice for one kind; no row is the default (``notifications/preferences.py``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=12, choices=MailTiming.choices)

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


# --- series mail (notifications/subscriptions.py, notifications/delivery.py) --------------------


class Subscription(models.Model):
    """Someone who wants each roundup of a series by mail: a reader's account or a bare address.

    Never deleted: unsubscribing stamps ``unsubscribed_at``, so the deliveries that went to it stay
    explained. Only a confirmed, subscribed row gets roundups (``ACTIVE``); an address without an
    account is confirmed by the signed link of its confirmation mail (double opt-in), a reader's
    account address in the one click that subscribed it.
    """

    series = models.ForeignKey("roundups.Series", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Lower-cased. For a reader, their account address when they subscribed; a delivery goes to
    # their account's current address (notifications/delivery.py).
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    ACTIVE = Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "email"], name="subscription_address"),
            models.UniqueConstraint(
                fields=["series", "user"],
                condition=Q(user__isnull=False),
                name="subscription_reader",
            ),
        ]

    def __str__(self):
        return f"{self.email} on series {self.series_id}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Mailing(models.Model):
    """A published roundup's mail to its series: written in the publish transaction.

    It fixes who gets the roundup: the subscribers confirmed at ``as_of`` (the publish time) and
    still subscribed. The worker turns it into ``Delivery`` rows in batches of subscription ids
    (``cursor`` is the last one done), so publishing costs one row whatever the number of
    subscribers; ``expanded`` once every row is written.
    """

    roundup = models.OneToOneField("roundups.Roundup", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateTimeField()
    cursor = models.BigIntegerField(default=0)
    expanded = models.BooleanField(default=False)

    def __str__(self):
        return f"mailing of roundup {self.roundup_id} as of {self.as_of:%Y-%m-%d %H:%M}"


class Delivery(models.Model):
    """One roundup to one subscriber, fixed by its ``Mailing``; sent at most once by a worker.

    queued -> sending (claimed, committed, before the mail server is spoken to) -> sent; a failed
    send goes back to queued with a later ``retry_at`` until its attempts run out (failed). A row
    left in sending by a worker that died becomes unknown, never queued again by itself: its mail
    may have gone out. See notifications/delivery.py.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown (the worker died while sending)"

    roundup = models.ForeignKey("roundups.Roundup", on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(max_length=254)  # where it goes, as it was on publish
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)  # a failed try waits until then
    error = models.CharField(max_length=500, blank=True)
    # Who holds it while sending: one claim (worker process + batch) and when it was taken.
    claim = models.CharField(max_length=80, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["roundup", "subscription"], name="delivery_unique"),
        ]
        indexes = [
            # Claiming (queued rows of a roundup in id order) and the counts by status.
            models.Index(fields=["roundup", "status", "id"], name="delivery_roundup_status"),
            # Rows in flight, found by the sweep that turns a dead worker's rows unknown.
            models.Index(
                fields=["claim"], condition=Q(status="sending"), name="delivery_in_flight"
            ),
        ]

    def __str__(self):
        return f"roundup {self.roundup_id} to {self.address}: {self.status}"
