"""Accounts use django.contrib.auth's User; roles are the groups Authors and Moderators (created
by roundups' data migration). Tables of our own: karma, the username's confusable skeleton, and
the session epoch behind "log out everywhere"."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.crypto import salted_hmac

EPOCH_SALT = "accounts.SessionUser.session_epoch"


class Karma(models.Model):
    """A user's karma: the sum of the scores of their comments, kept up to date by every vote.

    ``comments.services.vote_cast`` adds each vote's change in the vote's own transaction (see
    ``comments/karma.py``), so a thread page reads every author's karma through the join it
    already makes, instead of summing each author's whole history; ``check_threads`` checks it
    against the comments' scores and ``--repair`` recounts it. No row means no vote yet: 0.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="karma"
    )
    value = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "karma"

    def __str__(self):
        return f"{self.user_id}: {self.value} karma"


class UsernameSkeleton(models.Model):
    """The confusable skeleton of a username (accounts/usernames.py), unique across users.

    ``аdmin`` (Cyrillic а) and ``admin`` share a skeleton, so the unique index refuses the second,
    and two sign-ups racing for look-alike names cannot both win. Users created before the column
    existed got theirs in the migration; where two old names already collided, the older keeps it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="username_skeleton",
    )
    skeleton = models.CharField(max_length=600, unique=True)  # a skeleton can outgrow its name

    def __str__(self):
        return f"{self.user_id}: {self.skeleton}"


class SessionEpoch(models.Model):
    """Bumped by "log out everywhere": every session signed in before it stops working.

    Sessions may live in Redis (no table to scan) or in the database, so nothing deletes them:
    the epoch is mixed into the hash each session carries (``SessionUser``), and Django logs out
    any session whose hash no longer matches, whichever store holds it. No row means epoch 0,
    which leaves Django's own hash unchanged.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="session_epoch",
    )
    value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.user_id}: epoch {self.value}"


class SessionUser(User):
    """The user as sessions see it (accounts/backends.py): the session hash includes the epoch."""

    class Meta:
        proxy = True

    @classmethod
    def of(cls, user) -> "SessionUser":
        proxy = cls.__new__(cls)
        proxy.__dict__ = user.__dict__.copy()
        return proxy

    def _get_session_auth_hash(self, secret=None):
        base = super()._get_session_auth_hash(secret=secret)
        try:
            epoch = self.session_epoch.value
        except SessionEpoch.DoesNotExist:
            epoch = 0
        if not epoch:
            return base
        return salted_hmac(
            EPOCH_SALT, f"{base}:{epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()
