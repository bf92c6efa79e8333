"""Site-wide rows that belong to no one app: the responses kept for Idempotency-Key retries."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first successful response to a write sent with a key; a retry gets it back.

    One per (user, key) for 24 hours (``forum.idempotency.LIFETIME``). ``request_hash`` fingerprints
    what was sent, so the same key on a different request is refused instead of replayed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method_path = models.TextField()
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True)
    location = models.TextField(blank=True)  # a redirect's target, for the site's forms
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self):
        return f"Idempotency-Key {self.key!r} of user {self.user_id}"
