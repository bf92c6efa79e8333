"""Recorded answers of arXiv, Crossref and OpenReview, replayed in place of the network.

``fetch`` is what ``settings.PAPER_METADATA_FETCH`` names in tests (the ``recorded_metadata``
fixture in tests/conftest.py sets it, for the browser tests' live server too). It answers:

- an arXiv ``/api/query`` with ``fixtures/metadata/arxiv_batch.xml``, a feed holding every paper the
  tests paste (arXiv answers only the ids asked; the parser keeps only those asked, too);
- Crossref ``/works/<doi>`` with ``crossref_<doi, "/" as "_">.json`` if recorded, else 404;
- OpenReview ``/notes?id=<id>`` with ``openreview_<id>.json`` if recorded, else ``{"notes": []}``.

The files are written in the documented formats (see fixtures/README.md). ``failing`` names
sources that time out instead, to test failures; ``requests`` keeps every URL asked for.
"""

import urllib.parse
from pathlib import Path

from papers.metadata import FetchError

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


class Recorded:
    def __init__(self):
        self.requests: list[str] = []
        self.failing: set[str] = set()

    def reset(self):
        self.requests.clear()
        self.failing.clear()

    def __call__(self, url: str, *, timeout: float) -> bytes:
        assert timeout and timeout <= 10, "every look-up has a short timeout"
        self.requests.append(url)
        parts = urllib.parse.urlsplit(url)
        source = {
            "export.arxiv.org": "arxiv",
            "api.crossref.org": "crossref",
            "api2.openreview.net": "openreview",
        }[parts.hostname]
        if source in self.failing:
            raise FetchError("did not answer in time")
        if source == "arxiv":
            return (FIXTURES / "arxiv_batch.xml").read_bytes()
        if source == "crossref":
            doi = urllib.parse.unquote(parts.path.removeprefix("/works/"))
            path = FIXTURES / f"crossref_{doi.lower().replace('/', '_')}.json"
            if not path.exists():
                raise FetchError("answered 404", status=404)
            return path.read_bytes()
        note = dict(urllib.parse.parse_qsl(parts.query)).get("id", "")
        path = FIXTURES / f"openreview_{note}.json"
        return path.read_bytes() if path.exists() else b'{"notes": [], "count": 0}'


fetch = Recorded()


# Ten references as an author pastes them: links, bare ids, DOIs in three spellings, OpenReview,
# a plain link of a paper a published roundup covered before, prose around some of them.
TEN_REFERENCES = """\
This week's reading:
https://arxiv.org/abs/1706.03762v5
arXiv:2202.05262 (ROME) and 2203.02155v1
hep-th/9901001
https://arxiv.org/pdf/2001.08361.pdf
Stochastic parrots: https://doi.org/10.1145/3442188.3445922/
doi:10.1038/nature14539
https://openreview.net/forum?id=YicbFdNTTy
https://example.org/papers/fast-things
1512.03385
"""
# What each becomes, in paste order: (title, link).
TEN_PAPERS = [
    ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"),
    ("Locating and Editing Factual Associations in GPT", "https://arxiv.org/abs/2202.05262"),
    (
        "Training language models to follow instructions with human feedback",
        "https://arxiv.org/abs/2203.02155",
    ),
    ("Strings, Branes & Dualities: a <Review>", "https://arxiv.org/abs/hep-th/9901001"),
    ("Scaling Laws for Neural Language Models", "https://arxiv.org/abs/2001.08361"),
    (
        "On the Dangers of Stochastic Parrots: Can Language Models Be Too Big? \U0001f99c",
        "https://doi.org/10.1145/3442188.3445922",
    ),
    ("Deep learning", "https://doi.org/10.1038/nature14539"),
    (
        "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        "https://openreview.net/forum?id=YicbFdNTTy",
    ),
    ("Fast Things, Measured", "https://example.org/papers/fast-things"),
    ("Deep Residual Learning for Image Recognition", "https://arxiv.org/abs/1512.03385"),
]
# The plain link's paper, as a published roundup covered it before (the only source for it).
COVERED_BEFORE = {
    "title": "Fast Things, Measured",
    "url": "https://www.example.org/papers/fast-things/",
    "authors": "Grace Hopper, Edsger Dijkstra",
    "year": 2024,
    "abstract": "How fast things are, measured carefully.",
}
