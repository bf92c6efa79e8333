"""make bench's notification step: its result reaches the report with the 10% verdict."""

from bench import report


def test_notify_section_states_the_share_and_the_target():
    lines = report.notify_section({
        "sqlite": {"with_ms": 1.10, "without_ms": 1.00, "added_pct": 10.0},
        "postgres": {"with_ms": 2.05, "without_ms": 2.00, "added_pct": 2.5},
    })  # fmt: skip
    text = "\n".join(lines)
    assert "| SQLite | comment service | 1.10 | 1.00 | 10.0% | **not met** |" in text
    assert "| PostgreSQL | comment service | 2.05 | 2.00 | 2.5% | **met** |" in text
    assert "| over HTTP |" not in text  # not measured: no row
    assert report.notify_section({"sqlite": None, "postgres": None}) == []


def test_notify_section_adds_the_reply_over_http_when_measured():
    lines = report.notify_section(
        {"sqlite": {"with_ms": 1.10, "without_ms": 1.00, "added_pct": 10.0}},
        {"sqlite": {"with_ms": 6.90, "without_ms": 6.70, "added_pct": 3.0}, "postgres": None},
    )
    text = "\n".join(lines)
    assert "| SQLite | comment service | 1.10 | 1.00 | 10.0% | **not met** |" in text
    assert "| SQLite | over HTTP | 6.90 | 6.70 | 3.0% | **met** |" in text
    assert "PostgreSQL" not in text
