"""What one reply costs through ``comments.services.comment_create``, many times over.

    python -m bench.reply_cost --db sqlite [--replies 400] [--notify] [--compare]
        [--enqueue with-write|on-commit] [--http]

A fresh database ``<BENCH_DB_NAME>_reply_cost`` (``roundups_bench_reply_cost`` by default; SQLite
file or PostgreSQL, as the other bench steps: set ``BENCH_DB_NAME`` to keep two checkouts sharing
one PostgreSQL server out of each other's database),
one roundup with 20 root comments, then ``--replies`` replies to random roots (fixed seed), each
timed on its own and committed. With ``--notify`` the roots belong to another reader, so every
reply notifies someone (the case the notifications add to); without it the poster replies to
their own comments and nobody is told. Prints the median and mean in milliseconds. `make bench`'s
writes step measures replies inside big threads; this isolates the per-reply overhead (rendering,
validation, the hooks) with enough samples to see a tenth of a millisecond.

``--compare`` measures what notifications add, in one interleaved run: replies alternate between
the site as it is and the site without the notifications app's receivers (the comment hooks
emptied: no follow, no task), so both medians see the same machine; it prints both and the
difference as a share of the bare reply (the issue's target: under 10% at p50), then the same
in this thread's CPU time (``time.thread_time``), which other processes on a loaded machine
stretch far less than wall time (on SQLite it is nearly all of a reply; on PostgreSQL the
server's share is left out, so wall time stays the headline there). ``--enqueue
on-commit`` enqueues the fan-out task after the commit (``forum.tasks.enqueue_on_commit``, an
autocommit INSERT of its own) instead of inside the reply's transaction, to compare the two.

``--http`` times the reply as a reader's client gets it instead: ``POST
/api/roundups/{slug}/comments`` with a bearer token, over HTTP to a server running in this
process (wsgiref on a free loopback port, the whole middleware stack, DEBUG off), from sending
the request to reading the 201; the same interleaving with and without the receivers, which the
server thread shares. The CPU line is then the whole process's (client and server).
"""

import argparse
import random
import statistics
import time

from bench import common

ROOTS = 20
NAME = f"{common.DB_NAME}_reply_cost"  # dropped and created: never shared between builds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=common.BACKENDS, default="sqlite")
    parser.add_argument("--replies", type=int, default=400)
    parser.add_argument("--notify", action="store_true")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--enqueue", choices=("with-write", "on-commit"), default="with-write")
    parser.add_argument("--http", action="store_true")
    args = parser.parse_args(argv)
    common.recreate_database(args.db, NAME)
    common.setup(args.db, name=NAME)
    if args.enqueue == "on-commit":
        from forum import tasks
        from notifications import services as notification_services

        notification_services.enqueue_with_write = tasks.enqueue_on_commit
    try:
        samples, bare, cpu = _measure(
            args.replies, notify=args.notify, compare=args.compare, http=args.http
        )
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(args.db, NAME)
    label = f"[{args.db}] reply{' over HTTP' if args.http else ''}"
    label += " that notifies" if args.notify else ""
    if args.compare:
        label += f" (enqueue {args.enqueue})"
    print(
        f"{label}: median {statistics.median(samples) * 1000:.3f} ms, "
        f"mean {statistics.mean(samples) * 1000:.3f} ms over {len(samples)}"
    )
    if bare:
        _report_compare(args, samples, bare, cpu)


def _report_compare(args, samples, bare, cpu) -> None:
    added = statistics.median(samples) - statistics.median(bare)
    cpu_with, cpu_without = (statistics.median(c) for c in cpu)
    cpu_pct = (cpu_with - cpu_without) / cpu_without * 100
    common.write_result(args.db, "notify_cost_http" if args.http else "notify_cost", {
        "replies": len(samples), "enqueue": args.enqueue,
        "with_ms": statistics.median(samples) * 1000,
        "without_ms": statistics.median(bare) * 1000,
        "added_pct": added / statistics.median(bare) * 100,
        "cpu_added_pct": cpu_pct,
    })  # fmt: skip
    print(
        f"[{args.db}] same reply without notifications: median "
        f"{statistics.median(bare) * 1000:.3f} ms over {len(bare)}; notifications add "
        f"{added * 1000:.3f} ms = {added / statistics.median(bare) * 100:.1f}% at p50"
    )
    print(
        f"[{args.db}] this process's CPU time per reply: median {cpu_with * 1000:.3f} ms with, "
        f"{cpu_without * 1000:.3f} ms without; notifications add {cpu_pct:.1f}% at p50"
    )


def _measure(replies: int, *, notify: bool, compare: bool, http: bool = False):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from comments import hooks, services
    from roundups.models import Roundup

    call_command("migrate", verbosity=0)
    poster = User.objects.create(username="poster")
    other = User.objects.create(username="other") if notify else poster
    roundup = Roundup.objects.create(
        title="Reply cost", slug="reply-cost", author=poster, status="published",
        published_at=timezone.now(),
    )  # fmt: skip
    roots = [
        services.comment_create(roundup=roundup, author=other, body=f"Root {n}",
                                enforce_rate_limit=False)
        for n in range(ROOTS)
    ]  # fmt: skip
    rng = random.Random(1)
    receivers = list(hooks.comment_posted)
    samples, bare, cpu = [], [], ([], [])
    if http:
        reply, clock = _http_reply(poster, roundup), time.process_time
    else:

        def reply(parent, body):
            services.comment_create(roundup=roundup, author=poster, parent=parent, body=body,
                                    enforce_rate_limit=False)  # fmt: skip

        clock = time.thread_time
    for n in range(replies * (2 if compare else 1)):
        without = compare and n % 2 == 1
        hooks.comment_posted[:] = [] if without else receivers
        parent = rng.choice(roots)
        started, started_cpu = time.perf_counter(), clock()
        reply(parent, f"A *reply* {n}")
        (bare if without else samples).append(time.perf_counter() - started)
        cpu[1 if without else 0].append(clock() - started_cpu)
    hooks.comment_posted[:] = receivers
    return samples, bare, cpu


def _http_reply(poster, roundup):
    """A function posting one reply over HTTP to a server thread of this process (``--http``)."""
    import http.client
    import json
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    from api.models import ApiToken

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    (common.RESULTS / "static").mkdir(exist_ok=True)  # STATIC_ROOT: whitenoise looks for it
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _row, token = ApiToken.objects.issue(poster, name="reply cost")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    path = f"/api/roundups/{roundup.slug}/comments"

    def reply(parent, body):
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
        connection.request("POST", path, json.dumps({"body": body, "parent": parent.pk}), headers)
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        if response.status != 201:
            raise SystemExit(f"reply over HTTP answered {response.status}: {answer[:300]!r}")

    return reply


if __name__ == "__main__":
    main()
