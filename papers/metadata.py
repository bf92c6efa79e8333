"""Title, authors, year and abstract for the papers an author pasted, from wherever they are known.

``look_up(references, user=...)`` answers, per paper key, a ``Metadata`` or the message that says
why none was found. Sources, in order:

1. this site: a paper a published roundup covered before fills from our own newest entry (one
   query for the whole paste);
2. the arXiv API: ONE batched ``id_list`` request for every arXiv id not cached
   (https://info.arxiv.org/help/api/user-manual.html, Atom);
3. Crossref for DOIs (``/works/<doi>``: JSON, the record under ``message``;
   https://api.crossref.org/swagger-ui/index.html);
4. OpenReview for its ids (API v2, ``/notes?id=<id>``: JSON ``{"notes": [...]}`` whose content
   fields are ``{"value": ...}``; https://docs.openreview.net/reference/api-v2).

Plain links have no metadata source (fetching an arbitrary page from the server would let anyone
make it request any address); they fill only from this site.

Every request goes through the function named by ``settings.PAPER_METADATA_FETCH`` (``url`` and
``timeout`` in, bytes out, ``FetchError`` on failure), so tests and the browser tests' live server
replay recorded answers and nothing here touches the network in a test. Each request has
``PAPER_METADATA_TIMEOUT`` seconds, Crossref and OpenReview requests run a few at a time, answers
are cached for a day, and each request counts against the author's
``PAPER_LOOKUP_RATE_LIMIT`` per ``PAPER_LOOKUP_RATE_WINDOW`` (``forum/ratelimit.py``).
"""

import html
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from forum import ratelimit
from forum.errors import RateLimited
from roundups.models import PaperEntry, published_filter
from roundups.references import Reference

from . import arxiv

logger = logging.getLogger(__name__)

CROSSREF_URL = "https://api.crossref.org/works/"
OPENREVIEW_URL = "https://api2.openreview.net/notes"
USER_AGENT = arxiv.USER_AGENT
MAX_RESPONSE_BYTES = 2_000_000  # a batch of 100 arXiv entries is ~300 kB; more is wrong
CACHE_SECONDS = arxiv.CACHE_SECONDS
PARALLEL_REQUESTS = 4  # Crossref and OpenReview calls at once: polite, and ten DOIs take ~3 waits
RATE_SCOPE = "paper-lookup"
_JATS_TAG = re.compile(r"<[^>]+>")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


class FetchError(Exception):
    """A request failed; ``status`` is the HTTP status when the server answered one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    authors: str = ""  # comma-separated, as the roundup form takes them
    year: int | None = None
    abstract: str = ""
    source: str = ""  # where it came from, for the author: "this site", "arXiv", ...


def http_fetch(url: str, *, timeout: float) -> bytes:
    """GET ``url`` (the production fetch): bytes, or ``FetchError``."""
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, application/xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FetchError(f"answered {error.code}", status=error.code) from None
    except (TimeoutError, urllib.error.URLError, OSError):
        raise FetchError("did not answer in time") from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise FetchError("sent too much")
    return data


def _fetch(url: str) -> bytes:
    fetch = import_string(settings.PAPER_METADATA_FETCH)
    return fetch(url, timeout=settings.PAPER_METADATA_TIMEOUT)


# --- the whole paste ---------------------------------------------------------------------------


def look_up(references: list[Reference], *, user) -> dict[str, Metadata | str]:
    """Metadata, or a message for the author, per key of ``references`` (distinct keys).

    Raises ``RateLimited`` when the author may make none of the requests needed (nothing was
    asked); when the allowance runs out part way, the papers left get a message instead.
    """
    answers: dict[str, Metadata | str] = dict(_from_this_site(references))
    rest = [reference for reference in references if reference.key not in answers]
    answers.update(_from_cache(rest))
    rest = [reference for reference in rest if reference.key not in answers]
    arxiv_ids = [reference.ident for reference in rest if reference.kind == "arxiv"]
    others = [reference for reference in rest if reference.kind in ("doi", "openreview")]
    for reference in rest:
        if reference.kind == "url":
            answers[reference.key] = "There is nothing to look a plain link up in: fill it in."
    requests = ([("arxiv", arxiv_ids)] if arxiv_ids else []) + [
        (reference.kind, reference) for reference in others
    ]
    allowed, refused_wait = _allowance(user, len(requests))
    if requests and not allowed:
        raise RateLimited(
            f"You have looked up many papers lately; try again in {refused_wait} seconds.",
            retry_after=refused_wait,
        )
    for _, what in requests[allowed:]:
        for reference in _as_references(what, rest):
            answers[reference.key] = (
                f"Not looked up: too many look-ups lately (try again in {refused_wait} s)."
            )
    answers.update(_from_sources(requests[:allowed], rest))
    return answers


def _allowance(user, needed: int) -> tuple[int, int]:
    """How many of ``needed`` requests the author may make now, and the wait after that."""
    rate = ratelimit.Rate(settings.PAPER_LOOKUP_RATE_LIMIT, settings.PAPER_LOOKUP_RATE_WINDOW)
    for done in range(needed):
        wait = ratelimit.hit(RATE_SCOPE, str(user.pk), rate)
        if wait:
            return done, wait
    return needed, 0


def _as_references(what, references) -> list[Reference]:
    if isinstance(what, Reference):
        return [what]
    return [
        reference
        for reference in references
        if reference.kind == "arxiv" and reference.ident in what
    ]


def _from_sources(requests, references) -> dict[str, Metadata | str]:
    answers: dict[str, Metadata | str] = {}
    jobs = {"arxiv": _arxiv_batch, "doi": _crossref, "openreview": _openreview}
    with ThreadPoolExecutor(max_workers=PARALLEL_REQUESTS) as pool:
        futures = [(kind, what, pool.submit(jobs[kind], what)) for kind, what in requests]
        for kind, what, future in futures:
            if kind == "arxiv":
                for reference in _as_references(what, references):
                    answers[reference.key] = future.result().get(reference.ident)
            else:
                answers[what.key] = future.result()
    for key, answer in answers.items():
        if isinstance(answer, Metadata):
            cache.set(_cache_key(key), asdict(answer), CACHE_SECONDS)
    return answers


def _cache_key(key: str) -> str:
    return "paper-meta:" + key


def _from_cache(references) -> dict[str, Metadata]:
    keys = {_cache_key(reference.key): reference.key for reference in references}
    found = cache.get_many(list(keys))
    return {keys[name]: Metadata(**value) for name, value in found.items()}


def _from_this_site(references) -> dict[str, Metadata]:
    """The newest published entry of each paper covered before (one query)."""
    keys = {reference.key for reference in references}
    entries = (
        PaperEntry.objects.filter(published_filter("roundup__"), paper_key__in=keys)
        .order_by("paper_key", "-roundup__published_at", "-pk")
        .values("paper_key", "title", "authors", "year", "abstract")
    )
    found = {}
    for row in entries:
        key = row.pop("paper_key")
        found.setdefault(key, Metadata(**row, source="this site"))
    return found


# --- one source each ---------------------------------------------------------------------------


def _arxiv_batch(ids: list[str]) -> dict[str, Metadata | str]:
    """All arXiv ids in one request; a paper missing from the answer gets a message."""
    try:
        papers = arxiv.parse_entries(_fetch(arxiv.batch_url(ids)))
    except FetchError as error:
        logger.info("arXiv look-up of %d papers failed: %s", len(ids), error)
        return dict.fromkeys(ids, f"arXiv {error}; fill the fields by hand or try again.")
    except arxiv.ArxivError as error:
        return dict.fromkeys(ids, error.message)
    answers: dict[str, Metadata | str] = {}
    for paper_id in ids:
        paper = papers.get(paper_id)
        if paper is None:
            answers[paper_id] = f"arXiv has no paper {paper_id}."
        else:
            answers[paper_id] = Metadata(
                paper.title, paper.authors, paper.year, paper.abstract, "arXiv"
            )
    return answers


def _get_json(url: str, source: str, missing: str):
    """The JSON ``url`` answers, or the message for the author (``missing`` for a 404)."""
    try:
        return json.loads(_fetch(url))
    except FetchError as error:
        if error.status == 404:
            return missing
        logger.info("%s look-up failed: %s", source, error)
        return f"{source} {error}; fill the fields by hand or try again."
    except (ValueError, UnicodeDecodeError):
        return f"{source} sent an answer we could not read."


def _crossref(reference: Reference) -> Metadata | str:
    url = CROSSREF_URL + urllib.parse.quote(reference.ident, safe="")
    data = _get_json(url, "Crossref", f"Crossref has no record of the DOI {reference.ident}.")
    if isinstance(data, str):
        return data
    try:
        return crossref_metadata(data["message"])
    except (KeyError, TypeError, IndexError, AttributeError):
        return "Crossref sent an answer we could not read."


def crossref_metadata(message: dict) -> Metadata:
    """A Crossref work record (the ``message`` of ``/works/<doi>``)."""
    title = " ".join(" ".join(message.get("title") or [""]).split())
    if not title:
        raise KeyError("title")
    authors = []
    for person in message.get("author") or []:
        name = " ".join(part for part in (person.get("given"), person.get("family")) if part)
        authors.append(name or person.get("name", ""))
    year = None
    for field in ("published", "issued", "published-print", "published-online", "created"):
        parts = (message.get(field) or {}).get("date-parts") or [[None]]
        if parts[0] and isinstance(parts[0][0], int):
            year = parts[0][0]
            break
    abstract = html.unescape(_JATS_TAG.sub(" ", message.get("abstract") or ""))
    abstract = re.sub(r"^\s*Abstract\b[\s.:]*", "", " ".join(abstract.split()), flags=re.I)
    return Metadata(title, ", ".join(name for name in authors if name), year, abstract, "Crossref")


def _openreview(reference: Reference) -> Metadata | str:
    url = f"{OPENREVIEW_URL}?{urllib.parse.urlencode({'id': reference.ident})}"
    missing = f"OpenReview has no submission {reference.ident}."
    data = _get_json(url, "OpenReview", missing)
    if isinstance(data, str):
        return data
    try:
        notes = data["notes"]
        return openreview_metadata(notes[0]) if notes else missing
    except (KeyError, TypeError, IndexError, AttributeError):
        return "OpenReview sent an answer we could not read."


def openreview_metadata(note: dict) -> Metadata:
    """An OpenReview API v2 note: content fields are ``{"value": ...}``."""
    content = note["content"]

    def value(name, default=""):
        field = content.get(name)
        return field.get("value", default) if isinstance(field, dict) else default

    title = " ".join(str(value("title")).split())
    if not title:
        raise KeyError("title")
    year = None
    stamp = note.get("pdate") or note.get("odate") or note.get("cdate")
    if isinstance(stamp, int | float):
        year = datetime.fromtimestamp(stamp / 1000, tz=UTC).year
    else:
        found = _YEAR.search(str(value("venue")))
        year = int(found.group()) if found else None
    authors = ", ".join(str(name) for name in value("authors", []) or [])
    abstract = " ".join(str(value("abstract")).split())
    return Metadata(title, authors, year, abstract, "OpenReview")
