"""The reference parser: what paper a piece of text names, and every paper named in a paste.

One parser serves two callers. ``PaperEntry.paper_key`` (``roundups/papers.py``) reads the link an
entry stores; the "paste links, get entries" box (``papers/paste.py``) reads whatever an author
pasted, one reference per line or mixed into prose. Because both go through ``parse``, every
spelling the paste box accepts gives the key a stored entry of the same paper has.

``parse(text)`` reads exactly one reference and answers a ``Reference`` (or None):

* arXiv: abs, pdf, html and export links, mirrors, ``arXiv:2202.05262``, bare ``2202.05262v2``
  and old-style ``hep-th/9901001`` (``math.GT/0309136``), arXiv's own DOIs: key
  ``arxiv:<id>`` in arXiv's canonical spelling (no version);
* DOIs: doi.org and dx.doi.org links (with the trailing slash resolvers add), ``doi:10...``, bare
  ``10.1145/...``, publishers' ``/doi/10...`` pages: key ``doi:<doi>``, lower-cased (DOIs are
  case-insensitive);
* OpenReview forum and pdf pages: key ``openreview:<id>``;
* any other http(s) URL: key is the URL without scheme, ``www.``, default port, fragment, trailing
  slash and tracking parameters, remaining query parameters sorted (``example.org/paper?id=3``).

``find(text)`` scans a paste and answers each reference found, with its line, in the order written.

This module imports nothing from Django or the apps, so any layer may use it.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# New-style arXiv ids (0704.0001 onwards: 4+4 digits until 2014, 4+5 since), optionally v2.
_ARXIV_NEW = re.compile(r"(?P<id>\d{4}\.\d{4,5})(?:v\d+)?", re.I)
# Old-style ids (before April 2007): archive, optional subject class, 7 digits: math.GT/0309136.
_ARXIV_OLD = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.(?P<cls>[a-z]{2}))?/(?P<num>\d{7})(?:v\d+)?", re.I
)
_ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org", "xxx.lanl.gov"}
# Mirrors whose /papers/<id> pages are arXiv papers under another roof.
_ARXIV_ID_PATHS = {"huggingface.co": "/papers/", "alphaxiv.org": "/abs/"}
_ARXIV_PATH_PREFIX = re.compile(r"^/(?:abs|pdf|html|format|ps)/", re.I)

# A DOI is "10.<registrant>/<suffix>"; the suffix may hold almost anything but whitespace.
_DOI_BODY = r"10\.\d{4,9}/\S+"
_DOI_PREFIXED = re.compile(r"doi:\s*(?P<doi>" + _DOI_BODY + ")", re.I)
_DOI_HOSTS = {"doi.org", "dx.doi.org"}
# Publishers that put the DOI in the path: ACM, Wiley, Science, PNAS, T&F, SAGE use /doi/...,
# optionally after abs/full/pdf/epdf; Springer uses /article/, /chapter/ and /content/pdf/.
_DOI_IN_PATH = re.compile(
    r"/(?:doi(?:/(?:abs|full|pdf|epdf|reader))?|article|chapter|content/pdf)/(?P<doi>"
    + _DOI_BODY
    + ")",
    re.I,
)
# Punctuation that follows a DOI pasted from prose, and the slash that resolvers and browsers add
# to a link: never part of a DOI (DOI suffixes may hold "/", but none ends with one that matters).
_DOI_TRAILING = ".,;)]/"
_ARXIV_DOI_PREFIX = "10.48550/arxiv."  # the DOIs arXiv registers for its own papers

# Query parameters that say where a click came from, never which paper it is.
_TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|si|trk|_hsenc|_hsmi)$", re.I
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# What ``find`` looks for in free text, most specific first; alternatives never overlap because
# the scan consumes each match. Bare new-style ids need a real month (01-12) so that numbers such
# as "2023.12345" in prose are not taken for papers; old-style ones need an archive name before.
_FIND = re.compile(
    r"""
    (?P<url>(?:https?://|www\.|(?:export\.)?arxiv\.org/|(?:dx\.)?doi\.org/)[^\s<>"']+)
  | (?P<arxiv>arxiv:\s*(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?)
  | (?P<doi>(?:doi:\s*)?\b10\.\d{4,9}/[^\s<>"']+)
  | (?P<new>(?<![\w./])\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}(?:v\d+)?(?![\w/]))
  | (?P<old>(?<![\w./-])[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3}(?:v\d+)?\b)
    """,
    re.I | re.X,
)
# Prose punctuation after a link: dropped, except a ")" that closes a "(" inside the link.
_TRAILING_PROSE = ".,;:!?'\"*_>]"


@dataclass(frozen=True)
class Reference:
    """One paper, as the parser read it.

    ``kind`` is ``arxiv``, ``doi``, ``openreview`` or ``url``; ``ident`` the arXiv id, the DOI (as
    written), the OpenReview id or the URL; ``key`` the ``paper_key``; ``link`` the URL an entry
    stores for it (the canonical page for ids, the URL itself for plain links).
    """

    kind: str
    ident: str
    key: str
    link: str


@dataclass(frozen=True)
class Found:
    """A reference found in a paste: its 1-based line, the text as written, and what it names."""

    line: int
    text: str
    reference: Reference


# --- one reference -----------------------------------------------------------------------------


def parse(text: str) -> Reference | None:
    """The paper ``text`` names on its own (a link, an id, a DOI), or None for blank text.

    Text that is none of the known forms is read as a plain URL, as ``paper_key`` always did; the
    paste box only hands this function what ``find`` matched.
    """
    text = (text or "").strip()
    if not text:
        return None
    return _arxiv(text) or _doi(text) or _openreview(text) or _plain(text)


def paper_key(text: str) -> str:
    """The key of the paper ``text`` names, or ``""`` for blank text."""
    reference = parse(text)
    return reference.key if reference else ""


def arxiv_link(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def doi_link(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def openreview_link(note_id: str) -> str:
    return "https://openreview.net/forum?id=" + quote(note_id, safe="-_")


def canonical_arxiv(text: str) -> str:
    """arXiv's own spelling of the id ``text`` is (any version), or ``""``."""
    found = _ARXIV_NEW.fullmatch(text)
    if found:
        return found.group("id")
    found = _ARXIV_OLD.fullmatch(text)
    if found:
        # arXiv writes the archive in lower case and the subject class in upper case.
        cls = f".{found.group('cls').upper()}" if found.group("cls") else ""
        return f"{found.group('archive').lower()}{cls}/{found.group('num')}"
    return ""


def _arxiv_reference(arxiv_id: str) -> Reference | None:
    if not arxiv_id:
        return None
    return Reference("arxiv", arxiv_id, f"arxiv:{arxiv_id}", arxiv_link(arxiv_id))


def _split(url: str):
    return urlsplit(url if "://" in url else "https://" + url)


def _host(parts) -> str:
    host = (parts.hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _host_and_path(url: str) -> tuple[str, str]:
    """The link's host (no ``www.``) and its unquoted path; two blanks for a malformed link."""
    try:
        parts = _split(url)
        return _host(parts), unquote(parts.path)
    except ValueError:
        return "", ""


def _arxiv(text: str) -> Reference | None:
    if text.lower().startswith("arxiv:"):
        return _arxiv_reference(canonical_arxiv(text[len("arxiv:") :].strip()))
    bare = canonical_arxiv(text)  # a bare id pasted on its own
    if bare or "/" not in text and "." not in text:
        return _arxiv_reference(bare)
    host, path = _host_and_path(text)
    if host in _ARXIV_HOSTS:
        tail = _ARXIV_PATH_PREFIX.sub("", path)
    elif host in _ARXIV_ID_PATHS and path.startswith(_ARXIV_ID_PATHS[host]):
        tail = path[len(_ARXIV_ID_PATHS[host]) :]
    else:
        return None
    tail = re.sub(r"\.pdf$", "", tail.strip("/"), flags=re.I)
    return _arxiv_reference(canonical_arxiv(tail))


def _doi_reference(doi: str) -> Reference:
    doi = unquote(doi).split("#", 1)[0].rstrip(_DOI_TRAILING)
    if doi.lower().startswith(_ARXIV_DOI_PREFIX):
        # arXiv's own DataCite DOIs name the same paper as its arXiv id.
        as_arxiv = _arxiv_reference(canonical_arxiv(doi[len(_ARXIV_DOI_PREFIX) :]))
        if as_arxiv:
            return as_arxiv
    return Reference("doi", doi, "doi:" + doi.lower(), doi_link(doi))


def _doi(text: str) -> Reference | None:
    if text[:4].lower() == "doi:" and "://" in text:  # "doi: https://doi.org/10.x/y", as cited
        text = text[4:].strip()
    prefixed = _DOI_PREFIXED.fullmatch(text)
    if prefixed:
        return _doi_reference(prefixed.group("doi"))
    if re.fullmatch(_DOI_BODY, text):  # a bare DOI
        return _doi_reference(text)
    host, path = _host_and_path(text)
    if host in _DOI_HOSTS:
        found = re.fullmatch("/(?:doi:)?(?P<doi>" + _DOI_BODY + ")", path, flags=re.I)
        return _doi_reference(found.group("doi")) if found else None
    found = _DOI_IN_PATH.search(path)
    if found:
        # Publishers add "/full" or a file name after the DOI only for pdf/epdf views, which
        # _DOI_BODY would swallow; they never end a DOI with ".pdf".
        return _doi_reference(re.sub(r"\.pdf$", "", found.group("doi"), flags=re.I))
    return None


def _openreview(text: str) -> Reference | None:
    try:
        parts = _split(text)
    except ValueError:
        return None
    if _host(parts) != "openreview.net" or parts.path.rstrip("/") not in ("/forum", "/pdf"):
        return None
    submission = dict(parse_qsl(parts.query)).get("id", "").strip()
    if not submission:
        return None
    key = f"openreview:{submission}"
    return Reference("openreview", submission, key, openreview_link(submission))


def _plain(text: str) -> Reference:
    return Reference("url", text, _url_key(text), text)


def _url_key(url: str) -> str:
    try:
        parts = _split(url)
        host = _host(parts)
        port = parts.port
    except ValueError:  # not a URL at all (bad port, bad IPv6): keep it as typed
        return url.lower()
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(name)
    )
    key = host + path
    if query:
        key += "?" + urlencode(query)
    return key


# --- references in free text -------------------------------------------------------------------


def find(text: str) -> list[Found]:
    """Every reference in ``text``, in the order written, each with its 1-based line number.

    A line may hold several (``see arXiv:1706.03762 and 10.1145/3442188.3445922``); prose around
    them is ignored. Links without a scheme are read only on arXiv's and doi.org's hosts and after
    ``www.``; a plain link elsewhere needs its ``http(s)://``.
    """
    found = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        for match in _FIND.finditer(line):
            token = _trim(match.group())
            if match.lastgroup == "url" and "://" not in token:
                token = "https://" + token
            reference = parse(token)
            if reference is not None:
                found.append(Found(number, token, reference))
    return found


def _trim(token: str) -> str:
    """A link cut out of prose without the punctuation after it ("see <url>)." -> "<url>")."""
    while token:
        last = token[-1]
        if last in _TRAILING_PROSE:
            token = token[:-1]
        elif last == ")" and token.count("(") < token.count(")"):
            token = token[:-1]
        else:
            break
    return token
