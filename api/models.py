"""API tokens: only a hash is stored, so a database leak does not hand out live credentials."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_BYTES = 32  # 256 bits from secrets: unguessable, so a fast hash (sha256) is enough
# last_used_at is written at most this often per token: a busy bot must not turn every read into
# a write.
LAST_USED_RESOLUTION_SECONDS = 60


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user, *, name="") -> tuple["ApiToken", str]:
        """Make a token for ``user``; returns the row and the plain token, shown only once."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row = self.create(user=user, key_hash=hash_token(token), name=name)
        return row, token

    def active_for(self, token: str):
        """The token row for a plain token, with its user, or None."""
        return self.select_related("user").filter(key_hash=hash_token(token)).first()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"API token {self.pk} of {self.user_id}"

    def touch(self) -> None:
        now = timezone.now()
        stale = self.last_used_at is None or (
            (now - self.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS
        )
        if stale:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
