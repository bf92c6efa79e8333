"""A ``.bib`` file read into paper entries: one entry per record, abstract from ``abstract``.

bibtexparser (v2) reads the file; its middlewares resolve ``@string`` macros, drop the braces
around values, turn LaTeX accents into Unicode (``{\\"u}`` -> ``ü``, with pylatexenc) and split
``author`` into names, written "First Last". A record's link is its ``url``, else its ``doi``,
else its arXiv ``eprint``; a record with no title or no link cannot become an entry and is
listed, as is every block the parser could not read.
"""

import re

import bibtexparser
from bibtexparser import middlewares

from . import references
from .crosspost import ParsedRoundup

_YEAR = re.compile(r"\b(\d{4})\b")


def _middlewares():
    return [
        middlewares.LatexDecodingMiddleware(),
        middlewares.SeparateCoAuthors(),
        middlewares.SplitNameParts(),
        middlewares.MergeNameParts(style="first"),
    ]


def parse_bibtex(text: str) -> ParsedRoundup:
    parsed = ParsedRoundup()
    library = bibtexparser.parse_string(text, append_middleware=_middlewares())
    for block in library.failed_blocks:
        reason = str(getattr(block, "error", "") or "").splitlines()[0:1]
        parsed.problems.append(
            f"Line {block.start_line + 1}: a record that could not be read was left out"
            + (f" ({reason[0]})." if reason else ".")
        )
    for record in library.entries:
        fields = {key.lower(): field.value for key, field in record.fields_dict.items()}
        line = record.start_line + 1
        title = " ".join(str(fields.get("title", "")).split())
        link = _link(fields)
        if not title or not link:
            missing = "a title" if not title else "a url, doi or eprint"
            parsed.problems.append(f"Line {line}: the record {record.key} has no {missing}.")
            continue
        parsed.entries.append(
            {
                "title": title,
                "url": link,
                "authors": _authors(fields.get("author", "")),
                "year": _year(fields.get("year", "")),
                "abstract": " ".join(str(fields.get("abstract", "")).split()),
                "line": line,
            }
        )
    return parsed


def _link(fields: dict) -> str:
    if fields.get("url"):
        return str(fields["url"]).strip()
    if fields.get("doi"):
        reference = references.parse("doi:" + str(fields["doi"]).strip().removeprefix("doi:"))
        if reference is None or reference.kind == "url":
            reference = references.parse(str(fields["doi"]))
        return reference.link if reference else ""
    eprint = str(fields.get("eprint", "")).strip()
    if eprint and str(fields.get("archiveprefix", "arxiv")).lower() == "arxiv":
        reference = references.parse("arXiv:" + eprint.removeprefix("arXiv:"))
        return reference.link if reference else ""
    return ""


def _authors(value) -> str:
    names = value if isinstance(value, list) else [value] if value else []
    names = [" ".join(str(name).split()) for name in names]
    return ", ".join("et al." if name.lower() == "others" else name for name in names if name)


def _year(value) -> int | None:
    found = _YEAR.search(str(value))
    return int(found.group(1)) if found else None
