"""A database of a test's own, for tests that start other processes (a server, workers) which
cannot see the test database: a SQLite file, or a fresh database on the PostgreSQL server
``DATABASE_URL`` names, created and dropped here."""

import os
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


def own_name(name: str) -> str:
    """``name``, prefixed with ``TEST_DB_NAME`` when it is set: builds that share one PostgreSQL
    server each set their own, and must not drop each other's databases."""
    prefix = os.environ.get("TEST_DB_NAME", "")
    return f"{prefix}_{name}" if prefix else name


@contextmanager
def postgres_database(base_url: str, name: str):
    """A fresh database ``own_name(name)`` beside the one ``base_url`` names; dropped after."""
    import psycopg2

    name = own_name(name)
    parts = urlsplit(base_url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def database_url(tmp_path, name: str):
    """A database URL for other processes: on PostgreSQL (``DATABASE_URL`` names one) a fresh
    database, else the SQLite file ``tmp_path/<name>.sqlite3``."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        with postgres_database(configured, name) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / (name + '.sqlite3')}"


def postgres_race_marks() -> list:
    """``pytestmark`` of a module racing real transactions against each other: PostgreSQL only
    (SQLite has one writer at a time), with real commits so the other connections see the rows;
    ``serialized_rollback`` puts back the rows data migrations made (the roles) after the flush."""
    import pytest
    from django.conf import settings

    return [
        pytest.mark.postgres,
        pytest.mark.skipif(
            not settings.IS_POSTGRES,
            reason="SQLite has one writer at a time (BEGIN IMMEDIATE); the race needs PostgreSQL",
        ),
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ]
