"""``manage.py migrate`` alone creates the database cache's table (forum/migrations/0001)."""

import os
import sqlite3
import subprocess
import sys

from django.conf import settings


def test_migrate_alone_creates_the_cache_table(tmp_path):
    """On a fresh database, with the database cache configured (no REDIS_URL), as `make run` has
    it; before this migration only `createcachetable` made the table and login answered 500."""
    database = tmp_path / "fresh.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "TEST_DB", "REDIS_URL", "DATABASE_URL"))
    }
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="forum.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "roundups_cache" in tables
