"""Every write to roundups: check, then do, in one transaction.

The HTML authoring views and the JSON API both call these, so each rule lives here once:

* only members of Authors create roundups;
* only a roundup's author (still an Author) or staff change or publish it (``Roundup.can_edit``);
* publishing stamps ``published_at`` once and needs at least one paper; a published roundup
  does not go back to draft (readers may already be discussing it);
* paper entries are replaced as a whole list, numbered 1..n in the order given;
* a slug is made unique from the title unless one is asked for; an asked-for slug that another
  roundup holds is a conflict (``SlugTaken``), so a client can tell it from bad input.

Errors are Django's own exceptions, so a form view can show them as it shows any other:
``PermissionDenied`` (not allowed) and ``ValidationError`` (bad input), with ``Conflict`` (and
its ``SlugTaken``), ``ValidationError`` subclasses, for a clash with the current state.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.roles import is_author
from forum.text import clean_text

from .forms import EARLIEST_PAPER_YEAR, MAX_ENTRIES, RESERVED_SLUGS
from .models import PaperEntry, Roundup, Series

SLUG_MAX_LENGTH = Roundup._meta.get_field("slug").max_length
# Numbered suffixes tried before giving up on a title's slug: a title reused this often is a bot.
MAX_SLUG_SUFFIX = 1000
ENTRY_FIELDS = ("title", "url", "authors", "year", "abstract", "opinion", "code_url", "related")
_UNSET = object()


class Conflict(ValidationError):
    """The change clashes with the current state of things (HTTP 409 in the API)."""


class SlugTaken(Conflict):
    """The asked-for slug belongs to another roundup."""


# --- the form views' entry points (a bound form and formset) --------------------------------


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
    """Publish a draft: only its author or staff, and only with at least one paper.

    Publishing a published roundup changes nothing (its date stays).
    """
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


# --- plain-data entry points (the API; usable by any caller with values in hand) -----------


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
        raise PermissionDenied("Log in to write roundups.")
    if not is_author(author):
        raise PermissionDenied("Only members of the Authors group can write roundups.")
    roundup = Roundup(
        author=author,
        title=_text(title, "title"),
        intro=_text(intro, "intro"),
        outro=_text(outro, "outro"),
        series=_series(series),
        number=number,
        crosspost_url=_text(crosspost_url, "crosspost_url"),
    )
    asked_slug = _text(slug, "slug")
    new_entries = _entries(entries)
    _validate_roundup(roundup)
    if publish and not new_entries:
        raise ValidationError("Add at least one paper before publishing.")
    with transaction.atomic():
        roundup.slug = _checked_slug(asked_slug) if asked_slug else _slug_from(roundup.title)
        _save_new_slug(roundup)
        _replace_entries(roundup, new_entries)
        if publish:
            _publish_locked(roundup)
    return roundup


def roundup_update(
    *,
    roundup: Roundup,
    by,
    title=_UNSET,
    slug=_UNSET,
    intro=_UNSET,
    outro=_UNSET,
    series=_UNSET,
    number=_UNSET,
    crosspost_url=_UNSET,
    entries=_UNSET,
    publish=_UNSET,
) -> Roundup:
    """Change the named fields of ``roundup``; fields not passed stay as they are.

    ``entries`` replaces every paper. ``publish=True`` publishes (as ``roundup_publish``);
    ``publish=False`` on a published roundup is refused. The slug never follows a new title:
    links to the roundup keep working.
    """
    if by is None or not by.is_authenticated or not roundup.can_edit(by):
        raise PermissionDenied("Only the author of this roundup or staff can change it.")
    changes = {}
    for name, value in (
        ("title", title),
        ("intro", intro),
        ("outro", outro),
        ("crosspost_url", crosspost_url),
    ):
        if value is not _UNSET:
            changes[name] = _text(value, name)
    if series is not _UNSET:
        changes["series"] = _series(series)
    if number is not _UNSET:
        changes["number"] = number
    new_slug = None
    if slug is not _UNSET and _text(slug, "slug") != roundup.slug:
        new_slug = _checked_slug(_text(slug, "slug"))
    new_entries = _entries(entries) if entries is not _UNSET else None

    with transaction.atomic():
        roundup = Roundup.objects.select_for_update().get(pk=roundup.pk)
        for name, value in changes.items():
            setattr(roundup, name, value)
        _validate_roundup(roundup)
        if publish is False and roundup.is_published:
            raise Conflict("A published roundup cannot go back to draft.")
        if new_slug is not None:
            if Roundup.objects.filter(slug=new_slug).exclude(pk=roundup.pk).exists():
                raise SlugTaken(f"The slug “{new_slug}” is taken by another roundup.")
            roundup.slug = new_slug
        try:
            with transaction.atomic():
                roundup.save()
        except IntegrityError:  # a concurrent writer took the slug between check and save
            raise SlugTaken(f"The slug “{roundup.slug}” is taken by another roundup.") from None
        if new_entries is not None:
            _replace_entries(roundup, new_entries)
        if publish is True and not roundup.is_published:
            if not roundup.entries.exists():
                raise ValidationError("Add at least one paper before publishing.")
            _publish_locked(roundup)
    return roundup


# --- helpers -----------------------------------------------------------------------------------


def _text(value, name) -> str:
    """A text field as stored: without the invisible characters ``clean_text`` strips."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: "Must be text."})
    return clean_text(value).strip()


def _series(value):
    if value is None or value == "" or isinstance(value, Series):
        return value or None
    if not isinstance(value, str):
        raise ValidationError({"series": "Give the series by its slug."})
    found = Series.objects.filter(slug=value.strip()).first()
    if found is None:
        raise ValidationError({"series": f"There is no series “{value.strip()}”."})
    return found


def _entries(entries) -> list[PaperEntry]:
    """Validated, unsaved entries; errors name the entry (``entries[2].url``)."""
    if entries is None:
        entries = []
    entries = list(entries)
    if len(entries) > MAX_ENTRIES:
        raise ValidationError({"entries": f"At most {MAX_ENTRIES} papers in one roundup."})
    built, errors = [], {}
    latest_year = timezone.now().year + 1
    for index, data in enumerate(entries):
        if not isinstance(data, Mapping):
            raise ValidationError({f"entries[{index}]": "Each paper is an object."})
        unknown = set(data) - set(ENTRY_FIELDS)
        if unknown:
            errors[f"entries[{index}]"] = [f"Unknown fields: {', '.join(sorted(unknown))}."]
            continue
        fields = {name: _text(data.get(name), name) for name in ENTRY_FIELDS if name != "year"}
        entry = PaperEntry(position=index + 1, year=data.get("year"), **fields)
        try:
            entry.full_clean(exclude=["roundup", "position"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"entries[{index}].{field}"] = messages
        if entry.year is not None and not EARLIEST_PAPER_YEAR <= entry.year <= latest_year:
            errors[f"entries[{index}].year"] = [
                f"Enter a year between {EARLIEST_PAPER_YEAR} and {latest_year}."
            ]
        built.append(entry)
    if errors:
        raise ValidationError(errors)
    return built


def _validate_roundup(roundup: Roundup) -> None:
    # The slug is checked on its own (uniqueness is a conflict, not bad input).
    roundup.full_clean(exclude=["slug", "author", "series"], validate_unique=False)


def _checked_slug(slug: str) -> str:
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            {"slug": "Use only letters, digits, hyphens and underscores in a slug."}
        ) from None
    if len(slug) > SLUG_MAX_LENGTH:
        raise ValidationError({"slug": f"At most {SLUG_MAX_LENGTH} characters."})
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved; choose another slug."})
    return slug


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


def _save_new_slug(roundup: Roundup) -> None:
    try:
        with transaction.atomic():
            roundup.save()
    except IntegrityError:  # taken between the check and the insert, or asked for and taken
        raise SlugTaken(f"The slug “{roundup.slug}” is taken by another roundup.") from None


def _replace_entries(roundup: Roundup, entries: list[PaperEntry]) -> None:
    """Make ``entries`` the roundup's papers, in order. Called inside the caller's transaction.

    An entry whose paper (``paper_key``) is already in the roundup is updated in place, so the
    comments and suggestions attached to it stay attached; papers no longer listed are deleted
    (their comments stay, unattached).
    """
    existing: dict[str, list[PaperEntry]] = {}
    for old in PaperEntry.objects.filter(roundup=roundup).order_by("position", "pk"):
        existing.setdefault(old.paper_key, []).append(old)
    for entry in entries:
        entry.roundup = roundup
        entry.render_html()  # computes paper_key
        matches = existing.get(entry.paper_key)
        if matches:
            entry.pk = matches.pop(0).pk
            entry._state.adding = False
        entry.save()
    leftover = [old.pk for olds in existing.values() for old in olds]
    if leftover:
        PaperEntry.objects.filter(pk__in=leftover).delete()


def _publish_locked(roundup: Roundup) -> None:
    """Called inside the caller's transaction, with the roundup's row new or locked."""
    roundup.status = Roundup.Status.PUBLISHED
    roundup.published_at = timezone.now()
    roundup.save(update_fields=["status", "published_at", "updated_at"])
