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

The reading itself is ``references.parse``, the parser the "paste links" box uses too, so every
spelling it accepts gives one key. The key is stored on ``PaperEntry.paper_key``; after changing
the parser, run ``manage.py papers_rekey`` to recompute stored keys.
"""

from . import references


def paper_key(url: str) -> str:
    """Normalize a paper link so the same paper gives the same key (see the module docstring)."""
    return references.paper_key(url)


def arxiv_id_from_key(key: str) -> str:
    """The arXiv id in an ``arxiv:`` key, or ``""`` for other keys."""
    return key[len("arxiv:") :] if key.startswith("arxiv:") else ""


def doi_from_key(key: str) -> str:
    """The DOI in a ``doi:`` key, or ``""`` for other keys."""
    return key[len("doi:") :] if key.startswith("doi:") else ""


def arxiv_id(url: str) -> str:
    """The canonical arXiv id a link points to, or ``""`` if it is not an arXiv link."""
    reference = references.parse(url)
    return reference.ident if reference and reference.kind == "arxiv" else ""
