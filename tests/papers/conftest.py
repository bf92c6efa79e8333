import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """As in tests/forum: the database cache is cleared only for tests that have a database, so
    the pure paper_key and BibTeX tests need no database."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("db")  # autouse fixtures run first: set the database up now
        cache.clear()
    yield
    if uses_db:
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories make a user per roundup; the production hasher would spend most of the run
    hashing test passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
