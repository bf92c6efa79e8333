"""Autosave of the roundup form: what an author types is kept on the server while they write.

The form posts itself every ``INTERVAL_MS`` when changed and when the page is left
(``static/js/autosave.js``). The rules, in one place:

* only who may edit the roundup (its author, staff), rate-limited per user (``RATE``);
* a version token (``version_of``: the later of the roundup's ``updated_at`` and its slot's
  ``saved_at``) comes with each autosave; a token that is no longer current means another tab or
  window saved since this page loaded, and the autosave is refused (409) rather than overwrite it;
* a draft's valid form is saved into the draft in place, through ``roundup_update`` (roundups
  keep no revisions, and an autosave adds no row of any kind besides the draft's own);
* a published roundup's live text never changes by autosave: the form waits in its one
  ``AutosaveSlot``, offered on the edit page ("restore unsaved changes from ...");
* a form that cannot be applied (a paper without a title) is kept in the slot too, with why;
* a new roundup is created as a draft by its first autosave with a valid form (a title at
  least), and the page moves to the draft's edit address; before that, nothing is written.
"""

from django.db import transaction
from django.utils import timezone

from accounts.roles import is_author
from forum import ratelimit
from forum.errors import Conflict, InvalidInput, NotAllowed, RateLimited

from .models import AutosaveSlot, Roundup

INTERVAL_MS = 30_000  # often enough to lose little, rarely enough to cost nothing
# Every 30 s plus leaving is 2-3 a minute; room for a few tabs, not for a script.
RATE = ratelimit.Rate(limit=20, window=60)
MAX_FIELDS = 2_000  # a full roundup form is ~15 fields per paper, at most 100 papers


def version_of(roundup: Roundup, slot: AutosaveSlot | None) -> str:
    """The token the edit page carries: it changes with every save, explicit or automatic."""
    latest = roundup.updated_at
    if slot is not None and slot.saved_at > latest:
        latest = slot.saved_at
    return latest.isoformat()


def slot_of(roundup: Roundup) -> AutosaveSlot | None:
    return AutosaveSlot.objects.filter(roundup=roundup).first()


def autosave_check(*, by, roundup: Roundup | None = None) -> None:
    """Who may autosave, and how often: before anything is read or written."""
    if not by.is_authenticated:
        raise NotAllowed("Log in to do that.")
    if roundup is None and not is_author(by):
        raise NotAllowed("Only members of the Authors group can write roundups.")
    if roundup is not None and not roundup.can_edit(by):
        raise NotAllowed("You can only edit your own roundups.")
    wait = ratelimit.hit("roundup-autosave", str(by.pk), RATE)
    if wait:
        raise RateLimited("Too many autosaves; the next one will be tried later.", retry_after=wait)


def autosave_lock(*, roundup: Roundup, version: str) -> Roundup:
    """The roundup locked for this autosave, or ``Conflict`` if ``version`` is stale.

    Called inside the caller's transaction, which the slot or draft write then joins."""
    locked = Roundup.objects.select_for_update().get(pk=roundup.pk)
    current = version_of(locked, slot_of(locked))
    if version != current:
        raise Conflict(
            "Not saved: this roundup was changed in another tab or window since this page "
            "loaded. Copy what you typed, then reload the page to see the newer version."
        )
    return locked


def clean_data(post) -> dict[str, list[str]]:
    """The posted form as stored in a slot: every field but the token and the buttons."""
    data = {
        name: post.getlist(name)
        for name in post
        if name not in ("csrfmiddlewaretoken", "autosave_version", "action")
    }
    if len(data) > MAX_FIELDS or not any(data.values()):
        raise InvalidInput("Not saved: that is not the roundup form.")
    return data


def autosave_keep(*, roundup: Roundup, by, data, error: str = "") -> AutosaveSlot:
    """Keep the form aside in the roundup's one slot (overwritten: no pile of autosaves)."""
    with transaction.atomic():
        slot, _ = AutosaveSlot.objects.update_or_create(
            roundup=roundup,
            defaults={
                "data": data,
                "error": error[:500],
                "saved_by": by,
                "saved_at": timezone.now(),
            },
        )
    return slot
