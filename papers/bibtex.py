"""BibTeX for the papers of a roundup, and for one paper.

Every entry is ``@misc`` (we do not know whether a link is a journal article or a preprint), with
arXiv ids as ``eprint``/``archivePrefix`` and DOIs as ``doi``, as biblatex and natbib styles expect.
Citation keys are stable: first author's family name, year, first significant title word
(``vaswani2017attention``), so re-exporting gives the same keys; clashes within one file get
``b``, ``c``... in roundup order.
"""

import re
import unicodedata

from roundups.papers import arxiv_id_from_key, doi_from_key

# Characters that mean something to (La)TeX inside a braced field value, with their escapes.
_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_TEX_RE = re.compile("|".join(re.escape(char) for char in _TEX_SPECIALS))
# Words too common to tell two papers apart in a citation key.
_STOP_WORDS = frozenset(
    "a an and are as at by for from in into is of on or the to towards via with without".split()
)
_AUTHOR_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|&)\s*", re.I)
# "et al." in a typed author list is BibTeX's "and others" (styles print it as "et al.").
_ET_AL = re.compile(r"^(?:et\.?\s*al\.?|others|\.\.\.|…)$", re.I)


def escape(value: str) -> str:
    """A value safe inside ``{...}``: specials escaped, so braces always balance."""
    return _TEX_RE.sub(lambda found: _TEX_SPECIALS[found.group()], " ".join(value.split()))


def escape_verbatim(value: str) -> str:
    """For url and doi, which styles print verbatim: only braces and backslashes could break
    the file, and percent-encoding keeps the link working."""
    return value.strip().replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def split_authors(authors: str) -> list[str]:
    """Authors are typed comma-separated; "and" and ";" are accepted too."""
    return [name for name in _AUTHOR_SEPARATOR.split(authors or "") if name.strip()]


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(entry) -> str:
    """``<family name><year><first significant title word>``, ASCII only."""
    names = split_authors(entry.authors)
    family = _ascii_word(names[0].split()[-1]) if names and names[0].split() else ""
    words = [_ascii_word(word) for word in re.split(r"[\s\-:/]+", entry.title)]
    significant = [word for word in words if word and word not in _STOP_WORDS]
    key = f"{family or 'anon'}{entry.year or ''}{significant[0] if significant else ''}"
    return key or "paper"


def _unique_keys(entries) -> list[str]:
    used: dict[str, int] = {}
    keys = []
    for entry in entries:
        base = citation_key(entry)
        count = used.get(base, 0)
        used[base] = count + 1
        if count == 0:
            keys.append(base)
        elif count < 26:
            keys.append(base + chr(ord("a") + count))  # the second is "b", as bibtex styles do
        else:
            keys.append(f"{base}-{count}")
    return keys


def entry_bibtex(entry, key: str | None = None) -> str:
    """One ``@misc`` entry for a PaperEntry."""
    fields = [("title", escape(entry.title))]
    names = split_authors(entry.authors)
    if names:
        authors = ["others" if _ET_AL.match(name) else escape(name) for name in names]
        fields.append(("author", " and ".join(authors)))
    if entry.year:
        fields.append(("year", str(entry.year)))
    arxiv = arxiv_id_from_key(entry.paper_key)
    if arxiv:
        fields += [("eprint", escape_verbatim(arxiv)), ("archivePrefix", "arXiv")]
    doi = doi_from_key(entry.paper_key)
    if doi:
        fields.append(("doi", escape_verbatim(doi)))
    fields.append(("url", escape_verbatim(entry.url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key or citation_key(entry)},\n{body}\n}}\n"


def bibliography(entries) -> str:
    """Entries in order, one per distinct paper (a paper listed twice is cited once)."""
    distinct, seen = [], set()
    for entry in entries:
        identity = entry.paper_key or entry.url
        if identity not in seen:
            seen.add(identity)
            distinct.append(entry)
    return "\n".join(
        entry_bibtex(entry, key)
        for entry, key in zip(distinct, _unique_keys(distinct), strict=True)
    )
