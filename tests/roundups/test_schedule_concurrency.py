"""Two workers on PostgreSQL publish each scheduled draft exactly once.

django-tasks-db's workers claim task rows with SELECT ... FOR UPDATE SKIP LOCKED, so one task
row runs once. But one draft can have two task rows due at once (scheduled, unscheduled and
scheduled again for the same minute; or a task enqueued twice): then the two workers run them
side by side, and only the roundup's row lock in ``roundup_publish_due`` keeps the second from
publishing again. A receiver of ``roundup_published`` sleeps while the first holds that lock,
so the second worker really does arrive while the first is publishing.
"""

import threading
import time
from datetime import timedelta

from django.db import connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from roundups import hooks
from roundups.models import Roundup
from roundups.services import roundup_schedule
from roundups.tasks import publish_scheduled
from tests import factories
from tests.support.databases import postgres_race_marks

pytestmark = postgres_race_marks()

DRAFTS = 4
HOLD_SECONDS = 0.3  # how long the first publisher keeps the row locked


def run_workers(count: int) -> list[BaseException]:
    """``count`` django-tasks-db workers (batch mode), each in its own thread and connection,
    started together; returns what they raised."""
    barrier = threading.Barrier(count)
    errors = []

    def work(n):
        try:
            barrier.wait()
            Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=f"racer-{n}",
                excluded_queue_names=[],
            ).run()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_workers_publish_each_scheduled_draft_once(monkeypatch):
    author = factories.make_author("racer")
    fired, fired_lock = [], threading.Lock()

    def slow_receiver(*, roundup):
        with fired_lock:
            fired.append(roundup.pk)
        time.sleep(HOLD_SECONDS)  # inside the publishing transaction: the row stays locked

    monkeypatch.setattr(hooks, "roundup_published", [slow_receiver])
    when = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    drafts = [
        factories.make_roundup(author=author, published=False, entries=1) for _ in range(DRAFTS)
    ]
    for draft in drafts:
        roundup_schedule(roundup=draft, by=author, publish_at=when)  # enqueued on commit
        # The same task a second time, due at the same time: the duplicate the lock must stop.
        publish_scheduled.using(run_after=when).enqueue(draft.pk, when.isoformat())
    assert DBTaskResult.objects.filter(status="READY").count() == 2 * DRAFTS
    DBTaskResult.objects.update(run_after=timezone.now())  # the time has come

    assert run_workers(2) == []

    assert sorted(fired) == sorted(draft.pk for draft in drafts)  # each once
    results = list(DBTaskResult.objects.values_list("status", "return_value", "worker_ids"))
    assert {status for status, _, _ in results} == {"SUCCESSFUL"}
    outcomes = sorted(value for _, value, _ in results)
    assert outcomes == ["published"] * DRAFTS + ["skipped"] * DRAFTS
    # Both workers took part (else this proved nothing about two of them).
    assert {ids[0] for _, _, ids in results} == {"racer-0", "racer-1"}
    published = Roundup.objects.filter(pk__in=[d.pk for d in drafts])
    assert all(r.is_published and r.publish_at is None for r in published)
