"""Import a roundup from Markdown or BibTeX: always a draft for its author to review.

``roundup_import(*, author, text, filename="", title="")`` reads ``text`` as BibTeX when the file
name ends in ``.bib`` (or, without a name, when it starts with an ``@`` record), else as Markdown
(``crosspost.parse_markdown``), and writes a draft through ``services.roundup_create`` (one
transaction: all of it or nothing). Entries that cannot be stored as they are (a link that is not
http(s), past the paper limit) are left out and listed with what could not be parsed; a year out
of range is dropped, an over-long title or author list shortened, and said so. The answer is the
draft and that list.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from forum.errors import InvalidInput

from . import references
from .bibimport import parse_bibtex
from .crosspost import ParsedRoundup, parse_markdown
from .models import EARLIEST_PAPER_YEAR, MAX_ENTRIES, PaperEntry, Roundup, latest_paper_year
from .services import roundup_create

MAX_IMPORT_CHARS = 1_000_000  # a hundred papers with long abstracts is ~200 kB
DEFAULT_TITLE = "Imported roundup"
_valid_url = URLValidator(schemes=["http", "https"])
_LIMITS = {name: PaperEntry._meta.get_field(name).max_length for name in ("title", "authors")}
URL_MAX = PaperEntry._meta.get_field("url").max_length


@dataclass
class ImportResult:
    roundup: Roundup
    problems: list[str]


def parse(text: str, filename: str = "") -> ParsedRoundup:
    """The roundup in ``text``: BibTeX for ``.bib`` files (or text starting with ``@``)."""
    is_bib = PurePath(filename).suffix.lower() == ".bib" if filename else text.lstrip()[:1] == "@"
    return parse_bibtex(text) if is_bib else parse_markdown(text)


def roundup_import(*, author, text: str, filename: str = "", title: str = "") -> ImportResult:
    """A draft made from ``text`` (see the module docstring), with what was left out."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(fields={"file": "The file is empty."})
    if len(text) > MAX_IMPORT_CHARS:
        raise InvalidInput(fields={"file": f"At most {MAX_IMPORT_CHARS:,} characters."})
    parsed = parse(text, filename)
    entries, problems = _storable(parsed.entries)
    if not entries and not parsed.intro and not parsed.outro:
        raise InvalidInput(
            fields={"file": "No paper or text found to import. " + " ".join(parsed.problems)}
        )
    stem = PurePath(filename).stem.replace("-", " ").replace("_", " ").strip() if filename else ""
    roundup = roundup_create(
        author=author,
        title=(title or parsed.title or stem or DEFAULT_TITLE)[: _title_limit()],
        intro=parsed.intro,
        outro=parsed.outro,
        entries=entries,
        publish=False,
    )
    return ImportResult(roundup, parsed.problems + problems)


def _title_limit() -> int:
    return Roundup._meta.get_field("title").max_length


def _storable(entries: list[dict]) -> tuple[list[dict], list[str]]:
    kept, problems = [], []
    for entry in entries:
        line, name = entry.pop("line", "?"), entry.get("title", "")
        if len(kept) == MAX_ENTRIES:
            problems.append(f"Line {line}: “{name}” and the papers after it were left out: a "
                            f"roundup holds at most {MAX_ENTRIES}.")  # fmt: skip
            break
        reference = references.parse(entry.get("url", ""))
        entry["url"] = reference.link if reference else ""
        try:
            _valid_url(entry["url"])
            if len(entry["url"]) > URL_MAX:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(f"Line {line}: “{name}” links to “{entry['url']}”, which is not an "
                            "http(s) link; left out.")  # fmt: skip
            continue
        problems += [f"Line {line}: {note}" for note in _fit(entry)]
        kept.append(entry)
    return kept, problems


def _fit(entry: dict) -> list[str]:
    """Shorten or drop what the fields cannot hold; a note for each change."""
    notes = []
    for name, limit in _LIMITS.items():
        if len(entry.get(name) or "") > limit:
            entry[name] = entry[name][: limit - 1] + "…"
            notes.append(f"the {name} of “{entry['title'][:60]}” was shortened to {limit} "
                         "characters.")  # fmt: skip
    year = entry.get("year")
    if year is not None and not EARLIEST_PAPER_YEAR <= year <= latest_paper_year():
        entry["year"] = None
        notes.append(f"the year {year} of “{entry['title'][:60]}” is not plausible; left blank.")
    return notes
