"""The README's screenshots, made by the browser from a realistic roundup, so they stay current.

A six-paper roundup (the demo's first week, its first six papers: ``roundups/demo_data.py``) with
the demo's discussion (``comments/demo.py``: written through the services, votes, an edit by a
moderator, a deleted comment with replies), seen by a signed-in reader. Each run writes:

- ``docs/screenshots/roundup.png``: the top of the roundup page at 1366 px;
- ``docs/screenshots/thread.png``: its discussion at 1366 px;
- ``docs/screenshots/phone.png``: the discussion on a 390 px phone.

Viewport shots, not whole pages, so each stays small (well under 300 KB).
"""

import struct
from pathlib import Path

from playwright.sync_api import expect

from comments.demo import load_discussion
from roundups import demo_data
from roundups.services import entry_add
from tests import factories

SHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 300_000
PAPERS = 6
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk comes first), or an AssertionError
    when the file is not a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def six_paper_roundup():
    """The demo's first roundup, cut to six papers, with the demo's discussion under it."""
    author = factories.make_author("elena")
    readers = [factories.make_user("sam"), factories.make_user("priya")]
    moderator = factories.make_moderator("moderator")
    series = factories.make_series(demo_data.SERIES["name"], slug=demo_data.SERIES["slug"])
    data = demo_data.ROUNDUPS[0]
    fields = {key: value for key, value in data.items() if key != "entries"}
    roundup = factories.make_roundup(author=author, series=series, **fields)
    for entry in data["entries"][:PAPERS]:
        entry_add(roundup=roundup, by=author, **entry)
    load_discussion(roundup=roundup, readers=readers, moderator=moderator, author=author)
    return roundup, readers[1]  # priya: votes on the first thread, owns comments further down


def shoot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    path.unlink(missing_ok=True)  # the test proves this run wrote it
    page.screenshot(path=str(path), full_page=False)
    return path


def test_readme_screenshots_of_the_roundup_the_thread_and_a_phone(open_tab):
    roundup, reader = six_paper_roundup()
    tab = open_tab()
    page = tab.page
    tab.log_in(reader.username)
    page.set_viewport_size(DESKTOP)
    tab.goto(roundup.get_absolute_url())
    expect(page.locator(".paper")).to_have_count(PAPERS)
    shots = {"roundup": (shoot(page, "roundup"), DESKTOP)}

    page.evaluate("document.querySelector('.vote-help').scrollIntoView()")
    expect(page.locator(".author-badge").first).to_be_visible()
    shots["thread"] = (shoot(page, "thread"), DESKTOP)

    page.set_viewport_size(PHONE)
    page.evaluate("document.querySelector('.thread > .comment').scrollIntoView()")
    shots["phone"] = (shoot(page, "phone"), PHONE)

    for name, (path, viewport) in shots.items():
        assert path.exists(), name
        assert png_size(path) == (viewport["width"], viewport["height"]), name
        assert 10_000 < path.stat().st_size < MAX_BYTES, f"{name}: {path.stat().st_size} bytes"
    tab.finish()
