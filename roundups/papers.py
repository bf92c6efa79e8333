"""Recognizing the same paper across roundups from the links authors paste."""

import re
from urllib.parse import urlsplit, urlunsplit

# New-style arXiv ids (2101.00001, optionally v2) and old-style ones (hep-th/9901001).
_ARXIV_NEW = re.compile(r"(?P<id>\d{4}\.\d{4,5})(?:v\d+)?", re.I)
_ARXIV_OLD = re.compile(r"(?P<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}
_DOI = re.compile(r"(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/\S+)", re.I)


def paper_key(url: str) -> str:
    """Normalize a paper link: ``arxiv:<id>``, ``doi:<doi>`` or the bare URL without scheme.

    Versions, ``abs``/``pdf`` forms, ``.pdf`` suffixes, query strings, fragments and ``www.`` do
    not make two papers different.
    """
    url = (url or "").strip()
    if not url:
        return ""
    doi = _DOI.match(url)
    if doi:
        return "doi:" + doi.group("doi").rstrip(".").lower()
    if url.lower().startswith("arxiv:"):
        rest = url[6:].strip()
        for pattern in (_ARXIV_NEW, _ARXIV_OLD):
            found = pattern.fullmatch(rest)
            if found:
                return "arxiv:" + found.group("id").lower()
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower()
    path = parts.path
    if host in _ARXIV_HOSTS:
        tail = re.sub(r"^/(abs|pdf|html|format)/", "", path)
        tail = re.sub(r"\.pdf$", "", tail, flags=re.I).strip("/")
        for pattern in (_ARXIV_NEW, _ARXIV_OLD):
            found = pattern.fullmatch(tail)
            if found:
                return "arxiv:" + found.group("id").lower()
    if host.startswith("www."):
        host = host[4:]
    path = path.rstrip("/") or ""
    return urlunsplit(("", host, path, parts.query, "")).lstrip("/")
