"""The author's week in minutes: paste ten mixed references, get ten filled entries, write two
opinions, preview, publish. With and without JavaScript: the paste box is a plain form field.

The live server looks papers up through the recorded answers (``recorded_metadata`` sets
``PAPER_METADATA_FETCH``; the server is a thread of this process), so no request leaves the
machine."""

import re

from playwright.sync_api import expect

from roundups.models import Roundup
from tests import factories
from tests.papers.recorded import COVERED_BEFORE, TEN_PAPERS, TEN_REFERENCES

OPINIONS = {1: "The paper *everything* here builds on.", 6: "Still the best read on scale."}


def paper(page, number):
    return page.get_by_role("group", name=re.compile(rf"^Paper {number}\b"))


def test_paste_ten_references_write_two_opinions_preview_and_publish(
    open_tab, js, author, recorded_metadata
):
    factories.make_entry(factories.make_roundup(published=True), **COVERED_BEFORE)
    tab = open_tab(js=js)
    page = tab.page
    tab.log_in(author.username)
    page.get_by_role("link", name="New roundup").click()
    page.get_by_role("group", name="Roundup").get_by_label("Title").fill("Week 48: ten papers")
    page.get_by_label("Paste paper links").fill(TEN_REFERENCES)
    page.get_by_role("button", name="Add these papers").click()

    expect(page.get_by_text("Added 10 papers from your paste.")).to_be_visible()
    for number, (title, link) in enumerate(TEN_PAPERS, start=1):
        group = paper(page, number)
        expect(group.get_by_label("Title")).to_have_value(title)
        expect(group.get_by_label("Paper link")).to_have_value(link)
        expect(group.get_by_label("Authors")).not_to_have_value("")
        expect(group.get_by_label("Year")).not_to_have_value("")
    expect(paper(page, 1).get_by_label("Abstract")).to_have_value(
        re.compile(r"^The dominant sequence transduction models")
    )
    tab.screenshot("filled")
    # A recorded request per source: ONE batched arXiv request for the six arXiv ids.
    assert len([url for url in recorded_metadata.requests if "arxiv.org" in url]) == 1

    for number, opinion in OPINIONS.items():
        paper(page, number).get_by_label("My opinion").fill(opinion)
    page.get_by_role("button", name="Save and preview").click()

    expect(page.get_by_role("note")).to_contain_text("Preview of a draft")
    for title, _ in TEN_PAPERS:
        expect(page.get_by_role("link", name=title, exact=True).first).to_be_visible()
    expect(page.get_by_text("Still the best read on scale.")).to_be_visible()
    roundup = Roundup.objects.get(title="Week 48: ten papers")
    entries = list(roundup.entries.order_by("position"))
    assert [entry.title for entry in entries] == [title for title, _ in TEN_PAPERS]
    assert [entry.opinion for entry in entries if entry.opinion] == list(OPINIONS.values())
    tab.screenshot("preview")

    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(rf"/roundups/{roundup.slug}/$"))
    expect(page.get_by_text("Published.")).to_be_visible()
    roundup.refresh_from_db()
    assert roundup.status == Roundup.Status.PUBLISHED
    tab.finish()
