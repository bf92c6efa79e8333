"""Accounts use django.contrib.auth's User; roles are the groups Authors and Moderators (created
by roundups' data migration). The one table of our own is karma, kept per user."""

from django.conf import settings
from django.db import models


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
