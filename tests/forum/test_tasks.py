"""The task foundation (forum/tasks.py): enqueue on commit, retries with backoff, the worker."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from forum import tasks
from tests.forum import tasks_for_tests

ROOT = Path(__file__).resolve().parents[2]


def test_backoff_doubles_and_is_capped():
    for attempt, base in ((1, 30), (2, 60), (3, 120), (4, 240)):
        delay = tasks.retry_delay(attempt)
        assert base * 0.8 <= delay <= base * 1.2
    assert tasks.retry_delay(30) <= tasks.MAX_DELAY * 1.2


# serialized_rollback, as every transactional test here: a plain flush re-creates content types,
# which a later serialized_rollback test (tests/roundups/test_schedule_concurrency.py) would then
# collide with when it restores its snapshot on PostgreSQL.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rolled_back_write_enqueues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue_on_commit(tasks_for_tests.remember, "k", 1)
        raise RuntimeError("the write fails")
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_committed_write_enqueues_once_and_the_worker_runs_it(run_tasks):
    with transaction.atomic():
        tasks.enqueue_on_commit(tasks_for_tests.remember, "k", 7)
        assert DBTaskResult.objects.count() == 0  # not before the commit
    assert DBTaskResult.objects.count() == 1
    assert run_tasks() == 1
    assert cache.get("k") == 7
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_failing_task_is_enqueued_again_later_with_its_attempt(db, run_tasks):
    cache.delete("flaky-a")
    before = timezone.now()
    tasks_for_tests.flaky.enqueue("flaky-a", 1)
    assert run_tasks(max_tasks=1) == 1
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.return_value["retry"] == 2
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    # base_delay=0 in this task: due at once; the real default waits (test_backoff_...).
    assert retry.run_after >= before
    assert run_tasks() == 1
    assert cache.get("flaky-a") == 2
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_a_task_that_keeps_failing_stops_after_its_attempts(db, run_tasks):
    cache.delete("flaky-b")
    tasks_for_tests.flaky.enqueue("flaky-b", 99)
    assert run_tasks() == 3  # three tries, then the error stands
    last = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert last.status == "FAILED"
    assert last.exception_class_path.endswith("Flaky")
    assert DBTaskResult.objects.filter(status="READY").count() == 0


def test_errors_not_listed_are_not_retried(db, run_tasks):
    tasks_for_tests.broken.enqueue("no")
    assert run_tasks() == 1
    only = DBTaskResult.objects.get()
    assert only.status == "FAILED" and only.exception_class_path == "builtins.ValueError"


def test_a_retry_waits_its_backoff(db, run_tasks, monkeypatch):
    monkeypatch.setattr(tasks, "retry_delay", lambda attempt, base: 120.0)
    cache.delete("flaky-c")
    tasks_for_tests.flaky.enqueue("flaky-c", 1)
    started = timezone.now()
    assert run_tasks() == 1
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after >= started + timedelta(seconds=119)
    assert run_tasks() == 0  # not due yet: the worker leaves it


def test_bin_worker_starts_the_configured_worker(tmp_path):
    """bin/worker on a fresh SQLite database: waits for it, runs the queue, exits in batch mode."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHON": sys.executable,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "forum.settings",
    }
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, timeout=120)
    done = subprocess.run(
        ["bin/worker", "--batch", "-v", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "No more tasks to run" in done.stdout + done.stderr
    unknown = subprocess.run(
        ["bin/worker"],
        cwd=ROOT,
        env={**env, "TASKS_BACKEND": "x.Y"},
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 2 and "no worker command known" in unknown.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enqueue_with_write_commits_or_rolls_back_with_the_write(run_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue_with_write(tasks_for_tests.remember, "w", 1)
        assert DBTaskResult.objects.count() == 1  # in the write's own transaction
        raise RuntimeError("the write fails")
    assert DBTaskResult.objects.count() == 0
    with transaction.atomic():
        tasks.enqueue_with_write(tasks_for_tests.remember, "w", 2)
    assert run_tasks() == 1
    assert cache.get("w") == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_written_with_the_task_commits_or_rolls_back_with_it(
    django_assert_num_queries,
):
    from django.contrib.auth.models import Group
    from django.db import connection

    sql = f"INSERT INTO {connection.ops.quote_name(Group._meta.db_table)} (name) VALUES (%s)"
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue_with_write(tasks_for_tests.remember, "s", 1, statement=(sql, ["lost"]))
        raise RuntimeError("the write fails")
    assert DBTaskResult.objects.count() == 0
    assert not Group.objects.filter(name="lost").exists()
    with transaction.atomic():
        # One statement on PostgreSQL (a WITH clause of the task's INSERT), two elsewhere.
        with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
            tasks.enqueue_with_write(tasks_for_tests.remember, "s", 2, statement=(sql, ["kept"]))
    assert DBTaskResult.objects.get().args_kwargs == {"args": ["s", 2], "kwargs": {}}
    assert Group.objects.filter(name="kept").exists()


def test_enqueue_with_write_writes_the_row_the_backend_writes(db):
    """The compiled INSERT against django-tasks-db's own enqueue, field by field: a release of
    the library that changes its row fails here, not in production."""
    with transaction.atomic():
        tasks.enqueue_with_write(tasks_for_tests.remember, "k", 3)
    ours = DBTaskResult.objects.get()
    theirs = DBTaskResult.objects.get(pk=tasks_for_tests.remember.enqueue("k", 3).id)
    different = {"id", "enqueued_at"}
    for field in DBTaskResult._meta.local_concrete_fields:
        if field.name not in different:
            assert getattr(ours, field.name) == getattr(theirs, field.name), field.name
    assert abs(ours.enqueued_at - theirs.enqueued_at) < timedelta(seconds=5)
    assert ours.task.func is theirs.task.func


def test_enqueue_with_write_on_another_engine_is_on_commit(db, django_capture_on_commit_callbacks):
    class ElsewhereBackend:  # an engine whose tasks do not live in this database (RQ, say)
        pass

    class StubTask:
        module_path = "tests.stub"
        enqueued = []

        def get_backend(self):
            return ElsewhereBackend()

        def enqueue(self, *args):
            self.enqueued.append(args)

    stub = StubTask()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            tasks.enqueue_with_write(stub, 1, 2)
            assert stub.enqueued == []  # not before the commit
    assert len(callbacks) == 1 and stub.enqueued == [(1, 2)]
