"""django-tasks-db's worker run in this process, as ``bin/worker --batch`` runs it."""


def run_worker(*, max_tasks: int | None = None, worker_id: str = "test-worker") -> int:
    """Every due task (at most ``max_tasks``), then stop; returns how many ran. The worker is
    the library's own ``Worker`` (the class behind ``manage.py db_worker``, which ``bin/worker``
    starts): the code production runs, only the process is this one."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.run()
    return worker._run_tasks
