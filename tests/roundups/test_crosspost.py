"""Export for crossposting (/roundups/<slug>/markdown) and import from Markdown or BibTeX
(/roundups/import, manage.py import_roundup): the export reads back as the same roundup."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from roundups import demo_data
from roundups.crosspost import escape, parse_markdown
from roundups.importing import roundup_import
from roundups.models import ENTRY_FIELDS, Roundup
from roundups.services import roundup_create
from tests.factories import make_author, make_user

pytestmark = pytest.mark.django_db

IMPORT = reverse("roundups:import")


def export(client, roundup) -> str:
    response = client.get(reverse("roundups:markdown", args=[roundup.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    return response.content.decode()


def entry_values(roundup):
    return [
        {name: getattr(entry, name) for name in ENTRY_FIELDS}
        for entry in roundup.entries.order_by("position")
    ]


def import_text(client, text, **extra):
    upload = SimpleUploadedFile("exported.md", text.encode(), content_type="text/markdown")
    response = client.post(IMPORT, {"file": upload, "text": "", "title": ""} | extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Roundup.objects.order_by("-pk").first()


def assert_round_trip(client, original):
    text = export(client, original)
    copy = import_text(client, text)
    assert copy.pk != original.pk
    assert copy.status == Roundup.Status.DRAFT  # always a draft, never published
    assert (copy.title, copy.intro, copy.outro) == (original.title, original.intro, original.outro)
    assert entry_values(copy) == entry_values(original)
    return text


def demo(author, data, *, published=True):
    fields = {name: data[name] for name in ("title", "intro", "outro", "entries")}
    return roundup_create(author=author, publish=published, **fields)


@pytest.mark.parametrize("which", [0, 1, "draft"])
def test_every_demo_roundup_round_trips(client, author, which):
    data = demo_data.DRAFT if which == "draft" else demo_data.ROUNDUPS[which]
    original = demo(author, data, published=which != "draft")
    client.force_login(author)
    text = assert_round_trip(client, original)
    # The first line links back here with an absolute address; abstracts are block quotes.
    first = text.splitlines()[0]
    assert first == (
        f"*Crossposted from [{escape(original.title)}]"
        f"(http://testserver/roundups/{original.slug}/).*"
    )
    assert "\n> " in text and "\n**My opinion:** " in text
    assert f"\n## [{escape(data['entries'][0]['title'])}]({data['entries'][0]['url']})" in text


TRICKY = [
    {
        "title": "Attention Is All You Need",
        "url": "https://arxiv.org/abs/1706.03762",
        "authors": "Ashish Vaswani, Noam Shazeer",
        "year": 2017,
        "abstract": "One line.",
        "opinion": "Short.",
    },
    {
        "title": "*Stars*, _underscores_ & <tags> [brackets] `code` | pipes ~tilde",
        "url": "https://example.org/paper_(v2)?id=3&x=<y>",
        "authors": "O'Neil, D. *Star*",
        "year": None,
        "abstract": "# not a heading\n- not a list\n1. not a numbered list\n> not a quote\n"
        "+ nor this\n\nA second paragraph with a backslash \\ and an &amp; entity.",
        "opinion": "- my opinion starts with a list\n- second point\n\nThen **prose**.",
        "code_url": "https://github.com/example/code",
        "related": "- [Related one](https://example.org/r1)\n- Related two",
    },
    {"title": "1. Numbered title", "url": "https://doi.org/10.1145/3442188.3445922"},
    {
        "title": "No byline, no abstract",
        "url": "https://openreview.net/forum?id=YicbFdNTTy",
        "opinion": "## A heading inside my opinion\n\nAnd text.",
    },  # fmt: skip
    {"title": "Year only", "url": "https://arxiv.org/abs/hep-th/9901001", "year": 1999},
    {"title": "Authors only", "url": "https://arxiv.org/abs/2202.05262", "authors": "Kevin Meng"},
    {
        "title": "Multi-paragraph opinion",
        "url": "https://arxiv.org/abs/2203.02155",
        "opinion": "First paragraph.\n\n> A quote in my opinion.\n\n```\ncode block\n```\n\nLast.",
    },
    {
        "title": "Unicode: Łukasz, 東京, emoji 🦜",
        "url": "https://arxiv.org/abs/2001.08361",
        "authors": "Łukasz Kaiser, 山田 太郎",
        "abstract": "Über naïve café — ok.",
    },  # fmt: skip
    {
        "title": "Related without opinion",
        "url": "https://arxiv.org/abs/1512.03385",
        "related": "See https://example.org/x",
    },  # fmt: skip
    {"title": "Code only", "url": "https://example.org/ten", "code_url": "https://example.org/c"},
]


def test_a_ten_paper_roundup_with_awkward_text_round_trips(client, author):
    original = roundup_create(
        author=author,
        title="Week 40: *ten* papers & <more>",
        intro="An intro with a [link](https://example.org) and a list:\n\n- one\n- two",
        outro="## Until next week\n\nBye.",
        entries=TRICKY,
    )
    assert original.entries.count() == 10
    client.force_login(author)
    assert_round_trip(client, original)


def test_no_intro_no_outro_round_trips(client, author):
    original = roundup_create(author=author, title="Bare", entries=TRICKY[:2])
    client.force_login(author)
    assert_round_trip(client, original)


def test_drafts_are_exported_only_to_their_author_and_staff(client, author):
    draft = demo(author, demo_data.DRAFT, published=False)
    url = reverse("roundups:markdown", args=[draft.slug])
    assert client.get(url).status_code == 404
    client.force_login(make_author())
    assert client.get(url).status_code == 404
    client.force_login(make_user(staff=True))
    assert client.get(url).status_code == 200
    client.force_login(author)
    assert client.get(url).status_code == 200


def test_published_roundups_are_exported_to_anyone(client, author):
    roundup = demo(author, demo_data.ROUNDUPS[1])
    assert client.get(reverse("roundups:markdown", args=[roundup.slug])).status_code == 200
    assert client.get(reverse("roundups:markdown", args=["no-such"])).status_code == 404


HAND_WRITTEN = """\
# AI papers this week

Some intro text, with [a link](https://example.org/blog).

## Locating and Editing Factual Associations in GPT

https://arxiv.org/abs/2202.05262

Kevin Meng, David Bau (2022)

> We analyze the storage and recall of factual associations.

**My opinion:** Great paper.

Still my opinion.

**[Training language models to follow instructions](https://arxiv.org/abs/2203.02155)**

Authors: Long Ouyang, Jeff Wu

Making language models bigger does not make them better at following intent.

Rohin's opinion: RLHF works.

### [A paper without an opinion](https://doi.org/10.1038/nature14539)

*Yann LeCun, Yoshua Bengio, Geoffrey Hinton, 2015*

- a list that is neither abstract nor opinion

## A heading with no link and no link below

## Closing thoughts

That's all.
"""


def test_hand_written_markdown_is_read_as_such_posts_are_written():
    parsed = parse_markdown(HAND_WRITTEN)
    assert parsed.title == "AI papers this week"
    assert parsed.intro == "Some intro text, with [a link](https://example.org/blog)."
    rome, instruct, nature = parsed.entries
    assert (rome["title"], rome["url"]) == (
        "Locating and Editing Factual Associations in GPT",
        "https://arxiv.org/abs/2202.05262",
    )
    assert rome["abstract"] == "We analyze the storage and recall of factual associations."
    assert rome["opinion"] == "Great paper.\n\nStill my opinion."
    assert (instruct["authors"], instruct["opinion"]) == ("Long Ouyang, Jeff Wu", "RLHF works.")
    assert instruct["abstract"].startswith("Making language models bigger")
    assert (nature["authors"], nature["year"]) == (
        "Yann LeCun, Yoshua Bengio, Geoffrey Hinton",
        2015,
    )
    assert parsed.outro.startswith("## A heading with no link")
    assert parsed.outro.endswith("That's all.")
    assert parsed.problems == [
        "Line 29: a bullet list under “A paper without an opinion” that is neither its abstract "
        "nor its opinion was left out."
    ]
    # "Kevin Meng, David Bau (2022)", a plain paragraph, is read as a byline.
    assert (rome["authors"], rome["year"]) == ("Kevin Meng, David Bau", 2022)


BIB = r"""
@article{meng2022locating,
  title = {Locating and Editing Factual Associations in {GPT}},
  author = {Meng, Kevin and Bau, David and Andonian, Alex and Belinkov, Yonatan},
  year = {2022},
  eprint = {2202.05262},
  archivePrefix = {arXiv},
  abstract = {We analyze the storage and recall of factual associations in autoregressive
              transformer language models.}
}

@inproceedings{bender2021,
  title = {On the Dangers of Stochastic Parrots},
  author = {Bender, Emily M. and Gebru, Timnit and others},
  booktitle = {FAccT},
  year = 2021,
  doi = {10.1145/3442188.3445922}
}

@misc{kaiser, title = {Caf{\'e} {\"U}ber Models}, author = {{\L}ukasz Kaiser},
  url = {https://example.org/cafe}, year = {2019}}

@misc{nolink, title = {A paper with no link}}

@article{broken, title = {unclosed
"""


def test_bibtex_import_one_entry_per_record_with_abstracts(client, author):
    client.force_login(author)
    upload = SimpleUploadedFile("week-41_papers.bib", BIB.encode())
    response = client.post(IMPORT, {"file": upload, "title": ""}, follow=True)
    roundup = Roundup.objects.get()
    assert roundup.status == Roundup.Status.DRAFT
    assert roundup.title == "week 41 papers"  # from the file's name
    rome, parrots, cafe = roundup.entries.order_by("position")
    assert (rome.title, rome.url, rome.year) == (
        "Locating and Editing Factual Associations in GPT",
        "https://arxiv.org/abs/2202.05262",
        2022,
    )
    assert rome.authors == "Kevin Meng, David Bau, Alex Andonian, Yonatan Belinkov"
    assert rome.abstract.startswith("We analyze the storage") and "  " not in rome.abstract
    assert parrots.url == "https://doi.org/10.1145/3442188.3445922"
    assert parrots.authors == "Emily M. Bender, Timnit Gebru, et al."
    assert (cafe.title, cafe.authors) == ("Café Über Models", "Łukasz Kaiser")
    page = response.content.decode()
    assert "Imported a draft with 3 papers." in page
    assert "the record nolink has no a url, doi or eprint" in page
    assert "a record that could not be read was left out" in page


def test_import_page_for_authors_only(client, author):
    assert client.get(IMPORT).status_code == 302  # to the login page
    client.force_login(make_user())
    assert client.get(IMPORT).status_code == 403
    client.force_login(author)
    page = client.get(IMPORT).content.decode()
    assert 'enctype="multipart/form-data"' in page and "Import as a draft" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Choose a file or paste the text."),
        ({"text": "Only prose, no papers, nothing else? No: prose is an intro."}, None),
        ({"file": SimpleUploadedFile("x.md", b"\xff\xfe\x00bad")}, "not UTF-8"),
        ({"file": SimpleUploadedFile("x.bib", b"@misc{a, title={T}}")}, "No paper or text found"),
    ],
)
def test_bad_imports_are_refused_with_a_reason_and_write_nothing(client, author, data, message):
    client.force_login(author)
    response = client.post(IMPORT, {"title": ""} | data)
    if message is None:  # prose alone is a draft with an intro and no papers
        assert response.status_code == 302
        assert Roundup.objects.get().intro.startswith("Only prose")
        return
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Roundup.objects.exists()


def test_links_that_cannot_be_stored_are_left_out_and_listed(author):
    text = (
        "## [Good](https://arxiv.org/abs/1706.03762)\n\n"
        "## [Script](javascript:alert(1))\n\n"
        "## [Id link](arXiv:2202.05262)\n\n"
        "## [Too old](https://example.org/old)\n\n*Someone (1066)*\n"
    )
    result = roundup_import(author=author, text=text)
    titles = [(entry.title, entry.url, entry.year) for entry in result.roundup.entries.all()]
    assert titles == [
        ("Good", "https://arxiv.org/abs/1706.03762", None),
        ("Id link", "https://arxiv.org/abs/2202.05262", None),
        ("Too old", "https://example.org/old", None),
    ]
    assert any("Script" in problem for problem in result.problems)
    assert any("1066" in problem for problem in result.problems)


def test_import_roundup_command(tmp_path, author):
    path = tmp_path / "week-9.md"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roundup", str(path), author=author.username, stdout=out, stderr=err)
    roundup = Roundup.objects.get()
    assert roundup.status == Roundup.Status.DRAFT and roundup.author == author
    assert roundup.title == "AI papers this week" and roundup.entries.count() == 3
    assert f"/roundups/{roundup.slug}/edit/" in out.getvalue()
    assert "Not imported: Line 29" in err.getvalue()
    with pytest.raises(CommandError, match="no user"):
        call_command("import_roundup", str(path), author="nobody", stdout=out)
    with pytest.raises(CommandError, match="Only members of the Authors group"):
        call_command("import_roundup", str(path), author=make_user().username, stdout=out)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_roundup", str(tmp_path / "missing.md"), author="x", stdout=out)
