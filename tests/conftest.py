import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached pages must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


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
