import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """The root conftest clears this process's cache around every test; without REDIS_URL that
    cache is in the test database, which these tests never open: the servers they start keep
    their own database and a Redis namespace of their own, cleaned up by the test itself."""
    yield
