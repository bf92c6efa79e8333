"""Background work: Django's Tasks API, and the one retry policy every task shares.

Every task in the project is declared with ``@background(...)`` from here and enqueued with
``enqueue_on_commit``; nothing else imports the tasks library, so moving to Django 6's
``django.tasks`` changes the import below and nothing more.

The engine is a setting (``TASKS`` in ``forum/settings.py``, the README's ``TASKS_BACKEND``):
``django-tasks-db`` by default, whose ``db_worker`` (``bin/worker``) claims rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` so any number of workers share one PostgreSQL.

The backport runs a task once: a task that raises is recorded as failed and never tried again.
``background`` adds what it lacks, once for every task: a task that raises one of its
``retry_on`` exceptions is enqueued again with ``run_after`` set by an exponential backoff with
jitter (``retry_delay``), carrying its attempt number, up to ``attempts`` tries; the last failure
is raised, so the task's result row holds the error and its traceback. A retry is a new task row:
the failed attempt stays in the table as the record of what went wrong.
"""

import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

try:  # Django 6 ships the Tasks API; on 5.2 the django-tasks backport provides the same one.
    from django.tasks import task
except ImportError:  # pragma: no cover - exercised on Django 6 only
    from django_tasks import task

logger = logging.getLogger(__name__)

ATTEMPTS = 5
BASE_DELAY = 30  # seconds before the second try: 30 s, 1 min, 2 min, 4 min, ... (times jitter)
MAX_DELAY = 3600


def retry_delay(attempt: int, base: float = BASE_DELAY, cap: float = MAX_DELAY) -> float:
    """Seconds before try ``attempt + 1``: doubling from ``base``, capped, with +-20% jitter.

    The jitter keeps a burst of tasks that failed together (a mail server down for a minute)
    from all coming back in the same second.
    """
    delay = min(cap, base * 2 ** (attempt - 1))
    return delay * random.uniform(0.8, 1.2)


def background(
    *,
    queue_name: str = "default",
    priority: int = 0,
    attempts: int = ATTEMPTS,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
    base_delay: float = BASE_DELAY,
) -> Callable:
    """Declare a task: ``@background(queue_name="mail", retry_on=(OSError,))``.

    The decorated function keeps its signature (arguments must be JSON: ids, not model
    instances). ``attempt`` is reserved: it is the try number, 1 on the first run.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, attempt: int = 1, **kwargs):
            try:
                return func(*args, **kwargs)
            except retry_on as exc:
                if attempt >= attempts or not wrapped.get_backend().supports_defer:
                    logger.error(
                        "task %s failed on try %s of %s", func.__qualname__, attempt, attempts
                    )
                    raise
                delay = retry_delay(attempt, base=base_delay)
                wrapped.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                    *args, attempt=attempt + 1, **kwargs
                )
                logger.warning(
                    "task %s failed on try %s (%s: %s); try %s in %.0f s",
                    func.__qualname__,
                    attempt,
                    type(exc).__name__,
                    exc,
                    attempt + 1,
                    delay,
                )
                return {"retry": attempt + 1, "error": f"{type(exc).__name__}: {exc}"}

        wrapped = task(queue_name=queue_name, priority=priority)(run)
        return wrapped

    return decorate


def enqueue_on_commit(task_, *args, **kwargs) -> None:
    """Enqueue ``task_(*args, **kwargs)`` when the current transaction commits (now outside one).

    A write that rolls back enqueues nothing. If enqueueing itself fails (the database went away
    between the commit and this call) the error is logged and the writer's response is not
    failed: work that must not be lost keeps its own state in rows (deliveries, digests) that a
    later run picks up.
    """

    def enqueue():
        try:
            task_.enqueue(*args, **kwargs)
        except Exception:
            logger.exception("could not enqueue %s", task_.module_path)

    transaction.on_commit(enqueue)


def enqueue_with_write(task_, *args, **kwargs) -> None:
    """Enqueue ``task_`` as part of the current write: it runs only if the write commits.

    With django-tasks-db on the site's own database, the task is a row like any other, so it is
    inserted inside the writer's transaction and commits (or rolls back) with it: one commit
    instead of the write's plus an autocommit INSERT after it (bench/findings.md, round 4:
    that second commit was most of what a notification added to a reply). A task row is only
    visible to workers once committed, so a worker never sees the task before its data. Any
    other engine (one that runs the task at once, or keeps it outside this database), or no
    transaction open: ``enqueue_on_commit``. Either way a rolled-back write enqueues nothing.
    """
    from django.db import connection

    backend = task_.get_backend()
    same_database = type(backend).__module__.startswith("django_tasks_db")
    if same_database and connection.in_atomic_block:
        task_.enqueue(*args, **kwargs)
    else:
        enqueue_on_commit(task_, *args, **kwargs)
