"""The author's week in minutes: paste ten mixed references, get ten filled entries, write two
opinions, preview, then publish, or schedule and see the worker publish it. With and without
JavaScript: the paste box and the schedule form are plain form fields.

The live server looks papers up through the recorded answers (``recorded_metadata`` sets
``PAPER_METADATA_FETCH``; the server is a thread of this process), so no request leaves the
machine.

The worker: ``bin/worker`` cannot reach the live server's database when that is SQLite in
memory (it exists only inside this process), so the scheduled test runs django-tasks-db's own
``Worker`` (the class behind ``manage.py db_worker``, which ``bin/worker`` starts) in this
process (``tests/support/worker.py``), in batch mode, on the same test database, once the clock
has reached the publish time. The clock is the one thing faked: the task row's ``run_after`` is
moved to now instead of waiting for the minute to come, so the test takes seconds. It runs in
the test's own thread, not beside the server: two threads writing to one shared-cache in-memory
SQLite database at once fail with "database table is locked" instead of waiting.
"""

import re
import zoneinfo
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from roundups.models import Roundup
from tests import factories
from tests.papers.recorded import COVERED_BEFORE, TEN_PAPERS, TEN_REFERENCES
from tests.support.worker import run_worker

OPINIONS = {1: "The paper *everything* here builds on.", 6: "Still the best read on scale."}


def paper(page, number):
    return page.get_by_role("group", name=re.compile(rf"^Paper {number}\b"))


def paste_ten_and_preview(tab, author, recorded_metadata) -> Roundup:
    """Log in, paste ten references, check the ten filled entries, write two opinions, and
    save and preview; returns the draft."""
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
    return roundup


def test_paste_ten_references_write_two_opinions_preview_and_publish(
    open_tab, js, author, recorded_metadata
):
    factories.make_entry(factories.make_roundup(published=True), **COVERED_BEFORE)
    tab = open_tab(js=js)
    page = tab.page
    roundup = paste_ten_and_preview(tab, author, recorded_metadata)

    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(rf"/roundups/{roundup.slug}/$"))
    expect(page.get_by_text("Published.")).to_be_visible()
    roundup.refresh_from_db()
    assert roundup.status == Roundup.Status.PUBLISHED
    tab.finish()


def test_paste_ten_references_write_two_opinions_preview_schedule_and_the_worker_publishes(
    open_tab, js, author, recorded_metadata
):
    factories.make_entry(factories.make_roundup(published=True), **COVERED_BEFORE)
    tab = open_tab(js=js)
    page = tab.page
    roundup = paste_ten_and_preview(tab, author, recorded_metadata)

    # The form reads the time in the zone its hidden field names: UTC as sent, the browser's
    # own once site.js has run.
    zone = zoneinfo.ZoneInfo(page.locator("input[name='time_zone']").input_value())
    if not js:
        assert zone.key == "UTC"
    wall = (timezone.now() + timedelta(hours=3)).astimezone(zone).replace(second=0, microsecond=0)
    page.get_by_label("Publish at").fill(wall.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()

    expect(page).to_have_url(re.compile(r"/drafts/$"))
    expect(page.get_by_text(f"“{roundup.title}” is scheduled.")).to_be_visible()
    roundup.refresh_from_db()
    assert roundup.publish_at == wall and roundup.status == Roundup.Status.DRAFT
    shown = page.locator(f"time[datetime='{roundup.publish_at.isoformat()}']")
    expect(shown).to_be_visible()
    if not js:
        expect(shown).to_have_text(roundup.publish_at.strftime("%-d %b %Y, %H:%M UTC"))
    expect(page.get_by_role("button", name=f"Unschedule “{roundup.title}”")).to_be_visible()
    tab.screenshot("scheduled")
    assert run_worker() == 0  # before its time the worker leaves it

    # The clock reaches the publish time (see the module docstring); the worker publishes it.
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    assert run_worker() == 1
    roundup.refresh_from_db()
    assert roundup.is_published and roundup.publish_at is None

    page.reload()
    expect(page.get_by_text(roundup.title)).to_have_count(0)  # no longer a draft
    reader_tab = open_tab(js=js, suffix="-reader")
    reader_tab.goto("/")
    expect(reader_tab.page.get_by_role("link", name=roundup.title)).to_be_visible()
    reader_tab.finish()
    tab.finish()
