import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """tests/conftest.py clears the cache around every test, but the cache lives in the database
    when REDIS_URL is unset, so pure-function tests (the ~2000 sanitizer cases) would all need the
    db fixture. Here the cache is cleared only for tests that have a database."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    )
    if uses_db:
        cache.clear()
    yield
    if uses_db:
        cache.clear()
