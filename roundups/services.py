"""Every write to roundups: check, then do, in one transaction, then log.

The HTML authoring views, the JSON API, the papers app and ``load_demo`` all call these; nothing
else creates or replaces paper entries. Each rule lives here once:

* only members of Authors create roundups; only a roundup's author (still an Author) or staff
  change it, publish it or add papers to it (``Roundup.can_edit``);
* publishing stamps ``published_at`` once and needs at least one paper (``_publish_locked``, the
  only place that says so, checked after the entries are written and inside the transaction, so
  a refusal writes nothing); a published roundup does not go back to draft (readers may already
  be discussing it);
* scheduling (``roundup_schedule``, ``roundup_unschedule``, ``roundup_update(publish_at=)``):
  a draft's ``publish_at`` is an aware time in the future, kept to the minute, and is refused
  when publishing would be refused now. A task enqueued on commit for that time publishes the
  draft then (``roundup_publish_due``), under the row lock and only if it is still a draft
  scheduled for that very time, so an old task of a rescheduled, unscheduled or published draft
  does nothing and no draft is published twice. Publishing is checked again then; a refusal
  leaves a draft, unscheduled, with ``publish_error`` saying why;
* slugs: a slug the caller typed must be free, else it is refused as ``SlugTaken`` (a Conflict:
  409 in the API, an error on the slug field of the form), because the author chose that address
  and silently getting another would surprise them. A slug made from the title (none typed) is
  made free with -2, -3…, since nobody asked for that exact address. The slug never follows a
  new title (links keep working); an empty slug on update keeps the current one;
* entry identity: paper entries are replaced as a whole list, numbered 1..n in the order given.
  An entry sent with an ``id`` updates that entry of this roundup (the form page knows its rows'
  ids); one without an ``id`` takes over an entry of the same paper (``paper_key``) that no other
  entry claimed (the API has no ids); anything else is new. So comments and suggestions attached
  to a paper stay attached on both paths; papers no longer listed are deleted (their comments
  stay, unattached);
* the limits (``MAX_ENTRIES``, ``EARLIEST_PAPER_YEAR``, ``RESERVED_SLUGS``) are the model's.

Refusals are ``forum.errors``: ``NotAllowed``, ``InvalidInput`` (``fields`` name the input at
fault: ``title``, ``entries[2].url``) and ``Conflict`` (with ``SlugTaken``).
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify

from accounts.roles import is_author
from forum.errors import Conflict, InvalidInput, NotAllowed, ServiceError
from forum.hooks import fire
from forum.tasks import enqueue_on_commit
from forum.text import clean_text

from . import hooks
from .models import (
    EARLIEST_PAPER_YEAR,
    ENTRY_FIELDS,
    MAX_ENTRIES,
    RESERVED_SLUGS,
    AutosaveSlot,
    PaperEntry,
    Roundup,
    Series,
    latest_paper_year,
    papers_refresh,
)
from .papers import paper_key

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = Roundup._meta.get_field("slug").max_length
# Numbered suffixes tried before giving up on a title's slug: a title reused this often is a bot.
MAX_SLUG_SUFFIX = 1000
NO_PAPERS = "Add at least one paper before publishing."
# How far ahead a draft may be scheduled: a weekly roundup is planned days ahead, not years; a
# year also keeps a mistyped year (2062 for 2026) from hiding a draft's task for decades.
MAX_SCHEDULE_AHEAD = timedelta(days=366)
# The roundup's scheduling state, written together.
SCHEDULE_FIELDS = ("publish_at", "publish_error", "publish_error_at")
KEEP = object()  # "not passed", where None means something (publish_at=None unschedules)
# What ``roundup_update`` may change; a field not passed stays as it is.
UPDATABLE = (
    "title", "slug", "intro", "outro", "series", "number", "crosspost_url", "entries", "publish",
    "publish_at",
)  # fmt: skip


class SlugTaken(Conflict):
    """The asked-for slug belongs to another roundup (shown on the slug field)."""

    def __init__(self, message: str):
        super().__init__(message, fields={"slug": [message]})


def _slug_taken(slug: str) -> SlugTaken:
    return SlugTaken(f"The slug “{slug}” is taken by another roundup.")


# --- roundups ----------------------------------------------------------------------------------


def roundup_create(
    *,
    author,
    title,
    intro="",
    outro="",
    series=None,
    entries: Iterable[Mapping] = (),
    slug="",
    number=None,
    crosspost_url="",
    publish=False,
) -> Roundup:
    """Write a new roundup (a draft unless ``publish``) with its entries in the order given.

    ``series`` is a ``Series``, a series slug or None. ``entries`` are mappings with the keys of
    ``ENTRY_FIELDS``; ``title`` and ``url`` are required, the rest default to blank.
    """
    if author is None or not author.is_authenticated or not author.is_active:
        raise NotAllowed("Log in to write roundups.")
    if not is_author(author):
        raise NotAllowed("Only members of the Authors group can write roundups.")
    roundup = Roundup(author=author, series=_series(series), number=number)
    for name, value in _texts(title=title, intro=intro, outro=outro, crosspost_url=crosspost_url):
        setattr(roundup, name, value)
    asked_slug = _asked_slug(slug)
    new_entries = _entries(entries)
    _validate_roundup(roundup)
    with transaction.atomic():
        roundup.slug = asked_slug or _slug_from(roundup.title)
        _save_with_slug(roundup)
        _replace_entries(roundup, new_entries)
        if publish:
            _publish_locked(roundup)
        _refresh_papers(roundup)
    logger.info("roundup %s created by user %s", roundup.pk, author.pk)
    return roundup


def roundup_update(*, roundup: Roundup, by, **changes) -> Roundup:
    """Change the named fields of ``roundup``; fields not passed stay as they are.

    ``entries`` replaces every paper (see the module docstring for which entries keep their
    identity). ``publish=True`` publishes (as ``roundup_publish``); ``publish=False`` on a
    published roundup is refused. ``publish_at`` schedules (a datetime, as ``roundup_schedule``)
    or unschedules (None) in the same transaction. The fields it takes are ``UPDATABLE``.
    """
    _check_may_edit(roundup, by, "change it")
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"roundup_update() got unexpected fields: {', '.join(sorted(unknown))}")
    publish = changes.pop("publish", None)
    schedule = changes.pop("publish_at", KEEP)
    if publish is True and schedule not in (KEEP, None):
        raise InvalidInput(fields={"publish_at": "Publish now or schedule it, not both."})
    # Compared with the stored slug inside the transaction: the caller's instance may already
    # carry the new one (a bound ModelForm writes its input onto its instance).
    new_slug = _asked_slug(changes.pop("slug", ""))
    new_entries = _entries(changes.pop("entries")) if "entries" in changes else None
    changes = _changes(changes)

    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        keys_before = _entry_keys(roundup) if new_entries is not None else set()
        for name, value in changes.items():
            setattr(roundup, name, value)
        _validate_roundup(roundup)
        if publish is False and roundup.is_published:
            raise Conflict("A published roundup cannot go back to draft.")
        if new_slug and new_slug != roundup.slug:
            if Roundup.objects.filter(slug=new_slug).exclude(pk=roundup.pk).exists():
                raise _slug_taken(new_slug)
            roundup.slug = new_slug
        _save_with_slug(roundup)
        if new_entries is not None:
            _replace_entries(roundup, new_entries)
        if schedule is not KEEP:  # after the entries: scheduling checks the new ones
            _schedule_locked(roundup, schedule)
        if publish is True and not roundup.is_published:
            _publish_locked(roundup)
        _refresh_papers(roundup, keys_before)
        # This save holds what the author chose to keep: an autosave kept aside has served.
        AutosaveSlot.objects.filter(roundup=roundup).delete()
    logger.info("roundup %s changed by user %s", roundup.pk, by.pk)
    return roundup


def roundup_publish(*, roundup, by):
    """Publish a draft: only its author or staff, and only with at least one paper.

    Publishing a published roundup changes nothing (its date stays).
    """
    _check_may_edit(roundup, by, "publish it")
    with transaction.atomic():
        # Lock the row so two publish clicks cannot both stamp a date.
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        if roundup.is_published:
            return roundup
        _publish_locked(roundup)
        _refresh_papers(roundup)
    logger.info("roundup %s published by user %s", roundup.pk, by.pk)
    return roundup


def roundup_schedule(*, roundup: Roundup, by, publish_at: datetime) -> Roundup:
    """Have a task publish the draft at ``publish_at`` (aware, in the future, whole minutes).

    Only its author or staff; refused for a published roundup (``Conflict``) and for a draft
    that publishing would refuse now (no papers). Publishing checks again when the time comes.
    Scheduling again moves the time: the earlier time's task then does nothing.
    """
    _check_may_edit(roundup, by, "schedule it")
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        _schedule_locked(roundup, publish_at)
    logger.info("roundup %s scheduled for %s by user %s", roundup.pk, roundup.publish_at, by.pk)
    return roundup


def roundup_unschedule(*, roundup: Roundup, by) -> Roundup:
    """Take the draft's publish time away (its task then does nothing); idempotent."""
    _check_may_edit(roundup, by, "unschedule it")
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        _schedule_locked(roundup, None)
    logger.info("roundup %s unscheduled by user %s", roundup.pk, by.pk)
    return roundup


def roundup_publish_due(*, roundup_id: int, publish_at: datetime) -> str:
    """The scheduled task's body: publish the draft if it is still scheduled for ``publish_at``.

    The row is locked first, so of two workers running tasks for one roundup (two tasks, or one
    run twice) the second sees it published and does nothing. A draft rescheduled or
    unscheduled since, published by hand, or deleted is left alone. Publishing is checked again
    as the author (``roundup_publish``'s rules: may the author still edit it, has it papers);
    when it refuses, the draft stays a draft, unscheduled, and ``publish_error`` says why (the
    drafts page shows it). Returns what happened: ``published``, ``refused`` or ``skipped``.
    """
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().filter(pk=roundup_id).first()
        if roundup is None or roundup.is_published or roundup.publish_at != publish_at:
            return "skipped"
        try:
            _check_may_edit(roundup, roundup.author, "publish it")
            with transaction.atomic():  # a refusal part way writes nothing of the publish
                _publish_locked(roundup)
        except ServiceError as error:
            roundup.publish_at, roundup.publish_error_at = None, publish_at
            roundup.publish_error = error.message[:500]
            roundup.save(update_fields=[*SCHEDULE_FIELDS, "updated_at"])
            logger.warning("scheduled roundup %s not published: %s", roundup.pk, error.message)
            return "refused"
    logger.info("roundup %s published at its scheduled time", roundup.pk)
    return "published"


# --- one paper ---------------------------------------------------------------------------------


def entry_add(*, roundup: Roundup, by, **fields) -> PaperEntry:
    """Add one paper after the others in ``roundup`` (a draft or a published one).

    ``fields`` are those of ``ENTRY_FIELDS`` (``title`` and ``url`` required, the rest blank
    when not given). Only who may edit the roundup, and never past ``MAX_ENTRIES``. The roundup's
    row is locked, so two additions cannot share a position or both take the last free place.
    Called inside a caller's transaction it joins it (``suggestion_take`` marks its suggestion in
    the same one).
    """
    _check_may_edit(roundup, by, "add papers to it")
    if "id" in fields:
        raise InvalidInput(fields={"id": "A new paper has no id yet."})
    entry, _ = _entry(fields, prefix="")
    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        present = roundup.entries.aggregate(n=Count("pk"), last=Max("position"))
        if present["n"] >= MAX_ENTRIES:
            raise InvalidInput(f"“{roundup.title}” already has {MAX_ENTRIES} papers.")
        entry.roundup = roundup
        entry.position = (present["last"] or 0) + 1
        entry.save()
        Roundup.objects.filter(pk=roundup.pk).update(updated_at=timezone.now())
        if roundup.is_published:
            papers_refresh([entry.paper_key])
    logger.info("paper entry %s added to roundup %s by user %s", entry.pk, roundup.pk, by.pk)
    return entry


# --- checks ------------------------------------------------------------------------------------


def _check_may_edit(roundup: Roundup, by, doing: str) -> None:
    if by is None or not by.is_authenticated or not roundup.can_edit(by):
        raise NotAllowed(f"Only the author of this roundup or staff can {doing}.")


def _text(value, name) -> str:
    """A text field as stored: without the invisible characters ``clean_text`` strips."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(fields={name: "Must be text."})
    return clean_text(value).strip()


def _texts(**values) -> list[tuple[str, str]]:
    return [(name, _text(value, name)) for name, value in values.items()]


def _changes(passed: dict) -> dict:
    """The roundup fields passed to ``roundup_update``, as they will be stored."""
    changes = {}
    for name, value in passed.items():
        if name == "series":
            changes[name] = _series(value)
        elif name == "number":
            changes[name] = value
        else:
            changes[name] = _text(value, name)
    return changes


def _series(value):
    if value is None or value == "" or isinstance(value, Series):
        return value or None
    if not isinstance(value, str):
        raise InvalidInput(fields={"series": "Give the series by its slug."})
    found = Series.objects.filter(slug=value.strip()).first()
    if found is None:
        raise InvalidInput(fields={"series": f"There is no series “{value.strip()}”."})
    return found


def _entries(entries) -> list[tuple[PaperEntry, int | None]]:
    """Validated, unsaved entries numbered 1..n, each with the ``id`` it was sent with (if any).

    Errors name the entry by its place in the list (``entries[2].url``).
    """
    entries = list(entries or [])
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(fields={"entries": f"At most {MAX_ENTRIES} papers in one roundup."})
    built, errors = [], {}
    for index, data in enumerate(entries):
        try:
            entry, given_id = _entry(data, prefix=f"entries[{index}]")
        except InvalidInput as error:
            errors.update(error.fields)
            continue
        entry.position = index + 1
        built.append((entry, given_id))
    if errors:
        raise InvalidInput(fields=errors)
    return built


def _entry(data, *, prefix: str) -> tuple[PaperEntry, int | None]:
    """One validated, unsaved entry; errors are named ``<prefix>.<field>`` (or the field)."""

    def name(field=None):
        return ".".join(part for part in (prefix, field) if part) or "__all__"

    if not isinstance(data, Mapping):
        raise InvalidInput(fields={name(): "Each paper is an object."})
    unknown = set(data) - set(ENTRY_FIELDS) - {"id"}
    if unknown:
        raise InvalidInput(fields={name(): f"Unknown fields: {', '.join(sorted(unknown))}."})
    given_id = data.get("id")
    if given_id is not None and (not isinstance(given_id, int) or isinstance(given_id, bool)):
        raise InvalidInput(fields={name("id"): "Give an entry's id as a number."})
    texts = {field: data.get(field) for field in ENTRY_FIELDS if field != "year"}
    entry = PaperEntry(year=data.get("year"), **dict(_texts(**texts)))
    errors = {}
    try:
        entry.full_clean(exclude=["roundup", "position"])
    except ValidationError as error:
        errors = {name(field): messages for field, messages in error.message_dict.items()}
    latest = latest_paper_year()
    if isinstance(entry.year, int) and not EARLIEST_PAPER_YEAR <= entry.year <= latest:
        errors[name("year")] = [f"Enter a year between {EARLIEST_PAPER_YEAR} and {latest}."]
    if errors:
        raise InvalidInput(fields=errors)
    return entry, given_id


def _validate_roundup(roundup: Roundup) -> None:
    # The slug is checked on its own (uniqueness is a conflict, not bad input).
    try:
        roundup.full_clean(exclude=["slug", "author", "series"], validate_unique=False)
    except ValidationError as error:
        raise InvalidInput(fields=error.message_dict) from None


def _asked_slug(slug) -> str:
    """The slug the caller typed, checked, or ``""`` when none was (blank, or not passed)."""
    slug = _text(slug, "slug")
    if slug:
        _check_slug(slug)
    return slug


def _check_slug(slug: str) -> None:
    try:
        validate_slug(slug)
    except ValidationError:
        raise InvalidInput(
            fields={"slug": "Use only letters, digits, hyphens and underscores in a slug."}
        ) from None
    if len(slug) > SLUG_MAX_LENGTH:
        raise InvalidInput(fields={"slug": f"At most {SLUG_MAX_LENGTH} characters."})
    if slug in RESERVED_SLUGS:
        raise InvalidInput(fields={"slug": f"“{slug}” is reserved; choose another slug."})


def _slug_from(title: str) -> str:
    """A free slug made from ``title``: its slugified form, else with -2, -3… appended."""
    base = slugify(title)[:SLUG_MAX_LENGTH].strip("-") or "roundup"
    taken = set(Roundup.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | set(
        RESERVED_SLUGS
    )
    if base not in taken:
        return base
    for n in range(2, MAX_SLUG_SUFFIX):
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
    raise SlugTaken("Too many roundups share this title; choose a slug.")


# --- writes (called inside the caller's transaction) -------------------------------------------


def _save_with_slug(roundup: Roundup) -> None:
    try:
        with transaction.atomic():
            roundup.save()
    except IntegrityError:  # a concurrent writer took the slug between the check and the save
        raise _slug_taken(roundup.slug) from None


def _replace_entries(roundup: Roundup, entries: list[tuple[PaperEntry, int | None]]) -> None:
    """Make ``entries`` the roundup's papers, in order, keeping identities (module docstring)."""
    existing = {old.pk: old for old in PaperEntry.objects.filter(roundup=roundup)}
    given = _given_ids(entries, existing)
    unclaimed: dict[str, list[int]] = {}
    for old in sorted(existing.values(), key=lambda old: (old.position, old.pk)):
        if old.pk not in given:
            unclaimed.setdefault(old.paper_key, []).append(old.pk)
    kept = set()
    for entry, given_id in entries:
        entry.roundup = roundup
        same_paper = unclaimed.get(paper_key(entry.url))
        if given_id is None and same_paper:
            given_id = same_paper.pop(0)
        if given_id is not None:
            entry.pk, entry._state.adding = given_id, False
            kept.add(given_id)
        entry.save()
    leftover = set(existing) - kept
    if leftover:
        # Their comments lose their paper (SET NULL) without a move of ``thread_version``: only
        # the gone entry's own filter ranked by it, and no page can ask for that any more.
        PaperEntry.objects.filter(pk__in=leftover).delete()


def _entry_keys(roundup: Roundup) -> set[str]:
    return set(PaperEntry.objects.filter(roundup=roundup).values_list("paper_key", flat=True))


def _refresh_papers(roundup: Roundup, keys_before=()) -> None:
    """Recount the ``Paper`` rows of the roundup's papers, now and before the write: inside the
    write's transaction. A draft's papers count nowhere, so a draft refreshes nothing."""
    if roundup.is_published:
        papers_refresh(_entry_keys(roundup) | set(keys_before))


def _given_ids(entries, existing) -> list[int]:
    """The ids sent with ``entries``: each must be one of ``existing``, and only once."""
    given = [given_id for _, given_id in entries if given_id is not None]
    for index, (_, given_id) in enumerate(entries):
        if given_id is not None and (given_id not in existing or given.count(given_id) > 1):
            message = "This paper is not in the roundup, or is listed twice."
            raise InvalidInput(fields={f"entries[{index}]": message})
    return given


def _check_publishable(roundup: Roundup) -> None:
    """What publishing needs, checked by publishing, scheduling and the scheduled task alike."""
    if not roundup.entries.exists():
        raise InvalidInput(NO_PAPERS)


def _publish_locked(roundup: Roundup) -> None:
    """Publish, with the roundup's row new or locked by the caller's transaction."""
    _check_publishable(roundup)
    roundup.status = Roundup.Status.PUBLISHED
    roundup.published_at = timezone.now()
    roundup.publish_at, roundup.publish_error, roundup.publish_error_at = None, "", None
    roundup.save(update_fields=["status", "published_at", *SCHEDULE_FIELDS, "updated_at"])
    fire(hooks.roundup_published, roundup=roundup)


# --- scheduling (called inside the caller's transaction, with the row locked) -------------------


def _to_minute(value):
    """An aware datetime in UTC, to the minute (anything else as it came, for _publish_time)."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return value
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # year 1 at +14:00 is before the first UTC instant Python can hold
        raise InvalidInput(fields={"publish_at": "Choose a time in the future."}) from None
    return value.replace(second=0, microsecond=0)


def _publish_time(value) -> datetime:
    """``value`` (to the minute) checked as a publish time: aware, in the future, not too far."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise InvalidInput(fields={"publish_at": "Give a date and time with its time zone."})
    now = timezone.now()
    if value <= now:
        raise InvalidInput(fields={"publish_at": "Choose a time in the future."})
    if value > now + MAX_SCHEDULE_AHEAD:
        raise InvalidInput(
            fields={"publish_at": f"Choose a time within {MAX_SCHEDULE_AHEAD.days} days."}
        )
    return value


def _schedule_locked(roundup: Roundup, publish_at) -> None:
    """Set (a datetime) or clear (None) the publish time of the locked ``roundup``.

    The same time again changes nothing (no second task), so a form sent back unchanged is
    fine even once that time has passed. A new time enqueues a task for it on commit; the
    task of an earlier time finds the time changed and does nothing (``roundup_publish_due``).
    """
    if publish_at is None:
        if roundup.publish_at is None and not roundup.publish_error:
            return
        roundup.publish_at, roundup.publish_error, roundup.publish_error_at = None, "", None
        roundup.save(update_fields=[*SCHEDULE_FIELDS, "updated_at"])
        return
    publish_at = _to_minute(publish_at)
    if roundup.publish_at is not None and publish_at == roundup.publish_at:
        return
    publish_at = _publish_time(publish_at)
    if roundup.is_published:
        raise Conflict(
            "This roundup is published already; only drafts are scheduled.",
            fields={"publish_at": ["This roundup is published already."]},
        )
    _check_publishable(roundup)
    roundup.publish_at, roundup.publish_error, roundup.publish_error_at = publish_at, "", None
    roundup.save(update_fields=[*SCHEDULE_FIELDS, "updated_at"])
    # Imported here: the task module imports this one (the task's body is roundup_publish_due).
    from .tasks import publish_scheduled

    enqueue_on_commit(
        publish_scheduled.using(run_after=publish_at), roundup.pk, publish_at.isoformat()
    )
