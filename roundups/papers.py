"""Recognizing the same paper across roundups from the links authors paste.

``paper_key(url)`` gives one of:

* ``arxiv:<id>`` for any arXiv link (abs, pdf, html, export mirror, "arXiv:" prefix, with or without
  a version), in arXiv's canonical spelling: ``2101.00001`` or ``math.GT/0309136``;
* ``doi:<doi>`` for a DOI in any of its forms (doi.org, dx.doi.org, "doi:", a publisher's
  ``/doi/10.x/...`` page), lower-cased because DOIs are case-insensitive, without the trailing
  slash a resolver link often carries;
* ``openreview:<id>`` for OpenReview's forum and pdf pages of one submission;
* otherwise the URL without scheme, ``www.``, default port, fragment, trailing slash and tracking
  parameters, with the remaining query parameters sorted (``example.org/paper?id=3``).

The key is stored on ``PaperEntry.paper_key``; after changing this function, run
``manage.py papers_rekey`` to recompute stored keys.
"""

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

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


def paper_key(url: str) -> str:
    """Normalize a paper link so the same paper gives the same key (see the module docstring)."""
    url = (url or "").strip()
    if not url:
        return ""
    return _arxiv_key(url) or _doi_key(url) or _openreview_key(url) or _url_key(url)


def arxiv_id_from_key(key: str) -> str:
    """The arXiv id in an ``arxiv:`` key, or ``""`` for other keys."""
    return key[len("arxiv:") :] if key.startswith("arxiv:") else ""


def doi_from_key(key: str) -> str:
    """The DOI in a ``doi:`` key, or ``""`` for other keys."""
    return key[len("doi:") :] if key.startswith("doi:") else ""


def arxiv_id(url: str) -> str:
    """The canonical arXiv id a link points to, or ``""`` if it is not an arXiv link."""
    return arxiv_id_from_key(_arxiv_key((url or "").strip()))


def _canonical_arxiv(text: str) -> str:
    """``arxiv:<id>`` if ``text`` is exactly an arXiv id (any version), else ``""``."""
    found = _ARXIV_NEW.fullmatch(text)
    if found:
        return "arxiv:" + found.group("id")
    found = _ARXIV_OLD.fullmatch(text)
    if found:
        # arXiv writes the archive in lower case and the subject class in upper case.
        cls = f".{found.group('cls').upper()}" if found.group("cls") else ""
        return f"arxiv:{found.group('archive').lower()}{cls}/{found.group('num')}"
    return ""


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


def _arxiv_key(url: str) -> str:
    if url.lower().startswith("arxiv:"):
        return _canonical_arxiv(url[len("arxiv:") :].strip())
    bare = _canonical_arxiv(url)  # a bare id pasted on its own
    if bare or "/" not in url and "." not in url:
        return bare
    host, path = _host_and_path(url)
    if host in _ARXIV_HOSTS:
        tail = _ARXIV_PATH_PREFIX.sub("", path)
    elif host in _ARXIV_ID_PATHS and path.startswith(_ARXIV_ID_PATHS[host]):
        tail = path[len(_ARXIV_ID_PATHS[host]) :]
    else:
        return ""
    tail = re.sub(r"\.pdf$", "", tail.strip("/"), flags=re.I)
    return _canonical_arxiv(tail)


def _clean_doi(doi: str) -> str:
    doi = unquote(doi).split("#", 1)[0].rstrip(_DOI_TRAILING)
    if doi.lower().startswith(_ARXIV_DOI_PREFIX):
        # arXiv's own DataCite DOIs name the same paper as its arXiv id.
        as_arxiv = _canonical_arxiv(doi[len(_ARXIV_DOI_PREFIX) :])
        if as_arxiv:
            return as_arxiv
    return "doi:" + doi.lower()


def _doi_key(url: str) -> str:
    if url[:4].lower() == "doi:" and "://" in url:  # "doi: https://doi.org/10.x/y", as cited
        url = url[4:].strip()
    prefixed = _DOI_PREFIXED.fullmatch(url)
    if prefixed:
        return _clean_doi(prefixed.group("doi"))
    if re.fullmatch(_DOI_BODY, url):  # a bare DOI
        return _clean_doi(url)
    host, path = _host_and_path(url)
    if host in _DOI_HOSTS:
        found = re.fullmatch("/(?:doi:)?(?P<doi>" + _DOI_BODY + ")", path, flags=re.I)
        return _clean_doi(found.group("doi")) if found else ""
    found = _DOI_IN_PATH.search(path)
    if found:
        # Publishers add "/full" or a file name after the DOI only for pdf/epdf views, which
        # _DOI_BODY would swallow; they never end a DOI with ".pdf".
        return _clean_doi(re.sub(r"\.pdf$", "", found.group("doi"), flags=re.I))
    return ""


def _openreview_key(url: str) -> str:
    try:
        parts = _split(url)
    except ValueError:
        return ""
    if _host(parts) != "openreview.net" or parts.path.rstrip("/") not in ("/forum", "/pdf"):
        return ""
    submission = dict(parse_qsl(parts.query)).get("id", "").strip()
    return f"openreview:{submission}" if submission else ""


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
