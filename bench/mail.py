"""Series mail: what publishing costs the request, and what the worker sends, at 100 to 10,000.

    python -m bench.mail --db sqlite|postgres [--sizes 100,1000,10000] [--reps 5]

A fresh database ``roundups_bench_mail`` (SQLite file or PostgreSQL, dropped afterwards). Per
size N, a series with N confirmed subscribers, then:

* **publish request**: ``POST /roundups/<slug>/publish/`` by the author through
  ``django.test.Client`` (DEBUG off), ``--reps`` drafts each published once, median wall ms. The
  request writes one ``Mailing`` row (who gets it: the subscribers confirmed by then) and
  enqueues one task; the N delivery rows are written and the mails sent by the worker.
* **worker** (1,000 and 10,000): every pending task and delivery from the publish runs is
  cleared, one more roundup is published, and a real worker process (``manage.py db_worker
  --batch``, the code ``bin/worker`` runs) sends its N mails into an aiosmtpd sink on a loopback
  port (8150-8159) in this process. Throughput = N / (time of the last message at the sink -
  time of the first; the worker writes the N delivery rows before the first). Peak memory = the
  worker process's maximum resident set (``wait4``'s ``ru_maxrss``), which must stay flat from
  1,000 to 10,000 (rows are written, claimed and sent in batches; nothing holds all N).

The machine is shared (2 cores); figures are wall time on it.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

from bench import common

NAME = f"{common.DB_NAME}_mail"  # roundups_bench_mail unless BENCH_DB_NAME says
PORTS = range(8150, 8160)
WORKER_SIZES = (1_000, 10_000)
GROWTH_MAX = 1.5  # publish at 10,000 subscribers vs at 100: "does not grow" within noise
MEMORY_GROWTH_MAX = 1.15  # worker peak memory at 10,000 vs 1,000


class Sink:
    """aiosmtpd handler: counts messages and notes when the first and last came in."""

    def __init__(self):
        self.count, self.first, self.last = 0, None, None

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        self.first = self.first or now
        self.last, self.count = now, self.count + 1
        return "250 OK"


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free loopback port in 8150-8159")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=common.BACKENDS, default="sqlite")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    port = free_port()
    os.environ.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        SITE_URL="https://roundups.example",
    )
    common.recreate_database(args.db, NAME)
    common.setup(args.db, name=NAME)
    try:
        result = measure(args.db, sizes, args.reps, port)
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(args.db, NAME)
    common.write_result(args.db, "mail", result)
    for line in section(args.db, common.read_result(args.db, "mail")):
        print(line)


def measure(backend: str, sizes: list[int], reps: int, port: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    author = _author()
    publish = {n: _publish_median(author, n, reps) for n in sizes}
    worker = {n: _worker_run(backend, author, n, port) for n in sizes if n in WORKER_SIZES}
    return {"sizes": sizes, "reps": reps, "publish_ms": publish, "worker": worker}


def _author():
    from django.contrib.auth.models import Group, User

    author = User.objects.create_user("bench-author", "a@example.org", "x")
    author.groups.add(Group.objects.get(name="Authors"))
    return author


def _series_with(n: int):
    from django.utils import timezone

    from notifications.models import Subscription
    from roundups.models import Series

    series = Series.objects.create(name=f"Bench {n}", slug=f"bench-{n}-{time.monotonic_ns()}")
    now = timezone.now()
    Subscription.objects.bulk_create(
        (
            Subscription(series=series, email=f"r{i}@example.org", confirmed_at=now)
            for i in range(n)
        ),
        batch_size=2000,
    )
    return series


def _draft(author, series, label):
    from roundups.models import PaperEntry, Roundup

    roundup = Roundup.objects.create(
        title=f"Bench roundup {label}", slug=f"bench-{label}-{time.monotonic_ns()}",
        author=author, series=series, intro="This week: **papers**, see [all](/papers/).",
    )  # fmt: skip
    for position in range(1, 11):
        PaperEntry.objects.create(
            roundup=roundup, position=position, title=f"Paper {position}",
            url=f"https://arxiv.org/abs/2401.{position:05d}", authors="A. Author, B. Author",
            abstract="We study things. " * 20, opinion="I liked *this* one. " * 5,
        )  # fmt: skip
    return roundup


def _publish_median(author, n: int, reps: int) -> float:
    from django.test import Client

    from notifications.models import Mailing

    series = _series_with(n)
    client = Client()
    client.force_login(author)
    samples = []
    for rep in range(reps + 1):  # the first is a warm-up
        draft = _draft(author, series, f"{n}-{rep}")
        started = time.perf_counter()
        response = client.post(f"/roundups/{draft.slug}/publish/")
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        assert Mailing.objects.filter(roundup=draft, expanded=False).exists()
        if rep:
            samples.append(elapsed)
    print(f"  publish to {n:,}: median {statistics.median(samples) * 1000:.1f} ms", flush=True)
    return statistics.median(samples) * 1000


def _worker_run(backend: str, author, n: int, port: int) -> dict:
    from aiosmtpd.controller import Controller
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from notifications.models import Delivery, Mailing
    from roundups.services import roundup_publish

    DBTaskResult.objects.all().delete()  # the publish runs' sends: not this measurement's
    Mailing.objects.update(expanded=True)
    roundup = _draft(author, _series_with(n), f"worker-{n}")
    roundup_publish(roundup=roundup, by=author)
    connections.close_all()
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        env = {**os.environ, **common.bench_env(backend, NAME)}
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--queue-name", "*",
             "--interval", "0", "--no-reload"],
            cwd=common.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _, status, usage = os.wait4(worker.pid, 0)
        worker.returncode = os.waitstatus_to_exitcode(status)
        if worker.returncode:
            raise SystemExit(worker.stderr.read().decode()[-3000:])
    finally:
        smtp.stop()
    sent = Delivery.objects.filter(roundup=roundup, status="sent").count()
    assert sink.count == sent == n, (sink.count, sent, n)
    seconds = sink.last - sink.first
    out = {"mails": n, "seconds": seconds, "per_second": n / seconds,
           "peak_rss_mb": usage.ru_maxrss / 1024}  # fmt: skip
    print(f"  worker, {n:,} mails: {out['per_second']:.0f}/s, peak {out['peak_rss_mb']:.0f} MB")
    return out


def section(backend: str, result) -> list[str]:
    """The report's lines for one database (``bench/report.py`` calls this)."""
    if not result:
        return []
    # Read back from JSON, whose keys are strings.
    publish = {int(n): ms for n, ms in result["publish_ms"].items()}
    worker = {int(n): run for n, run in result["worker"].items()}
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend]
    lines = [
        f"### {name}",
        "",
        "| subscribers | publish request, median ms | worker mails/s | worker peak memory, MB |",
        "|---:|---:|---:|---:|",
    ]
    for n in sorted(publish):
        run = worker.get(n)
        rate = f"{run['per_second']:.0f}" if run else "—"
        rss = f"{run['peak_rss_mb']:.0f}" if run else "—"
        lines.append(f"| {n:,} | {publish[n]:.1f} | {rate} | {rss} |")
    lines.append("")
    low, high = min(publish), max(publish)
    growth = publish[high] / publish[low]
    verdict = "met" if growth <= GROWTH_MAX else "not met"
    lines.append(
        f"- Publish at {high:,} / at {low:,} subscribers: {growth:.2f}x "
        f"(target ≤ {GROWTH_MAX}x: {verdict})."
    )
    if all(n in worker for n in WORKER_SIZES):
        flat = worker[WORKER_SIZES[1]]["peak_rss_mb"] / worker[WORKER_SIZES[0]]["peak_rss_mb"]
        verdict = "met" if flat <= MEMORY_GROWTH_MAX else "not met"
        lines.append(
            f"- Worker peak memory at 10,000 / at 1,000 mails: {flat:.2f}x "
            f"(target ≤ {MEMORY_GROWTH_MAX}x: {verdict})."
        )
    lines.append("")
    return lines


if __name__ == "__main__":
    main()
