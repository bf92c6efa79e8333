"""What one reply costs through ``comments.services.comment_create``, many times over.

    python -m bench.reply_cost --db sqlite [--replies 400] [--notify]

A fresh database ``roundups_reply_cost`` (SQLite file or PostgreSQL, as the other bench steps),
one roundup with 20 root comments, then ``--replies`` replies to random roots (fixed seed), each
timed on its own and committed. With ``--notify`` the roots belong to another reader, so every
reply notifies someone (the case the notifications add to); without it the poster replies to
their own comments and nobody is told. Prints the median and mean in milliseconds. `make bench`'s
writes step measures replies inside big threads; this isolates the per-reply overhead (rendering,
validation, the hooks) with enough samples to see a tenth of a millisecond.
"""

import argparse
import random
import statistics
import time

from bench import common

ROOTS = 20
NAME = "roundups_reply_cost"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=common.BACKENDS, default="sqlite")
    parser.add_argument("--replies", type=int, default=400)
    parser.add_argument("--notify", action="store_true")
    args = parser.parse_args(argv)
    common.recreate_database(args.db, NAME)
    common.setup(args.db, name=NAME)
    try:
        samples = _measure(args.replies, notify=args.notify)
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(args.db, NAME)
    print(
        f"[{args.db}] reply{' that notifies' if args.notify else ''}: "
        f"median {statistics.median(samples) * 1000:.3f} ms, "
        f"mean {statistics.mean(samples) * 1000:.3f} ms over {len(samples)}"
    )


def _measure(replies: int, *, notify: bool) -> list[float]:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from comments import services
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
    samples = []
    for n in range(replies):
        parent = rng.choice(roots)
        started = time.perf_counter()
        services.comment_create(
            roundup=roundup, author=poster, parent=parent, body=f"A *reply* {n}",
            enforce_rate_limit=False,
        )  # fmt: skip
        samples.append(time.perf_counter() - started)
    return samples


if __name__ == "__main__":
    main()
