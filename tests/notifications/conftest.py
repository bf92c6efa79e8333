import pytest

from comments import services as comment_services


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post through comment_create and run what it leaves for commit (the tests' transaction
    never commits): the receivers run as they would after a real commit."""

    def post(**kwargs):
        kwargs.setdefault("enforce_rate_limit", False)
        with django_capture_on_commit_callbacks(execute=True):
            return comment_services.comment_create(**kwargs)

    return post
