"""Which notifications a reader gets by mail: per kind, immediately, in a daily digest, or never.

Defaults live here, in code; a ``MailPreference`` row exists only where a reader chose something
else, so a new kind or a changed default needs no data migration. Whatever the choice, every
notification still shows on the site (the inbox and the header's count).

Defaults: what answers *you* (a reply, a mention, a moderator's action on your comment) comes
immediately; what is about the conversation at large (a new comment in a discussion you follow)
and news about your paper suggestions, which is never urgent, come in the daily digest.
"""

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from forum.errors import InvalidInput, NotAllowed

from .models import MailPreference, MailTiming, Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind

DEFAULTS: dict[str, str] = {
    Kind.REPLY: MailTiming.IMMEDIATELY,
    Kind.MENTION: MailTiming.IMMEDIATELY,
    Kind.MODERATION: MailTiming.IMMEDIATELY,
    Kind.FOLLOW: MailTiming.DIGEST,
    Kind.SUGGESTION: MailTiming.DIGEST,
}
KIND_NAMES = {  # as the settings page and the unsubscribe page name them
    Kind.REPLY: "replies to your comments",
    Kind.MENTION: "mentions of you",
    Kind.MODERATION: "moderators' actions on your comments",
    Kind.FOLLOW: "new comments in discussions you follow",
    Kind.SUGGESTION: "your paper suggestions",
}


def preferences_for(user_id) -> dict[str, str]:
    """Every kind's delivery for one reader: the defaults with their rows on top (one query)."""
    chosen = dict(MailPreference.objects.filter(user_id=user_id).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, default) for kind, default in DEFAULTS.items()}


def deliveries_for(user_ids, kind) -> dict[int, str]:
    """One kind's delivery for many readers (one query): ``{user_id: delivery}``."""
    user_ids = list(user_ids)
    chosen = dict(
        MailPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {user_id: chosen.get(user_id, DEFAULTS[kind]) for user_id in user_ids}


def delivered_as(delivery: str) -> Q:
    """A ``Notification`` filter: the reader's delivery for the row's kind is ``delivery``."""
    row = MailPreference.objects.filter(user_id=OuterRef("user_id"), kind=OuterRef("kind"))
    by_default = [kind for kind, default in DEFAULTS.items() if default == delivery]
    return Q(Exists(row.filter(delivery=delivery))) | (Q(kind__in=by_default) & ~Exists(row))


def preferences_set(*, user, choices: dict) -> dict[str, str]:
    """Save a reader's choices (``{kind: delivery}``, only the kinds given); returns them all.

    A choice equal to the default deletes the row: no row until changed.
    """
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in to do that.")
    errors = {}
    for kind, delivery in choices.items():
        if kind not in DEFAULTS:
            errors[str(kind)] = "Unknown kind of notification."
        elif delivery not in MailTiming.values:
            errors[kind] = "Choose immediately, in a daily digest, or never."
    if errors:
        raise InvalidInput("Some choices are not valid.", fields=errors)
    with transaction.atomic():
        for kind, delivery in choices.items():
            if delivery == DEFAULTS[kind]:
                MailPreference.objects.filter(user=user, kind=kind).delete()
            else:
                MailPreference.objects.update_or_create(
                    user=user, kind=kind, defaults={"delivery": delivery}
                )
    logger.info("user %s set mail preferences %s", user.pk, choices)
    return preferences_for(user.pk)
