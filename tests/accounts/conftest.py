import pytest

# PBKDF2 at Django's production cost takes most of a second per user on a busy machine, and
# these tests make many users. The hasher is not what they test.
FAST_TEST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_TEST_HASHERS
