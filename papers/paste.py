"""Paste links, get entries: every paper reference in a paste becomes an entry of a roundup.

``references_add(*, roundup, by, text)`` reads the paste with ``roundups.references.find`` (one
reference per line or mixed into prose), fills each paper from ``metadata.look_up`` and adds the
entries, in the order pasted, through ``roundups.services.entry_add`` (the one write path). It
answers a ``PasteReport``: a line per reference saying what became of it.

The rules:

* a paper named twice in the paste is added once (the later lines are reported), and a paper the
  roundup already has is reported, not added again;
* a line whose reference cannot be stored (a link over the length limit, not http or https) is
  reported and skipped: nothing of it is written;
* a failed look-up is no failure: the entry is made with its link (and the reference as written
  for its title, which the form then shows for the author to fill), and the report says why;
* every entry is added in ONE transaction: if any cannot be (the roundup reached its paper limit
  meanwhile), none is, and the refusal names the line;
* look-ups happen before that transaction (no row is locked while arXiv answers), and count
  against the author's look-up rate limit (``RateLimited`` when none is left: nothing is written).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from forum.errors import InvalidInput, NotAllowed
from roundups.models import (
    EARLIEST_PAPER_YEAR,
    MAX_ENTRIES,
    PaperEntry,
    Roundup,
    latest_paper_year,
)
from roundups.references import Found, find
from roundups.services import entry_add

from . import metadata

MAX_PASTE_CHARS = 50_000  # a hundred references with prose around them; more is not a paste
TITLE_MAX = PaperEntry._meta.get_field("title").max_length
AUTHORS_MAX = PaperEntry._meta.get_field("authors").max_length
URL_MAX = PaperEntry._meta.get_field("url").max_length
_valid_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class PasteLine:
    """What became of one reference: ``added``, ``duplicate``, ``present`` or ``invalid``."""

    line: int
    text: str
    outcome: str
    message: str = ""
    entry: PaperEntry | None = None


@dataclass
class PasteReport:
    lines: list[PasteLine] = field(default_factory=list)
    unread_lines: list[int] = field(default_factory=list)  # non-blank lines with no reference

    @property
    def added(self) -> list[PasteLine]:
        return [line for line in self.lines if line.outcome == "added"]

    @property
    def problems(self) -> list[PasteLine]:
        return [line for line in self.lines if line.outcome != "added" or line.message]


def references_add(*, roundup: Roundup, by, text: str) -> PasteReport:
    """Add every paper referenced in ``text`` to ``roundup`` (see the module docstring)."""
    if by is None or not by.is_authenticated or not roundup.can_edit(by):
        raise NotAllowed("Only the author of this roundup or staff can add papers to it.")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(fields={"references": "Paste at least one paper link or id."})
    if len(text) > MAX_PASTE_CHARS:
        raise InvalidInput(
            fields={"references": f"At most {MAX_PASTE_CHARS:,} characters in one paste."}
        )
    found = find(text)
    if not found:
        raise InvalidInput(
            fields={"references": "No paper link or id found (arXiv, DOI, OpenReview or a URL)."}
        )
    report = PasteReport(unread_lines=_unread_lines(text, found))
    wanted = _sort_out(roundup, found, report)
    present = roundup.entries.count()
    if present + len(wanted) > MAX_ENTRIES:
        raise InvalidInput(
            fields={
                "references": f"That makes {present + len(wanted)} papers; a roundup holds at "
                f"most {MAX_ENTRIES}. Nothing was added."
            }
        )
    answers = metadata.look_up([item.reference for item in wanted], user=by) if wanted else {}
    with transaction.atomic():
        for item in wanted:
            answer = answers.get(item.reference.key, "")
            try:
                entry = entry_add(roundup=roundup, by=by, **_fields(item, answer))
            except InvalidInput as error:
                raise InvalidInput(
                    fields={"references": f"Line {item.line}: {error.message} Nothing was added."}
                ) from None
            message = answer if isinstance(answer, str) else ""
            report.lines.append(PasteLine(item.line, item.text, "added", message, entry))
    report.lines.sort(key=lambda line: line.line)
    return report


def _unread_lines(text: str, found: list[Found]) -> list[int]:
    with_references = {item.line for item in found}
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and number not in with_references
    ]


def _sort_out(roundup, found: list[Found], report: PasteReport) -> list[Found]:
    """The references to add: valid, first of their paper in the paste, not in the roundup."""
    existing = dict(roundup.entries.order_by("-position").values_list("paper_key", "position"))
    first_line: dict[str, int] = {}
    wanted = []
    for item in found:
        key = item.reference.key
        if key in existing:
            message = f"Already in this roundup (paper {existing[key]}); not added again."
            report.lines.append(PasteLine(item.line, item.text, "present", message))
        elif key in first_line:
            message = f"The same paper as line {first_line[key]}; added once."
            report.lines.append(PasteLine(item.line, item.text, "duplicate", message))
        elif problem := _link_problem(item.reference.link):
            report.lines.append(PasteLine(item.line, item.text, "invalid", problem))
        else:
            first_line[key] = item.line
            wanted.append(item)
    return wanted


def _link_problem(link: str) -> str:
    if len(link) > URL_MAX:
        return f"The link is longer than {URL_MAX} characters; not added."
    try:
        _valid_url(link)
    except ValidationError:
        return "Not a link this site can store (it needs http:// or https://); not added."
    return ""


def _fields(item: Found, answer) -> dict:
    """The entry for one reference: the metadata found, or its link and text to fill in."""
    fields = {"url": item.reference.link, "title": item.text[:TITLE_MAX]}
    if isinstance(answer, metadata.Metadata):
        fields.update(
            title=_shorten(answer.title, TITLE_MAX) or fields["title"],
            authors=_shorten_authors(answer.authors),
            year=answer.year if _plausible_year(answer.year) else None,
            abstract=answer.abstract,
        )
    return fields


def _plausible_year(year) -> bool:
    return isinstance(year, int) and EARLIEST_PAPER_YEAR <= year <= latest_paper_year()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shorten_authors(authors: str) -> str:
    """Authors within the field: a list cut at a name, ending "et al." (big collaborations)."""
    if len(authors) <= AUTHORS_MAX:
        return authors
    names, kept = authors.split(", "), []
    for name in names:
        if len(", ".join([*kept, name, "et al."])) > AUTHORS_MAX:
            break
        kept.append(name)
    return ", ".join([*kept, "et al."])
