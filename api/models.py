"""API tokens: only a hash is stored, so a database leak does not hand out live credentials.

A token's life: issued by ``POST /api/auth/token`` or the settings page (at most
``API_TOKENS_PER_USER`` per user); ends when revoked (``DELETE /api/auth/token``, the settings
page), when its user's password changes or they "log out everywhere" (``revoke_all``, through
``accounts.signals.credentials_revoked``), or after ``API_TOKEN_IDLE_DAYS`` without use.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from forum.errors import Conflict

TOKEN_BYTES = 32  # 256 bits from secrets: unguessable, so a fast hash (sha256) is enough
# last_used_at is written at most this often per token: a busy bot must not turn every read into
# a write.
LAST_USED_RESOLUTION_SECONDS = 60


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user, *, name="") -> tuple["ApiToken", str]:
        """Make a token for ``user``; returns the row and the plain token, shown only once.

        ``Conflict`` (409) when the user already holds ``API_TOKENS_PER_USER`` live tokens: the
        oldest may still be in use by some script, so it is the user's call which one goes.
        """
        limit = settings.API_TOKENS_PER_USER
        with transaction.atomic():
            # Serializes one user's token creations, so two at once cannot both pass the cap.
            list(get_user_model().objects.select_for_update().filter(pk=user.pk).values("pk"))
            self.filter(user=user).expired().delete()
            if self.filter(user=user).count() >= limit:
                raise Conflict(
                    f"You already have {limit} API tokens, the most one account may hold. "
                    "Revoke one you no longer use (Settings, API tokens) and try again."
                )
            token = secrets.token_urlsafe(TOKEN_BYTES)
            row = self.create(user=user, key_hash=hash_token(token), name=name)
        return row, token

    def active_for(self, token: str):
        """The live token row for a plain token, with its user, or None (unknown or expired)."""
        row = self.select_related("user").filter(key_hash=hash_token(token)).first()
        return None if row is None or row.is_expired() else row

    def live(self):
        return self.filter(models.Q(last_used_at__gte=idle_cutoff()) | _unused_since_cutoff())

    def expired(self):
        return self.exclude(pk__in=self.live().values("pk"))

    def revoke_all(self, user) -> int:
        """End every token of ``user`` (a password change, "log out everywhere")."""
        deleted, _ = self.filter(user=user).delete()
        return deleted


def revoke_tokens(sender, user, **kwargs) -> None:
    """``accounts.signals.credentials_revoked``: the password changed, or "log out everywhere"."""
    ApiToken.objects.revoke_all(user)


def idle_cutoff():
    """Tokens not used since this moment have expired."""
    return timezone.now() - timedelta(days=settings.API_TOKEN_IDLE_DAYS)


def _unused_since_cutoff():
    return models.Q(last_used_at__isnull=True, created_at__gte=idle_cutoff())


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

    @property
    def expires_at(self):
        return (self.last_used_at or self.created_at) + timedelta(days=settings.API_TOKEN_IDLE_DAYS)

    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def touch(self) -> None:
        now = timezone.now()
        stale = self.last_used_at is None or (
            (now - self.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS
        )
        if stale:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
