"""paper_key: every way authors paste the same paper must give the same key."""

import pytest

from roundups.papers import arxiv_id, arxiv_id_from_key, doi_from_key, paper_key

ATTENTION = "arxiv:1706.03762"
OLD_STYLE = "arxiv:hep-th/9901001"
WITH_CLASS = "arxiv:math.GT/0309136"
DOI = "doi:10.1145/3290605.3300857"
STOCHASTIC_PARROTS = "doi:10.1145/3442188.3445922"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        # arXiv: abs, pdf, html, with and without versions and .pdf, mirrors, prefixes, schemes.
        ("https://arxiv.org/abs/1706.03762", ATTENTION),
        ("https://arxiv.org/abs/1706.03762v5", ATTENTION),
        ("http://arxiv.org/abs/1706.03762v1", ATTENTION),
        ("https://arxiv.org/pdf/1706.03762", ATTENTION),
        ("https://arxiv.org/pdf/1706.03762v7.pdf", ATTENTION),
        ("https://arxiv.org/pdf/1706.03762.PDF", ATTENTION),
        ("https://www.arxiv.org/abs/1706.03762/", ATTENTION),
        ("https://export.arxiv.org/abs/1706.03762v2", ATTENTION),
        ("https://arxiv.org/html/1706.03762v3", ATTENTION),
        ("https://arxiv.org/abs/1706.03762?context=cs.CL#S2", ATTENTION),
        ("arXiv:1706.03762", ATTENTION),
        ("arxiv: 1706.03762v2", ATTENTION),
        ("ARXIV:1706.03762", ATTENTION),
        ("1706.03762v4", ATTENTION),
        ("arxiv.org/abs/1706.03762", ATTENTION),
        ("  https://arxiv.org/abs/1706.03762  ", ATTENTION),
        ("https://huggingface.co/papers/1706.03762", ATTENTION),
        ("https://doi.org/10.48550/arXiv.1706.03762", ATTENTION),
        # Five-digit new-style ids (since 2015) keep all their digits.
        ("https://arxiv.org/abs/2401.00001v1", "arxiv:2401.00001"),
        # Old-style ids: archive in lower case, subject class in upper case, as arXiv writes them.
        ("https://arxiv.org/abs/hep-th/9901001", OLD_STYLE),
        ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", OLD_STYLE),
        ("arXiv:hep-th/9901001v1", OLD_STYLE),
        ("https://arxiv.org/abs/math.GT/0309136", WITH_CLASS),
        ("https://arxiv.org/abs/math.gt/0309136v1", WITH_CLASS),
        ("arxiv:MATH.GT/0309136", WITH_CLASS),
        # DOIs: doi.org, dx.doi.org, www, "doi:" prefix, case, percent-encoding, prose punctuation.
        ("https://doi.org/10.1145/3290605.3300857", DOI),
        ("http://dx.doi.org/10.1145/3290605.3300857", DOI),
        ("https://www.doi.org/10.1145/3290605.3300857", DOI),
        ("doi:10.1145/3290605.3300857", DOI),
        ("DOI: 10.1145/3290605.3300857.", DOI),
        ("https://doi.org/10.1145%2F3290605.3300857", DOI),
        ("10.1145/3290605.3300857", DOI),
        ("https://doi.org/10.1038/NATURE14539", "doi:10.1038/nature14539"),
        ("doi:10.1038/nature14539", "doi:10.1038/nature14539"),
        # A resolver link's trailing slash is not part of the DOI (issue #17, item 10).
        ("https://doi.org/10.1145/3442188.3445922/", STOCHASTIC_PARROTS),
        ("https://doi.org/10.1145/3442188.3445922//", STOCHASTIC_PARROTS),
        ("http://dx.doi.org/10.1145/3442188.3445922/", STOCHASTIC_PARROTS),
        ("doi.org/10.1145/3442188.3445922/", STOCHASTIC_PARROTS),
        ("doi:10.1145/3442188.3445922/", STOCHASTIC_PARROTS),
        ("DOI: 10.1145/3442188.3445922/.", STOCHASTIC_PARROTS),
        ("10.1145/3442188.3445922/", STOCHASTIC_PARROTS),
        ("https://dl.acm.org/doi/10.1145/3442188.3445922/", STOCHASTIC_PARROTS),
        ("https://dx.doi.org/10.1145/3442188.3445922/?utm_source=x", STOCHASTIC_PARROTS),
        # "doi:" written before a resolver link, or inside its path.
        ("doi: https://doi.org/10.1145/3442188.3445922", STOCHASTIC_PARROTS),
        ("https://doi.org/doi:10.1145/3442188.3445922", STOCHASTIC_PARROTS),
        ("https://doi.org/10.48550/arXiv.1706.03762/", ATTENTION),
        # Publisher pages that carry the DOI in their path.
        ("https://dl.acm.org/doi/10.1145/3290605.3300857", DOI),
        ("https://dl.acm.org/doi/pdf/10.1145/3290605.3300857", DOI),
        (
            "https://link.springer.com/article/10.1007/s11263-015-0816-y",
            "doi:10.1007/s11263-015-0816-y",
        ),
        (
            "https://link.springer.com/content/pdf/10.1007/s11263-015-0816-y.pdf",
            "doi:10.1007/s11263-015-0816-y",
        ),
        # OpenReview: the forum and the pdf of one submission.
        ("https://openreview.net/forum?id=YicbFdNTTy", "openreview:YicbFdNTTy"),
        ("https://openreview.net/pdf?id=YicbFdNTTy&noteId=x", "openreview:YicbFdNTTy"),
        # Plain URLs: no scheme, no www., no fragment, no trailing slash, no tracking parameters.
        ("https://example.org/papers/fast-things/", "example.org/papers/fast-things"),
        ("http://www.example.org/papers/fast-things", "example.org/papers/fast-things"),
        ("https://EXAMPLE.org/papers/fast-things#results", "example.org/papers/fast-things"),
        ("https://example.org:443/papers/fast-things", "example.org/papers/fast-things"),
        ("https://example.org:8443/paper", "example.org:8443/paper"),
        ("https://example.org/paper?utm_source=x&utm_medium=y", "example.org/paper"),
        ("https://example.org/view?b=2&a=1&fbclid=z", "example.org/view?a=1&b=2"),
        ("https://example.org/", "example.org"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_paper_key(url, key):
    assert paper_key(url) == key


def test_query_strings_that_name_the_paper_are_kept():
    """Tracking parameters go, but ?id= on a site that serves papers by id is the paper."""
    assert paper_key("https://example.org/view?id=1") != paper_key("https://example.org/view?id=2")


def test_paths_keep_their_case():
    """Hosts are case-insensitive, paths are not: two papers may differ only by case."""
    assert paper_key("https://example.org/Paper") != paper_key("https://example.org/paper")


def test_arxiv_lookalikes_elsewhere_are_not_arxiv():
    assert paper_key("https://example.org/abs/1706.03762") == "example.org/abs/1706.03762"
    assert paper_key("https://arxiv.org/list/cs.CL/recent") == "arxiv.org/list/cs.CL/recent"


def test_garbage_is_kept_as_typed_not_raised():
    assert paper_key("https://example.org:notaport/x") == "https://example.org:notaport/x"


def test_helpers():
    assert arxiv_id("https://arxiv.org/pdf/1706.03762v2") == "1706.03762"
    assert arxiv_id("https://example.org/x") == ""
    assert arxiv_id_from_key(WITH_CLASS) == "math.GT/0309136"
    assert doi_from_key(DOI) == "10.1145/3290605.3300857"
    assert doi_from_key(ATTENTION) == ""


def test_a_doi_with_and_without_its_trailing_slash_is_one_paper():
    with_slash = paper_key("https://doi.org/10.1145/3442188.3445922/")
    assert with_slash == paper_key("https://doi.org/10.1145/3442188.3445922")
    assert doi_from_key(with_slash) == "10.1145/3442188.3445922"
