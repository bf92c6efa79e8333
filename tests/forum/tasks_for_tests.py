"""Tasks the task-queue tests enqueue: module level, so a worker can import them by path."""

from django.core.cache import cache

from forum.tasks import background


class Flaky(Exception):
    pass


@background(attempts=3, retry_on=(Flaky,), base_delay=0)
def flaky(key: str, fail_times: int) -> int:
    """Fails the first ``fail_times`` runs for ``key`` (counted in the cache), then succeeds."""
    runs = cache.get(key, 0) + 1
    cache.set(key, runs)
    if runs <= fail_times:
        raise Flaky(f"run {runs}")
    return runs


@background(attempts=3, retry_on=(Flaky,))
def broken(note: str) -> None:
    """Fails with an error it does not retry."""
    raise ValueError(note)


@background()
def remember(key: str, value: int) -> None:
    cache.set(key, value)
