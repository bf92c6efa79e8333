"""Time posting a comment: ours (the service) beside plain django-mptt, in the same run.

For each thread of the bench database (realistic and one-root-tree, 100 / 1,000 / 10,000):

* **ours**: ``comments.services.comment_create`` replying to a random comment of the thread: its
  checks, markdown rendering, its own transaction with the tree's advisory lock, the re-read of
  the parent under the lock, and the MPTT insert, committed;
* **mptt**: plain django-mptt, ``Comment(parent=...).save()`` in a transaction, no lock;
* **mptt_lock**: the same plus the same advisory lock ours takes (PostgreSQL; on SQLite the lock
  is ``BEGIN IMMEDIATE``, which every transaction here already starts with).

and a new root comment (ours with the table-wide lock; plain django-mptt without).

Every post is committed, then deleted again (untimed; django-mptt closes the gap), so the tree
keeps its size and shape from run to run and each run starts from the same tree. Parents are
drawn with a fixed seed; the three variants take turns on the same parents.

    python -m bench.writes --db sqlite
"""

import random
import statistics

from bench import common

BODY = (
    "Replying to the **ablation** point: the `seed_3` run in table 2 moves the metric more than "
    "the method does. See [the appendix](https://arxiv.org/abs/2401.01234) for the variance."
)


def _vacuum(connection) -> None:
    """Clear the dead rows the previous thread's insert-and-delete rounds left (PostgreSQL).

    Each round rewrites about half a tree twice; without this, later threads are timed against
    a table bloated by earlier ones and fresh statistics are missing after the bulk load.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE comments_comment")


def reps_for(n: int) -> int:
    return {100: 15, 1_000: 10}.get(n, 6)


def measure(backend: str) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from comments import services
    from comments.models import Comment
    from forum.markdown import render_markdown
    from roundups.models import Roundup

    generated = common.read_result(backend, "generate")
    if not generated:
        raise SystemExit(f"run `python -m bench.generate --db {backend}` first")
    poster = User.objects.get(username="bench-user-01")
    body_html = render_markdown(BODY)

    def ours(roundup, parent):
        return services.comment_create(
            roundup=roundup, author=poster, body=BODY, parent=parent, enforce_rate_limit=False
        )

    def plain(roundup, parent, lock=False):
        with transaction.atomic():
            if lock:
                if parent is None:
                    services._lock_new_root()
                else:
                    services._lock_tree(parent.tree_id)
            comment = Comment(roundup=roundup, author=poster, body=BODY, body_html=body_html,
                              parent=parent)  # fmt: skip
            comment.save()
        return comment

    variants = {
        "ours": ours,
        "mptt": plain,
        "mptt_lock": lambda roundup, parent: plain(roundup, parent, lock=True),
    }
    results = {}
    rnd = random.Random(5)
    for slug, info in generated["threads"].items():
        n = info["n"]
        _vacuum(connection)
        roundup = Roundup.objects.get(slug=slug)
        ids = list(Comment.objects.filter(roundup=roundup).values_list("id", flat=True))
        targets = [rnd.choice(ids) for _ in range(reps_for(n))]
        samples = {v: [] for v in variants}
        shifted = []
        for k, pk in enumerate([targets[0], *targets]):  # the first round is a warm-up
            for name, post in variants.items():
                parent = Comment.objects.get(pk=pk)  # fresh tree fields each time
                tree = Comment.objects.filter(tree_id=parent.tree_id)
                shifted.append(tree.filter(rght__gte=parent.rght).count())
                seconds, _ = common.timed(
                    lambda post=post, parent=parent, r=roundup: post(r, parent)
                )
                new = Comment.objects.filter(roundup=roundup).order_by("-id").first()
                assert new.parent_id == pk, (new.pk, new.parent_id, pk)
                new.delete()
                if k:
                    samples[name].append(seconds)
        results[slug] = {
            "n": n, "single_root": info["single_root"], "reps": len(targets),
            "median_ms": {v: common.median_ms(s) for v, s in samples.items()},
            "rows_shifted_median": statistics.median(shifted),
        }  # fmt: skip
        print(f"[{backend}] reply into {slug}: " + ", ".join(
            f"{v} {common.median_ms(s):.2f} ms" for v, s in samples.items()))  # fmt: skip

    # A new root comment, on the 10,000-comment thread (the table holds every bench thread).
    _vacuum(connection)
    roundup = Roundup.objects.get(slug="bench-thread-10000")
    samples = {"ours": [], "mptt": [], "mptt_lock": []}
    for k in range(11):
        for name, post in variants.items():
            seconds, _ = common.timed(lambda post=post: post(roundup, None))
            Comment.objects.filter(roundup=roundup).order_by("-id").first().delete()
            if k:
                samples[name].append(seconds)
    results["new-root"] = {
        "n": Comment.objects.count(), "reps": 10,
        "median_ms": {v: common.median_ms(s) for v, s in samples.items()},
    }  # fmt: skip
    print(f"[{backend}] new root: " + ", ".join(
        f"{v} {common.median_ms(s):.2f} ms" for v, s in samples.items()))  # fmt: skip
    results["markdown_ms"] = common.median_ms(
        [common.timed(lambda: render_markdown(BODY))[0] for _ in range(50)]
    )
    results["vendor"] = connection.vendor
    return results


def main(argv=None) -> None:
    backend = common.backend_arg(argv)
    common.setup(backend)
    common.write_result(backend, "writes", measure(backend))


if __name__ == "__main__":
    main()
