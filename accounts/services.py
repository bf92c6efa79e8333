"""Writes to accounts that are more than a form's save: check, then do, then log."""

import logging

from django.db import transaction
from django.db.models import F

from .models import SessionEpoch
from .signals import credentials_revoked

log = logging.getLogger(__name__)


def log_out_everywhere(*, user) -> None:
    """End every session of ``user`` (in any session store) and every API token."""
    with transaction.atomic():
        epoch, created = SessionEpoch.objects.get_or_create(user=user, defaults={"value": 1})
        if not created:
            SessionEpoch.objects.filter(pk=epoch.pk).update(value=F("value") + 1)
        credentials_revoked.send(sender=type(user), user=user)
    log.info("User %s logged out everywhere", user.pk)


def revoke_on_password_change(sender, instance, created, **kwargs) -> None:
    """post_save of User: a new password ends every other credential.

    Django has no "password changed" signal; ``set_password`` keeps the new password in
    ``_password`` until the save that stores it has finished (then hands it to the validators'
    ``password_changed``), so this sees every change: the change and reset pages, the admin,
    ``manage.py changepassword``. Re-hashing on login clears ``_password`` first, so an upgraded
    hash is not a change. A view wrapper would miss the admin and the command line.
    """
    if not created and getattr(instance, "_password", None) is not None:
        credentials_revoked.send(sender=sender, user=instance)
