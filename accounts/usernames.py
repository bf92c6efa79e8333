"""Look-alike usernames: one account per confusable skeleton (Unicode TR39).

``skeleton`` maps a name to what it looks like: ``аdmin`` (Cyrillic а), ``ADMİN`` and ``admin``
all become ``adrnin``. Sign-up and the admin refuse a name whose skeleton another user holds,
and ``UsernameSkeleton``'s unique index makes that hold even for two sign-ups at the same moment.

The skeleton is ICU's ``SpoofChecker.getSkeleton``, the reference implementation of TR39 section
4 over Unicode's confusables.txt (PyICU, from the ``pyicu-wheels`` package, which bundles ICU so
nothing needs compiling). Around it, as TR39 suggests for case-insensitive identifiers, the
name is NFKC-casefolded first (usernames log in case-sensitively, but ``Admin`` still passes for
``admin``); after it, combining marks are dropped, so ``admın``/``admi̇n`` and accented copies of
a name (``jose``/``josé``) count as the same name too. Casefolding first means the upper-case
I-versus-l confusion (``Iris``/``lris``) is not caught; lower-case names are the norm here.
"""

import unicodedata

import icu
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import UsernameSkeleton

TAKEN = "This username looks too much like an existing one ({existing}); choose another."

_checker = icu.SpoofChecker()


def skeleton(username: str) -> str:
    folded = unicodedata.normalize("NFKC", username).casefold()
    shape = _checker.getSkeleton(0, folded)
    bare = "".join(c for c in unicodedata.normalize("NFD", shape) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def check_available(username: str, *, exclude_user=None) -> None:
    """Raise ``ValidationError`` if another user's name has the same skeleton (one query)."""
    holders = UsernameSkeleton.objects.filter(skeleton=skeleton(username))
    if exclude_user is not None:
        holders = holders.exclude(user=exclude_user)
    holder = holders.select_related("user").first()
    if holder is not None:
        raise ValidationError(
            TAKEN.format(existing=holder.user.username), code="confusable_username"
        )


def record_skeleton(sender, instance, created, update_fields=None, **kwargs) -> None:
    """post_save of User: keep the skeleton beside the name, however the user was saved.

    Sign-up, the admin, ``createsuperuser`` and scripts all save users; a derived column kept at
    save time covers them all. Saves that cannot change the name (``last_login``) are skipped.
    """
    if update_fields is not None and "username" not in update_fields:
        return
    claim(instance, created=created)


def claim(user, *, created=False) -> None:
    """Record ``user``'s skeleton; ``ValidationError`` if someone took it since the check.

    Called in the transaction that saves the user, so a refusal rolls the user back too.
    """
    shape = skeleton(user.username)
    try:
        with transaction.atomic():
            if created:
                UsernameSkeleton.objects.create(user=user, skeleton=shape)
            else:
                UsernameSkeleton.objects.update_or_create(user=user, defaults={"skeleton": shape})
    except IntegrityError:
        check_available(user.username, exclude_user=user)
        raise
