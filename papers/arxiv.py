"""A small client for the arXiv API: the metadata of one paper by its id.

https://info.arxiv.org/help/api/ : ``/api/query?id_list=<id>`` answers with an Atom feed. The call
has a short timeout because an author is waiting on the form; successful answers are cached,
since arXiv asks clients to space their requests and metadata does not change between versions
often enough to matter for a roundup.
"""

import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass

from django.core.cache import cache

from forum.errors import InvalidInput, ServiceError, Unavailable
from forum.errors import NotFound as NotFoundError
from roundups.papers import arxiv_id

API_URL = "https://export.arxiv.org/api/query"
TIMEOUT_SECONDS = 5  # the author is waiting; arXiv usually answers in well under a second
MAX_RESPONSE_BYTES = 1_000_000  # one entry is a few kB; more means something is wrong
CACHE_SECONDS = 24 * 60 * 60  # a day: metadata rarely changes, and arXiv asks for few requests
USER_AGENT = "Roundups/0.1 (paper roundup forum; metadata lookup for authors)"

_ATOM = "{http://www.w3.org/2005/Atom}"
_ERROR_ID = re.compile(r"/api/errors")


class ArxivError(ServiceError):
    """A lookup failed; ``message`` is for the author, ``status`` for the HTTP answer.

    This one (502) is an answer arXiv sent that we cannot read; the kinds below say more.
    """

    status = 502


class BadLink(ArxivError, InvalidInput):
    """What the author pasted is not an arXiv link."""

    status = 400


class NotFound(ArxivError, NotFoundError):
    """arXiv has no such paper."""

    status = 404


class Unreachable(ArxivError, Unavailable):
    """arXiv did not answer (in time); a gateway timeout, as the form's fill button reports."""

    status = 504


@dataclass(frozen=True)
class ArxivPaper:
    arxiv_id: str
    title: str
    authors: str  # comma-separated, as the roundup form takes them
    abstract: str
    year: int | None

    def as_dict(self) -> dict:
        return asdict(self)


def _text(element) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _read(data: bytes):
    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data:
        # The API never sends a DTD; refusing one avoids entity-expansion tricks.
        raise ArxivError("arXiv sent an answer we could not read.")
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        raise ArxivError("arXiv sent an answer we could not read.") from None


def _paper(entry, paper_id: str) -> ArxivPaper | None:
    """One Atom entry as a paper, or None for the API's error entry."""
    entry_id = _text(entry.find(f"{_ATOM}id"))
    title = _text(entry.find(f"{_ATOM}title"))
    if _ERROR_ID.search(entry_id) or not title or title == "Error":
        return None
    authors = [_text(author.find(f"{_ATOM}name")) for author in entry.findall(f"{_ATOM}author")]
    published = _text(entry.find(f"{_ATOM}published"))
    return ArxivPaper(
        arxiv_id=paper_id,
        title=title,
        authors=", ".join(name for name in authors if name),
        abstract=_text(entry.find(f"{_ATOM}summary")),
        year=int(published[:4]) if published[:4].isdigit() else None,
    )


def parse_feed(data: bytes, wanted_id: str) -> ArxivPaper:
    """The paper in an API answer, or ``NotFound``/``ArxivError``."""
    entry = _read(data).find(f"{_ATOM}entry")
    paper = _paper(entry, wanted_id) if entry is not None else None
    if paper is None:
        raise NotFound(f"arXiv has no paper {wanted_id}.")
    return paper


def batch_url(paper_ids) -> str:
    """One ``id_list`` query for several papers (the API answers them all in one feed)."""
    ids = list(paper_ids)
    return (
        f"{API_URL}?{urllib.parse.urlencode({'id_list': ','.join(ids), 'max_results': len(ids)})}"
    )


def parse_entries(data: bytes) -> dict[str, ArxivPaper]:
    """Every paper in a batched answer, by canonical id (entries' ids carry a version)."""
    found = {}
    for entry in _read(data).findall(f"{_ATOM}entry"):
        paper_id = arxiv_id(_text(entry.find(f"{_ATOM}id")))
        paper = _paper(entry, paper_id) if paper_id else None
        if paper is not None:
            found[paper_id] = paper
    return found


def _fetch(paper_id: str) -> bytes:
    url = f"{API_URL}?{urllib.parse.urlencode({'id_list': paper_id, 'max_results': 1})}"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code == 400:  # arXiv answers 400 for an id it cannot parse
            raise NotFound(f"arXiv has no paper {paper_id}.") from None
        raise Unreachable(
            f"arXiv answered with an error ({error.code}); try again later."
        ) from None
    except (TimeoutError, urllib.error.URLError, OSError):
        raise Unreachable(
            "arXiv did not answer in time; try again later or fill the fields by hand."
        ) from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise ArxivError("arXiv sent an answer we could not read.")
    return data


def lookup(link: str) -> ArxivPaper:
    """Metadata for an arXiv link (any form paper_key accepts) or ``ArxivError``."""
    paper_id = arxiv_id(link or "")
    if not paper_id:
        raise BadLink("That is not an arXiv link: paste one like https://arxiv.org/abs/2101.00001.")
    cache_key = f"arxiv:meta:{paper_id}"
    cached = cache.get(cache_key)
    if cached:
        return ArxivPaper(**cached)
    paper = parse_feed(_fetch(paper_id), paper_id)
    cache.set(cache_key, paper.as_dict(), CACHE_SECONDS)
    return paper
