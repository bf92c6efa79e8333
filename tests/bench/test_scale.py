"""``bench/scale.py`` on a tiny site, so CI keeps ``make bench-scale`` working; nothing is timed
for real. The build must give the shape the table describes, every surface must answer 200 with
the query count the page tests assert, and ``make bench``'s report must keep the scale section."""

import pytest

from bench import common, report, scale
from comments.models import Comment, ModerationAction
from papers.models import PaperSuggestion
from roundups.models import Paper, PaperEntry, Roundup

pytestmark = pytest.mark.django_db
TINY = {"roundups": 6, "papers": 50, "comments": 300, "threads": (60, 30), "log": 20,
        "prolific": 10, "suggestions": 10}  # fmt: skip


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(scale.SIZES, "tiny", TINY)
    monkeypatch.setattr(scale, "RUNS", {"list": (0, 1), "search": (0, 1), "thread": (1, 1)})
    scale.build("tiny")


def test_build_makes_the_promised_shape(tiny):
    assert Roundup.objects.published().count() == 6
    assert PaperEntry.objects.count() == 6 * scale.ENTRIES_PER_ROUNDUP
    assert Paper.objects.covered().count() == 50  # one row per distinct paper
    assert Comment.objects.filter(roundup_id=1).count() == 60
    assert 290 <= Comment.objects.count() <= 300
    assert Comment.objects.filter(author__username="bench-prolific").count() == 10
    assert ModerationAction.objects.count() == 20
    assert PaperSuggestion.objects.open().count() == 10
    assert Roundup.objects.get(pk=1).comment_count == 60  # kept as the services keep it


def test_every_surface_answers_with_a_fixed_number_of_queries(tiny):
    rows = {row["name"]: row for row in scale.time_all()["only"]}
    assert rows["home"]["queries"] == rows["home, last page"]["queries"] == 1
    assert rows["papers"]["queries"] == rows["papers, last page"]["queries"] == 2
    assert rows["moderation log, last page"]["queries"] == 1
    assert all(row["bytes"] > 0 and row["peak_kb"] > 0 for row in rows.values())
    assert rows[f"search, rare word ({scale.RARE_WORD})"]["bytes"] > 0


def _fake(ms):
    names = [
        ("home", "list"),
        ("search, rare word (x)", "search"),
        ("search, common word (y)", "search"),
        ("thread page, biggest thread", "thread"),
    ]
    return {"build_s": 1.0, "rows": [
        {"name": n, "kind": k, "url": "/", "ms": ms, "queries": 1, "bytes": 100, "peak_kb": 10.0}
        for n, k in names
    ]}  # fmt: skip


def test_the_report_section_is_written_and_kept_by_make_bench(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    doc = tmp_path / "docs" / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nold text\n")
    results = {("sqlite", "scale-small"): _fake(10.0), ("sqlite", "scale-large"): _fake(12.0)}
    monkeypatch.setattr(common, "read_result", lambda b, stage: results.get((b, stage)))
    scale.write_report()
    text = doc.read_text()
    assert "old text" in text and text.count(scale.START) == 1
    assert "| home | 10.0 | 12.0 | 1.20x | — | ✓ |" in text
    section = scale.keep_section(text)
    # make bench rewrites the whole file: the section survives it.
    monkeypatch.setattr(report, "DOCS", tmp_path / "docs")
    monkeypatch.setattr(report, "versions", lambda: [])
    monkeypatch.setattr(report, "plot", lambda data: None)
    report.main()
    assert section in doc.read_text() and "old text" not in doc.read_text()
