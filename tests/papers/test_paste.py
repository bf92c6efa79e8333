"""Paste links, get entries: the service (papers/paste.py), the look-ups and the form's box.

Every look-up is answered from recorded files (tests/papers/recorded.py); none reaches the
network (tests/conftest.py refuses it)."""

import pytest
from django.urls import reverse

from forum.errors import InvalidInput, NotAllowed, RateLimited
from papers import metadata
from papers.paste import references_add
from roundups.models import MAX_ENTRIES, PaperEntry
from roundups.references import parse
from tests.factories import make_author, make_entry, make_roundup
from tests.papers.recorded import COVERED_BEFORE, TEN_PAPERS, TEN_REFERENCES

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(author):
    return make_roundup(author=author, published=False, title="Week 30")


@pytest.fixture
def covered_before():
    earlier = make_roundup(published=True)
    return make_entry(earlier, **COVERED_BEFORE)


def entries(roundup):
    return list(roundup.entries.order_by("position"))


def test_ten_mixed_references_become_ten_filled_entries_in_paste_order(
    draft, author, covered_before, recorded_metadata
):
    report = references_add(roundup=draft, by=author, text=TEN_REFERENCES)

    made = entries(draft)
    assert [(entry.title, entry.url) for entry in made] == TEN_PAPERS
    assert [entry.position for entry in made] == list(range(1, 11))
    assert all(entry.authors and entry.year for entry in made)
    # Crossref has no abstract for the Nature paper (it often has none); the rest all do.
    assert [bool(entry.abstract) for entry in made] == [True] * 6 + [False] + [True] * 3
    attention, rome, *_ = made
    assert attention.authors.startswith("Ashish Vaswani, Noam Shazeer")
    assert (attention.year, rome.year) == (2017, 2022)
    assert attention.abstract.startswith("The dominant sequence transduction models are based")
    parrots, nature, vit, fast = made[5], made[6], made[7], made[8]
    assert parrots.authors == "Emily M. Bender, Timnit Gebru, Angelina McMillan-Major, " + (
        "Shmargaret Shmitchell"
    )
    assert parrots.year == 2021
    assert parrots.abstract.startswith("The past 3 years of work in NLP")  # JATS tags gone
    assert (nature.authors, nature.year) == ("Yann LeCun, Yoshua Bengio, Geoffrey Hinton", 2015)
    assert vit.authors.startswith("Alexey Dosovitskiy") and vit.year == 2021
    assert vit.abstract.startswith("While the Transformer architecture")
    # Our own record fills the plain link (nothing else could).
    assert (fast.authors, fast.year) == (COVERED_BEFORE["authors"], 2024)
    assert fast.paper_key == covered_before.paper_key

    assert len(report.added) == 10 and report.problems == []
    assert report.unread_lines == [1]  # "This week's reading:"
    # ONE batched arXiv request for the six arXiv ids; one per DOI and OpenReview id.
    arxiv_requests = [url for url in recorded_metadata.requests if "arxiv" in url]
    assert len(arxiv_requests) == 1
    assert (
        "id_list=1706.03762%2C2202.05262%2C2203.02155%2Chep-th%2F9901001%2C2001.08361"
        in (arxiv_requests[0])
    )
    assert len(recorded_metadata.requests) == 4


def test_duplicates_in_the_paste_and_papers_already_present_are_reported_not_added(
    draft, author, recorded_metadata
):
    make_entry(draft, title="Attention", url="https://arxiv.org/abs/1706.03762")
    text = "arXiv:1706.03762v2\n2202.05262\nhttps://arxiv.org/abs/2202.05262v3\n2202.05262"
    report = references_add(roundup=draft, by=author, text=text)

    assert [entry.title for entry in entries(draft)] == [
        "Attention",
        "Locating and Editing Factual Associations in GPT",
    ]
    outcomes = [(line.line, line.outcome) for line in report.lines]
    assert outcomes == [(1, "present"), (2, "added"), (3, "duplicate"), (4, "duplicate")]
    assert "Already in this roundup (paper 1)" in report.lines[0].message
    assert "The same paper as line 2" in report.lines[2].message


def test_a_failed_lookup_still_makes_the_entry_with_its_link_and_says_why(
    draft, author, recorded_metadata
):
    recorded_metadata.failing.add("crossref")
    text = "10.1145/3442188.3445922\n10.9999/not-recorded\nhttps://openreview.net/forum?id=nope"
    recorded_metadata.failing.discard("crossref")
    recorded_metadata.failing.add("openreview")
    report = references_add(roundup=draft, by=author, text=text)

    made = entries(draft)
    assert [entry.url for entry in made] == [
        "https://doi.org/10.1145/3442188.3445922",
        "https://doi.org/10.9999/not-recorded",
        "https://openreview.net/forum?id=nope",
    ]
    assert made[0].authors.startswith("Emily M. Bender")
    # The others keep the reference as their title, for the author to fill.
    assert (made[1].title, made[1].authors) == ("10.9999/not-recorded", "")
    assert made[2].title == "https://openreview.net/forum?id=nope"
    messages = {line.line: line.message for line in report.problems}
    assert messages == {
        2: "Crossref has no record of the DOI 10.9999/not-recorded.",
        3: "OpenReview did not answer in time; fill the fields by hand or try again.",
    }


def test_arxiv_down_fills_nothing_but_makes_every_entry(draft, author, recorded_metadata):
    recorded_metadata.failing.add("arxiv")
    report = references_add(roundup=draft, by=author, text="1706.03762 2202.05262")
    assert [entry.title for entry in entries(draft)] == ["1706.03762", "2202.05262"]
    assert {line.message for line in report.lines} == {
        "arXiv did not answer in time; fill the fields by hand or try again."
    }


def test_an_id_arxiv_does_not_have_is_reported(draft, author, recorded_metadata):
    report = references_add(roundup=draft, by=author, text="arXiv:2301.99999")
    assert report.lines[0].message == "arXiv has no paper 2301.99999."
    assert entries(draft)[0].url == "https://arxiv.org/abs/2301.99999"


def test_lookups_are_cached(draft, author, recorded_metadata):
    references_add(roundup=draft, by=author, text="1706.03762\n10.1038/nature14539")
    other = make_roundup(author=author, published=False)
    recorded_metadata.requests.clear()
    references_add(roundup=other, by=author, text="1706.03762\n10.1038/nature14539")
    assert recorded_metadata.requests == []
    assert entries(other)[1].title == "Deep learning"


def test_lookups_are_rate_limited_per_author(draft, author, recorded_metadata, settings):
    settings.PAPER_LOOKUP_RATE_LIMIT = 2
    report = references_add(
        roundup=draft, by=author, text="1706.03762 10.1038/nature14539 10.1145/3442188.3445922"
    )
    # The arXiv batch and one DOI were allowed; the third request was not made.
    assert len(recorded_metadata.requests) == 2
    assert "too many look-ups" in report.lines[2].message
    assert entries(draft)[2].url == "https://doi.org/10.1145/3442188.3445922"

    other = make_roundup(author=author, published=False)
    with pytest.raises(RateLimited) as refused:
        references_add(roundup=other, by=author, text="2202.05262")
    assert refused.value.retry_after > 0
    assert not other.entries.exists()  # refused before anything was written
    # Another author has an allowance of their own; this site's own records need none.
    someone = make_author()
    mine = make_roundup(author=someone, published=False)
    references_add(roundup=mine, by=someone, text="2202.05262")
    assert entries(mine)[0].year == 2022


@pytest.mark.parametrize(
    "text",
    ["", "   \n ", "no links here at all", "x" * 50_001],
)
def test_bad_pastes_are_refused_and_write_nothing(draft, author, text):
    with pytest.raises(InvalidInput) as refused:
        references_add(roundup=draft, by=author, text=text)
    assert "references" in refused.value.fields
    assert not draft.entries.exists()


def test_over_the_paper_limit_nothing_is_added(draft, author, recorded_metadata):
    for _ in range(MAX_ENTRIES - 1):
        make_entry(draft)
    with pytest.raises(InvalidInput, match="at most 100"):
        references_add(roundup=draft, by=author, text="1706.03762\n2202.05262")
    assert draft.entries.count() == MAX_ENTRIES - 1
    assert recorded_metadata.requests == []


def test_a_link_too_long_to_store_is_reported_and_the_rest_added(draft, author, recorded_metadata):
    long_link = "https://example.org/" + "a" * 600
    report = references_add(roundup=draft, by=author, text=f"{long_link}\n1706.03762")
    assert [line.outcome for line in report.lines] == ["invalid", "added"]
    assert [entry.title for entry in entries(draft)] == ["Attention Is All You Need"]


def test_all_in_one_transaction(draft, author, recorded_metadata, monkeypatch):
    """If one entry cannot be written, none of the paste is."""
    from roundups import services

    real, calls = services.entry_add, []

    def fail_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise InvalidInput("The roundup is full.")
        return real(**kwargs)

    monkeypatch.setattr("papers.paste.entry_add", fail_third)
    with pytest.raises(InvalidInput, match="Line 3: The roundup is full. Nothing was added."):
        references_add(roundup=draft, by=author, text="1706.03762\n2202.05262\n2203.02155")
    assert not draft.entries.exists()


def test_only_who_may_edit_the_roundup(draft):
    with pytest.raises(NotAllowed):
        references_add(roundup=draft, by=make_author(), text="1706.03762")


def test_metadata_parsers_on_the_documented_shapes():
    parsed = metadata.crossref_metadata(
        {
            "title": ["  A   title "],
            "author": [{"given": "Ada", "family": "Lovelace"}, {"name": "The Consortium"}],
            "issued": {"date-parts": [[1843]]},
            "abstract": "<jats:p>Notes &amp; more.</jats:p>",
        }
    )
    assert parsed == metadata.Metadata(
        "A title", "Ada Lovelace, The Consortium", 1843, "Notes & more.", "Crossref"
    )
    note = {"content": {"title": {"value": "T"}, "venue": {"value": "NeurIPS 2023"}}}
    assert metadata.openreview_metadata(note).year == 2023


def test_unreadable_answers_are_a_message_not_an_error(draft, author, settings):
    settings.PAPER_METADATA_FETCH = "tests.papers.test_paste.garbage"
    report = references_add(
        roundup=draft, by=author, text="1706.03762 10.1038/x https://openreview.net/forum?id=a"
    )
    assert [line.message for line in report.lines] == [
        "arXiv sent an answer we could not read.",
        "Crossref sent an answer we could not read.",
        "OpenReview sent an answer we could not read.",
    ]
    assert draft.entries.count() == 3


def garbage(url, *, timeout):
    return b"<not json or xml"


def test_the_link_stored_reads_back_as_the_same_paper(draft, author, recorded_metadata):
    references_add(roundup=draft, by=author, text="hep-th/9901001v2 doi:10.1038/NATURE14539")
    keys = [entry.paper_key for entry in entries(draft)]
    assert keys == [parse("hep-th/9901001").key, parse("10.1038/nature14539").key]


# --- the box on the roundup form ---------------------------------------------------------------


def form_data(roundup, **extra):
    data = {
        "title": roundup.title if roundup else "Week 31",
        "slug": roundup.slug if roundup else "",
        "intro": "",
        "outro": "",
        "entries-TOTAL_FORMS": "0",
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
    }
    return data | extra


def test_the_edit_page_shows_the_paste_box(client, author, draft):
    client.force_login(author)
    page = client.get(reverse("roundups:edit", args=[draft.slug])).content.decode()
    assert 'name="references"' in page and "Add these papers" in page


def test_pasting_on_the_new_roundup_page_saves_the_draft_and_adds_the_papers(
    client, author, recorded_metadata
):
    client.force_login(author)
    response = client.post(
        reverse("roundups:create"),
        form_data(None, references="1706.03762\nnot a link\n1706.03762v2", action="paste"),
        follow=True,
    )
    roundup = author.roundups.get()
    assert response.redirect_chain[-1][0].endswith(
        reverse("roundups:edit", args=[roundup.slug]) + "#entries-heading"
    )
    assert [entry.title for entry in entries(roundup)] == ["Attention Is All You Need"]
    page = response.content.decode()
    assert "Added 1 paper from your paste." in page
    assert "Line 3 (1706.03762v2): The same paper as line 1; added once." in page
    assert "No paper link found on line(s) 2." in page
    assert 'value="Attention Is All You Need"' in page  # the entry's form, filled


def test_a_refused_paste_keeps_the_text_and_shows_why(client, author, draft, recorded_metadata):
    client.force_login(author)
    for _ in range(MAX_ENTRIES):
        make_entry(draft)
    response = client.post(
        reverse("roundups:edit", args=[draft.slug]),
        form_data(draft, references="1706.03762", action="paste")
        | {"entries-TOTAL_FORMS": "0", "entries-INITIAL_FORMS": "0"},
    )
    # The formset sent no rows, so saving dropped every paper; the paste then fits.
    assert response.status_code == 302
    draft_full = make_roundup(author=author, published=False)
    for _ in range(MAX_ENTRIES):
        make_entry(draft_full)
    response = client.post(
        reverse("roundups:edit", args=[draft_full.slug]), _full_form(draft_full, "2202.05262")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "No pasted paper was added" in page
    assert "a roundup holds at most 100" in page
    assert "2202.05262</textarea>" in page  # nothing the author pasted is lost
    assert draft_full.entries.count() == MAX_ENTRIES


def _full_form(roundup, references):
    """The edit form as the page sends it, every paper kept, with a paste."""
    data = form_data(roundup, references=references, action="paste")
    rows = list(roundup.entries.order_by("position"))
    data["entries-TOTAL_FORMS"] = str(len(rows))
    data["entries-INITIAL_FORMS"] = str(len(rows))
    for index, entry in enumerate(rows):
        prefix = f"entries-{index}-"
        data |= {
            prefix + "id": str(entry.pk),
            prefix + "roundup": str(roundup.pk),
            prefix + "position": str(entry.position),
            prefix + "title": entry.title,
            prefix + "url": entry.url,
        }
    return data


def test_a_rate_limited_paste_is_a_429_with_retry_after_and_keeps_the_text(
    client, author, draft, recorded_metadata, settings
):
    settings.PAPER_LOOKUP_RATE_LIMIT = 0
    client.force_login(author)
    response = client.post(
        reverse("roundups:edit", args=[draft.slug]),
        form_data(draft, references="2202.05262", action="paste"),
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "You have looked up many papers lately" in page and "2202.05262</textarea>" in page
    assert not draft.entries.exists() and recorded_metadata.requests == []


def test_saving_without_a_paste_is_unchanged(client, author, draft):
    client.force_login(author)
    response = client.post(reverse("roundups:edit", args=[draft.slug]), form_data(draft))
    assert response.status_code == 302
    assert response.url == reverse("roundups:edit", args=[draft.slug])
    assert PaperEntry.objects.filter(roundup=draft).count() == 0
