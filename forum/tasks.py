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

from django.core.signals import setting_changed
from django.db import connection, connections, transaction
from django.dispatch import receiver
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


def enqueue_with_write(task_, *args, statement: tuple[str, list] | None = None) -> None:
    """Enqueue ``task_(*args)`` as part of the current write: it runs only if the write commits.

    With django-tasks-db on the site's own database, the task is a row like any other, so it is
    inserted inside the writer's transaction and commits (or rolls back) with it: one commit
    instead of the write's plus an autocommit INSERT after it, and a worker never sees the task
    before its data. The row is written by one INSERT compiled once per process from
    django-tasks-db's own model (``_TaskInsert``): the backend's ``enqueue`` builds the row
    through a model ``save`` and its result object twice, which cost as much as the rest of
    what a notification adds to a reply (bench/findings.md, round 4). Any other engine (one
    that runs the task at once, or keeps it elsewhere), or no transaction open:
    ``enqueue_on_commit``. Either way a write that rolls back enqueues nothing.

    ``statement``: ``(sql, params)``, one more INSERT/UPDATE of the caller's on the same
    database, written with the task: on PostgreSQL as a ``WITH`` clause of the task's INSERT
    (one statement, one round trip instead of two; PostgreSQL runs a data-modifying ``WITH``
    exactly once, read or not), elsewhere just before it on the same cursor. With no task row
    to write it runs alone, now.
    """
    template = _TaskInsert.template_for(task_)
    if template is not None and connection.in_atomic_block:
        _TaskInsert.run(template, args, statement)
        return
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)
    enqueue_on_commit(task_, *args)


class _TaskInsert:
    """django-tasks-db's ``DBTaskResult`` row for a task, as its backend's ``enqueue`` writes it
    (tests/forum/test_tasks.py compares the two field by field, so a release that changes the
    row fails there). Per task, the INSERT is compiled and the row prepared once from the
    model; a call fills in what changes: the id, the time and the arguments. The templates
    are dropped when the ``TASKS`` setting changes (tests switch engines)."""

    FRESH = ("id", "enqueued_at", "args_kwargs")
    _templates: dict[str, tuple | None] = {}

    @classmethod
    def template_for(cls, task_):
        """The task's prepared INSERT, or None when its engine is not django-tasks-db."""
        key = task_.module_path
        if key not in cls._templates:
            backend = task_.get_backend()
            if type(backend).__module__.startswith("django_tasks_db"):
                cls._templates[key] = cls._prepare(task_, backend)
            else:
                cls._templates[key] = None
        return cls._templates[key]

    @staticmethod
    def run(template, args, statement=None) -> None:
        sql, fresh, params, backend, alias = template
        target = connections[alias]  # this thread's connection (a template outlives threads)
        values = (backend._get_id(), timezone.now(), {"args": _json(args), "kwargs": {}})
        params = list(params)
        for (index, field), value in zip(fresh, values, strict=True):
            params[index] = field.get_db_prep_save(value, target)
        with target.cursor() as cursor:
            if statement is None:
                cursor.execute(sql, params)
            elif target.vendor == "postgresql":
                before, before_params = statement
                cursor.execute(f"WITH before_task AS ({before}) {sql}", [*before_params, *params])
            else:
                cursor.execute(*statement)
                cursor.execute(sql, params)

    @classmethod
    def _prepare(cls, task_, backend) -> tuple:
        from django.db import router
        from django.db.models.sql import InsertQuery
        from django_tasks_db.models import DBTaskResult, get_date_max

        backend.validate_task(task_)
        target = connections[router.db_for_write(DBTaskResult)]
        row = DBTaskResult(
            id=backend._get_id(), args_kwargs={"args": [], "kwargs": {}},
            priority=task_.priority, task_path=task_.module_path,
            queue_name=task_.queue_name, run_after=task_.run_after or get_date_max(),
            backend_name=backend.alias,
        )  # fmt: skip
        fields = list(DBTaskResult._meta.local_concrete_fields)
        query = InsertQuery(DBTaskResult)
        query.insert_values(fields, [row])
        [(sql, _params)] = query.get_compiler(connection=target).as_sql()
        params = [field.get_db_prep_save(field.pre_save(row, True), target) for field in fields]
        fresh = [(fields.index(f), f) for f in fields if f.name in cls.FRESH]
        fresh.sort(key=lambda item: cls.FRESH.index(item[1].name))
        return sql, fresh, params, backend, target.alias


def _json(args) -> list:
    """The arguments as JSON values: what ``normalize_json`` makes of them, without its walk for
    the ints and lists of ints our tasks take."""
    if all(type(a) is int or (type(a) is list and all(type(i) is int for i in a)) for a in args):
        return list(args)
    from django_tasks_db.compat import normalize_json

    return normalize_json(list(args))


@receiver(setting_changed)
def _forget_templates(*, setting, **kwargs):
    if setting in ("TASKS", "DATABASES"):
        _TaskInsert._templates.clear()
