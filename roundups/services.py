"""Every write to roundups: check, then do, in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Roundup


def roundup_save(*, form, formset, author):
    """Save a valid roundup form and its paper-entry formset together, or nothing at all.

    ``author`` becomes the author of a new roundup; an existing one keeps its author.
    """
    with transaction.atomic():
        roundup = form.save(commit=False)
        if roundup.pk is None:
            roundup.author = author
        roundup.save()
        formset.save_in_order(roundup)
    return roundup


def roundup_publish(*, roundup, by):
    """Publish a draft: only its author or staff, and only with at least one paper."""
    if not roundup.can_edit(by):
        raise PermissionDenied("Only the author of this roundup or staff can publish it.")
    with transaction.atomic():
        # Lock the row so two publish clicks cannot both stamp a date.
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        if roundup.is_published:
            return roundup
        if not roundup.entries.exists():
            raise ValidationError("Add at least one paper before publishing.")
        roundup.status = Roundup.Status.PUBLISHED
        roundup.published_at = timezone.now()
        roundup.save(update_fields=["status", "published_at", "updated_at"])
    return roundup
