import pytest

from comments import services as comment_services


@pytest.fixture
def post(django_capture_on_commit_callbacks, run_tasks):
    """Post through comment_create, run what it leaves for commit (the tests' transaction never
    commits), then the tasks it enqueued (the fan-out): as a worker would after a real commit."""

    def post(**kwargs):
        kwargs.setdefault("enforce_rate_limit", False)
        with django_capture_on_commit_callbacks(execute=True):
            comment = comment_services.comment_create(**kwargs)
        run_tasks()
        return comment

    return post
