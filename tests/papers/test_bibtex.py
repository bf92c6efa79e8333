"""BibTeX export: fields, escaping, stable keys, and the two download URLs."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from papers.bibtex import bibliography, citation_key, entry_bibtex, escape, split_authors
from roundups.papers import paper_key
from tests.factories import make_entry, make_roundup, make_user


def paper(**fields):
    """An unsaved stand-in for a PaperEntry: BibTeX needs only these attributes."""
    values = {"title": "Attention Is All You Need", "authors": "Ashish Vaswani, Noam Shazeer",
              "year": 2017, "url": "https://arxiv.org/abs/1706.03762v5"}  # fmt: skip
    values.update(fields)
    return SimpleNamespace(paper_key=paper_key(values["url"]), **values)


def test_arxiv_entry():
    assert entry_bibtex(paper()) == (
        "@misc{vaswani2017attention,\n"
        "  title = {Attention Is All You Need},\n"
        "  author = {Ashish Vaswani and Noam Shazeer},\n"
        "  year = {2017},\n"
        "  eprint = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/1706.03762v5}\n"
        "}\n"
    )


def test_doi_entry_has_a_doi_field_and_no_eprint():
    text = entry_bibtex(paper(url="https://dx.doi.org/10.1145/3290605.3300857"))
    assert "  doi = {10.1145/3290605.3300857},\n" in text
    assert "eprint" not in text and "archivePrefix" not in text


def test_plain_url_entry_has_only_the_url():
    text = entry_bibtex(paper(url="https://example.org/paper", year=None, authors=""))
    assert "url = {https://example.org/paper}" in text
    assert "doi" not in text and "eprint" not in text and "year" not in text
    assert "author" not in text
    assert text.startswith("@misc{anonattention,")


def test_old_style_arxiv_id_keeps_its_canonical_case():
    text = entry_bibtex(paper(url="https://arxiv.org/abs/math.gt/0309136v1"))
    assert "eprint = {math.GT/0309136}" in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Q&A at 50% off", r"Q\&A at 50\% off"),
        ("$x_1^2$ #1 ~ok", r"\$x\_1\^{}2\$ \#1 \~{}ok"),
        ("{unbalanced", r"\{unbalanced"),
        ("back\\slash", r"back\textbackslash{}slash"),
        ("  many\n  spaces ", "many spaces"),
        ("Gödel, Escher", "Gödel, Escher"),
    ],
)
def test_escape(raw, escaped):
    assert escape(raw) == escaped


def test_hostile_fields_cannot_end_the_entry_early():
    text = entry_bibtex(paper(title="x}, note = {pwned", authors="A} and {B"))
    assert "title = {x\\}, note = \\{pwned}" in text
    assert text.count("{") - text.count("\\{") == text.count("}") - text.count("\\}")


def test_url_braces_are_percent_encoded():
    text = entry_bibtex(paper(url="https://example.org/a{b}\\c"))
    assert "url = {https://example.org/a%7Bb%7D%5Cc}" in text


def test_authors_in_several_styles():
    assert split_authors("A One, B Two; C Three and D Four") == [
        "A One",
        "B Two",
        "C Three",
        "D Four",
    ]
    assert split_authors("") == []


def test_citation_keys_are_ascii_and_skip_small_words():
    assert citation_key(paper(authors="Kurt Gödel", title="On the Formally Undecidable")) == (
        "godel2017formally"
    )


def test_clashing_keys_get_letters_and_repeated_papers_appear_once():
    first = paper(title="Deep Learning", url="https://example.org/1")
    second = paper(title="Deep learning again", url="https://example.org/2")
    again = paper(title="Deep Learning", url="https://example.org/1#copy")
    text = bibliography([first, second, again])
    assert text.count("@misc{") == 2
    assert "@misc{vaswani2017deep," in text
    assert "@misc{vaswani2017deepb," in text


@pytest.mark.django_db
def test_roundup_bibtex_download(client):
    roundup = make_roundup(slug="week-7")
    make_entry(roundup, title="B & C", url="https://arxiv.org/abs/2101.00002", position=2)
    make_entry(roundup, title="First", url="https://doi.org/10.1000/ABC", position=1)
    response = client.get(reverse("papers:roundup_bibtex", args=["week-7"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="week-7.bib"'
    text = response.content.decode()
    assert text.index("title = {First}") < text.index(r"title = {B \& C}")
    assert "doi = {10.1000/abc}" in text
    assert "eprint = {2101.00002}" in text


@pytest.mark.django_db
def test_draft_bibtex_only_for_those_who_can_see_the_draft(client):
    draft = make_roundup(published=False, slug="draft-week")
    make_entry(draft)
    url = reverse("papers:roundup_bibtex", args=["draft-week"])
    assert client.get(url).status_code == 404
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.force_login(draft.author)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_paper_bibtex_download(client):
    entry = make_entry(make_roundup(), authors="Ada Lovelace", year=1843, title="Notes")
    response = client.get(reverse("papers:paper_bibtex", args=[entry.paper_key]))
    assert response["Content-Disposition"] == 'attachment; filename="lovelace1843notes.bib"'
    assert response.content.decode().startswith("@misc{lovelace1843notes,")


@pytest.mark.parametrize("tail", ["et al.", "et al", "Et Al.", "…"])
def test_et_al_becomes_and_others(tail):
    text = entry_bibtex(paper(authors=f"Evan Hubinger, Carson Denison, {tail}"))
    assert "author = {Evan Hubinger and Carson Denison and others}" in text
