"""Shared plumbing for the benchmark scripts: which database, Django set-up, timing, results.

Every script runs as ``python -m bench.<name> --db sqlite|postgres`` in its own process, because
Django's settings are configured once per process. The environment below turns the project's
settings into production-like ones (DEBUG off, so no query logging; cached templates; manifest
static files), with plain HTTP allowed because everything stays on loopback.
"""

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / ".results"  # git-ignored: databases, static files, raw JSON
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
BACKENDS = ("sqlite", "postgres")
# BENCH_SIZES=1000 measures one size only (a quick before/after); BENCH_DB_NAME (and the
# databases named after it: _xtd, _mail, _parts) keeps two runs
# on one PostgreSQL server (two checkouts, two people) out of each other's database.
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "100,1000,10000").split(","))
DB_NAME = os.environ.get("BENCH_DB_NAME", "roundups_bench")


def database_url(backend: str, name: str = DB_NAME) -> str:
    if backend == "sqlite":
        return f"sqlite:///{RESULTS / (name + '.sqlite3')}"
    if backend == "postgres":
        return f"{PG_SERVER}/{name}"
    raise SystemExit(f"unknown backend {backend!r}; expected one of {BACKENDS}")


def bench_env(backend: str, name: str = DB_NAME) -> dict:
    """Environment for the project's settings pointed at a bench database."""
    return {
        "DATABASE_URL": database_url(backend, name),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghij",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(RESULTS / "static"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        "COMMENT_RATE_LIMIT": "1000000",  # the load test votes; it never posts, but be safe
    }


def setup(backend: str, *, settings: str = "forum.settings", name: str = DB_NAME):
    """Point Django at the bench database for ``backend`` and set it up."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ.update(bench_env(backend, name))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database(backend: str, name: str) -> None:
    """Drop and create the bench database (PostgreSQL) or delete the SQLite file."""
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (RESULTS / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg2

    conn = psycopg2.connect(f"{PG_SERVER}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def analyze_postgres() -> None:
    """Give PostgreSQL the statistics of what was just bulk-loaded, as its autovacuum would
    within a minute in production: without them the planner guesses a roundup has a few dozen
    comments and reads a whole thread to find a part's trees (7.7 ms instead of 0.4 ms at
    10,000 comments). SQLite gathers none unless told to, and a deployment never tells it, so
    its bench databases stay as they would be."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def drop_database(backend: str, name: str) -> None:
    if backend == "sqlite":
        recreate_database(backend, name)
        return
    import psycopg2

    conn = psycopg2.connect(f"{PG_SERVER}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def reps_for(size: int) -> tuple[int, int]:
    """(warm-up runs, timed runs) for a thread of ``size`` comments: fewer at 10,000 for time."""
    if size <= 100:
        return 3, 21
    if size <= 1_000:
        return 3, 21  # the size the 4x target is closest at: a median of many runs
    return 1, 9


def peer_reps_for(size: int) -> int:
    """Timed runs for the slow peers: {% recursetree %} takes many seconds a page at 10,000."""
    return 21 if size <= 100 else 11 if size <= 1_000 else 2


def timed(fn, *, collect: bool = True):
    """Run ``fn`` once after a collection; return (wall seconds, this process's CPU seconds).

    CPU time is kept beside wall time because other work on this 2-core machine stretches wall
    time; for PostgreSQL it leaves out the server's share, so wall time is the headline.
    ``collect=False`` skips the collection: a full one walks every live object and leaves the
    processor's caches cold, which costs a big page (a large working set) more than the floor.
    """
    if collect:
        gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def write_result(backend: str, stage: str, data) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{backend}-{stage}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def read_result(backend: str, stage: str):
    path = RESULTS / f"{backend}-{stage}.json"
    return json.loads(path.read_text()) if path.exists() else None


def backend_arg(argv=None) -> str:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    return parser.parse_args(argv).db
