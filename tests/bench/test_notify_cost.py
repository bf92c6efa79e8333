"""make bench's notification step: its result reaches the report with the 10% verdict."""

from bench import report


def test_notify_section_states_the_share_and_the_target():
    lines = report.notify_section({
        "sqlite": {"with_ms": 1.10, "without_ms": 1.00, "added_pct": 10.0},
        "postgres": {"with_ms": 2.05, "without_ms": 2.00, "added_pct": 2.5},
    })  # fmt: skip
    text = "\n".join(lines)
    assert "| SQLite | 1.10 | 1.00 | 10.0% | **not met** |" in text
    assert "| PostgreSQL | 2.05 | 2.00 | 2.5% | **met** |" in text
    assert report.notify_section({"sqlite": None, "postgres": None}) == []
