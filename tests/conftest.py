import pytest
from django.conf import settings
from django.core.cache import cache

from forum import ratelimit
from tests import factories


def pytest_configure(config):
    # PBKDF2 at production cost takes most of a second per user on a busy machine and the suite
    # makes hundreds of users; the hasher is not what it tests. (Subprocess tests such as
    # check --deploy run with the real settings.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Rate-limit counters and cached lookups must not leak between tests.

    Without REDIS_URL the cache lives in the database, so it is cleared only for tests that have
    one: the thousands of pure tests (sanitizer cases, paper keys, tree sorts) need no database.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("db")  # autouse fixtures run first: set the database up now
        cache.clear()
    ratelimit._reset_fallback()  # in-process counters, used while a test's cache is down
    yield
    if uses_db:
        cache.clear()


@pytest.fixture
def session_queries():
    """Database queries a signed-in request spends reading its session, under this run's store.

    Exact query counts include the session read, and it depends on the configuration production
    and CI run: database sessions (no REDIS_URL) read the session row, 1 query; with REDIS_URL the
    session is read from Redis in front of the database (forum/sessions.py), 0 queries while the
    copy there is warm, which it is after a login. Tests add this instead of assuming one store.
    """
    return 0 if settings.SESSION_ENGINE == "forum.sessions" else 1


@pytest.fixture
def cache_queries():
    """Database queries one cache read costs under this run's cache: 1 with the database cache
    (no REDIS_URL), 0 with Redis. A thread in parts reads its kept ranking from the cache
    (comments/thread/parts.py)."""
    backend = settings.CACHES["default"]["BACKEND"]
    return 1 if backend.endswith("DatabaseCache") else 0


@pytest.fixture
def author(db):
    return factories.make_author("author")


@pytest.fixture
def moderator(db):
    return factories.make_moderator("moderator")


@pytest.fixture
def reader(db):
    return factories.make_user("reader")


@pytest.fixture
def other_reader(db):
    return factories.make_user("reader2")


@pytest.fixture
def admin_user(db):
    return factories.make_user("admin", superuser=True)


@pytest.fixture
def roundup(db, author):
    return factories.make_roundup(author=author, entries=3)


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run every task that is ready, in this process, as ``bin/worker --batch`` would.

    Tasks are enqueued with ``transaction.on_commit`` (forum/tasks.py); inside a test's
    transaction nothing commits, so wrap the write in ``django_capture_on_commit_callbacks(
    execute=True)`` first. Returns how many tasks ran. The worker is django-tasks-db's own, the
    code production runs; only the process is this one.
    """
    from django_tasks_db.management.commands import db_worker

    from tests.support.worker import run_worker

    # The worker closes "old" connections between tasks (close_old_connections), and closes one
    # whose autocommit differs from the settings': inside a test's transaction that is the test's
    # own connection, which on PostgreSQL ends the test ("connection already closed"; SQLite's
    # in-memory test database ignores the close). Django's test runner disconnects the same check
    # from its request signals for the same reason.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(max_tasks: int | None = None) -> int:
        return run_worker(max_tasks=max_tasks)

    return run


@pytest.fixture
def recorded_metadata(settings):
    """Paper look-ups answered from recorded files (tests/papers/recorded.py), never the network.

    A setting, not a monkeypatch, so the browser tests' live server (a thread of this process)
    replays the same files."""
    from tests.papers.recorded import fetch

    settings.PAPER_METADATA_FETCH = "tests.papers.recorded.fetch"
    fetch.reset()
    yield fetch
    fetch.reset()


@pytest.fixture(autouse=True)
def _no_metadata_network(settings):
    """A test that forgets ``recorded_metadata`` fails loudly instead of reaching arXiv."""
    settings.PAPER_METADATA_FETCH = "tests.conftest.refuse_network"


def refuse_network(url, *, timeout):
    raise AssertionError(f"tests must not fetch {url}")
