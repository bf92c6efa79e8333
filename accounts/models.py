"""Accounts use django.contrib.auth's User. The roles are the groups Authors and Moderators,
created with their permissions by this app's data migration (``accounts/migrations/0001_roles.py``,
from ``accounts.roles.ROLE_PERMISSIONS``). Tables of our own: the username's confusable skeleton
and the session epoch behind "log out everywhere". Karma, kept by comment votes, lives with them
in ``comments.models``."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.crypto import salted_hmac

EPOCH_SALT = "accounts.SessionUser.session_epoch"


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
