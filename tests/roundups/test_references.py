"""The reference parser: one reading of a paper for paper_key and for the paste box."""

import pytest

from roundups import references
from roundups.papers import paper_key

# Every spelling the issue names, each with the key and the link an entry gets.
SPELLINGS = [
    ("https://arxiv.org/abs/2202.05262", "arxiv:2202.05262", "https://arxiv.org/abs/2202.05262"),
    ("https://arxiv.org/pdf/2202.05262v2.pdf", "arxiv:2202.05262", None),
    ("arXiv:2202.05262", "arxiv:2202.05262", None),
    ("2202.05262v2", "arxiv:2202.05262", None),
    ("hep-th/9901001", "arxiv:hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"),
    ("https://doi.org/10.1145/3442188.3445922/", "doi:10.1145/3442188.3445922", None),
    ("doi:10.1145/3442188.3445922", "doi:10.1145/3442188.3445922", None),
    (
        "10.1145/3442188.3445922",
        "doi:10.1145/3442188.3445922",
        "https://doi.org/10.1145/3442188.3445922",
    ),
    (
        "https://openreview.net/forum?id=YicbFdNTTy",
        "openreview:YicbFdNTTy",
        "https://openreview.net/forum?id=YicbFdNTTy",
    ),
    ("https://openreview.net/pdf?id=YicbFdNTTy", "openreview:YicbFdNTTy", None),
    (
        "https://example.org/papers/fast-things/",
        "example.org/papers/fast-things",
        "https://example.org/papers/fast-things/",
    ),
]


@pytest.mark.parametrize(("text", "key", "link"), SPELLINGS)
def test_parse_gives_the_key_paper_key_stores_and_a_link(text, key, link):
    reference = references.parse(text)
    assert reference.key == key
    assert paper_key(text) == key  # the same parser backs paper_key
    if link:
        assert reference.link == link
    # The link an entry stores for the paper reads back as the same paper.
    assert paper_key(reference.link) == key


def test_a_doi_keeps_its_case_in_the_link_but_not_in_the_key():
    reference = references.parse("doi:10.1038/NATURE14539")
    assert (reference.kind, reference.ident) == ("doi", "10.1038/NATURE14539")
    assert reference.key == "doi:10.1038/nature14539"
    assert reference.link == "https://doi.org/10.1038/NATURE14539"


def test_blank_is_nothing():
    assert references.parse("  ") is None
    assert references.find("") == []


MIXED = """\
This week:
https://arxiv.org/abs/1706.03762v5, then arXiv:2202.05262 and (see 10.1145/3442188.3445922).
2202.05262v2
Old one: hep-th/9901001; a DOI link https://doi.org/10.1038/nature14539/.
[Forum](https://openreview.net/forum?id=YicbFdNTTy) and https://example.org/paper?id=3&utm_source=x
In 2023.12345 people met; version 1.2/3 is not a paper; nor is 10/2020.
arxiv.org/abs/2001.08361 doi:10.1000/xyz123.
"""


def test_find_reads_every_reference_in_mixed_text_in_order():
    found = references.find(MIXED)
    assert [(item.line, item.reference.key) for item in found] == [
        (2, "arxiv:1706.03762"),
        (2, "arxiv:2202.05262"),
        (2, "doi:10.1145/3442188.3445922"),
        (3, "arxiv:2202.05262"),
        (4, "arxiv:hep-th/9901001"),
        (4, "doi:10.1038/nature14539"),
        (5, "openreview:YicbFdNTTy"),
        (5, "example.org/paper?id=3"),
        (7, "arxiv:2001.08361"),
        (7, "doi:10.1000/xyz123"),
    ]
    assert found[0].text == "https://arxiv.org/abs/1706.03762v5"
    assert found[2].text == "10.1145/3442188.3445922"  # the ")." after it is prose
    assert found[6].text == "https://openreview.net/forum?id=YicbFdNTTy"


def test_find_keeps_parentheses_that_belong_to_the_link():
    found = references.find("See https://en.wikipedia.org/wiki/Transformer_(model).")
    assert found[0].text == "https://en.wikipedia.org/wiki/Transformer_(model)"
