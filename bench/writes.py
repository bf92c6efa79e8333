"""Time posting a comment: ours (the service) beside plain django-mptt, in the same run.

For each thread of the bench database (realistic and one-root-tree, 100 / 1,000 / 10,000):

* **ours**: ``comments.services.comment_create`` replying to a random comment of the thread: its
  checks, markdown rendering, its own transaction with the tree's advisory lock, the re-read of
  the parent under the lock, and the MPTT insert, committed;
* **mptt**: django-mptt on our model, ``Comment(parent=...).save()`` (the tree row, then its
  CommentText row) in a transaction, no lock;
* **mptt_lock**: the same plus the same advisory lock ours takes (PostgreSQL; on SQLite the lock
  is ``BEGIN IMMEDIATE``, which every transaction here already starts with);
* **plain_model** / **plain_model_lock** (one-root-tree threads only): genuinely plain
  django-mptt, the reference the issue quotes: a minimal ``PlainNode(MPTTModel)`` (parent, a
  short name, django-mptt's own fields and indexes) in a table of its own in the bench database,
  holding a copy of each one-root tree's parent structure; ``PlainNode(parent=...).save()`` in a
  transaction, without and with the same tree lock. The parent is the node at the same place as
  the comment the other variants reply to, so the same number of rows shifts.

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
            for table in ("comments_comment", "comments_commenttext", PLAIN_TABLE):
                if table in connection.introspection.table_names(cursor):
                    cursor.execute(f"VACUUM ANALYZE {table}")


PLAIN_TABLE = "bench_plainnode"
_plain_model = None


def plain_model():
    """``PlainNode``: django-mptt as its documentation shows it, with nothing of ours.

    Defined on first use (after Django is set up) under the app label ``bench``, which is not an
    installed app: no migration, no settings change; ``fill_plain_trees`` makes its table.
    """
    global _plain_model
    if _plain_model is None:
        from django.db import models
        from mptt.models import MPTTModel, TreeForeignKey

        class PlainNode(MPTTModel):
            parent = TreeForeignKey(
                "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
            )
            name = models.CharField(max_length=50)

            class Meta:
                app_label = "bench"
                db_table = PLAIN_TABLE

        _plain_model = PlainNode
    return _plain_model


def fill_plain_trees(generated) -> dict:
    """(Re)create the PlainNode table with a copy of each one-root bench tree.

    Each copy takes its shape from ``bench.generate.make_spec`` (the same seed and parents as the
    thread), so node ``i`` sits where the thread's ``i``-th comment sits. Returns, per slug, the
    id of the copy's node 0 (node ``i`` has that id + ``i``).
    """
    from django.db import connection, transaction

    from bench import generate

    PlainNode = plain_model()
    with connection.schema_editor() as editor:
        if PLAIN_TABLE in connection.introspection.table_names():
            editor.delete_model(PlainNode)
        editor.create_model(PlainNode)
    first_ids = {}
    next_id, tree_id = 1, 1
    with transaction.atomic():
        for slug, info in generated["threads"].items():
            if not info["single_root"]:
                continue
            spec = generate.make_spec(info["n"], single_root=True)
            PlainNode.objects.bulk_create(
                [
                    PlainNode(
                        id=next_id + i,
                        parent_id=None if p is None else next_id + p,
                        name=f"node {i}",
                        tree_id=tree_id,
                        lft=spec.lft[i],
                        rght=spec.rght[i],
                        level=spec.levels[i],
                    )
                    for i, p in enumerate(spec.parents)
                ],
                batch_size=500,
            )
            first_ids[slug] = next_id
            next_id += spec.n
            tree_id += 1
        generate._reset_sequences(PlainNode)
    return first_ids


def reps_for(n: int) -> int:
    return {100: 15, 1_000: 10}.get(n, 6)


def measure(backend: str) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from comments import locks, services
    from comments.models import Comment, CommentText
    from forum.markdown import render_markdown
    from roundups.models import Roundup

    generated = common.read_result(backend, "generate")
    if not generated:
        raise SystemExit(f"run `python -m bench.generate --db {backend}` first")
    poster = User.objects.get(username="bench-user-01")
    body_html = render_markdown(BODY)
    PlainNode = plain_model()
    plain_first = fill_plain_trees(generated)

    def ours(roundup, parent):
        return services.comment_create(
            roundup=roundup, author=poster, body=BODY, parent=parent, enforce_rate_limit=False
        )

    def plain(roundup, parent, lock=False):
        with transaction.atomic():
            if lock:
                if parent is None:
                    locks.lock_new_root()
                else:
                    locks.lock_tree(parent.tree_id)
            comment = Comment(roundup=roundup, author=poster, parent=parent)
            comment.save()
            CommentText.objects.create(comment=comment, body=BODY, body_html=body_html)
        return comment

    def plain_node(parent, lock=False):
        with transaction.atomic():
            if lock:
                locks.lock_tree(parent.tree_id)
            node = PlainNode(parent=parent, name="reply")
            node.save()
        return node

    variants = {
        "ours": ours,
        "mptt": plain,
        "mptt_lock": lambda roundup, parent: plain(roundup, parent, lock=True),
    }
    plain_variants = {
        "plain_model": plain_node,
        "plain_model_lock": lambda parent: plain_node(parent, lock=True),
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
        plain_at = None
        if info["single_root"]:
            samples.update({v: [] for v in plain_variants})
            # The thread's ids are consecutive in posting order, like the copy's.
            ids.sort()
            assert len(ids) == n and ids[-1] - ids[0] == n - 1, (slug, len(ids))
            plain_at = {pk: plain_first[slug] + (pk - ids[0]) for pk in ids}
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
            if plain_at is None:
                continue
            for name, post in plain_variants.items():
                parent = PlainNode.objects.get(pk=plain_at[pk])
                seconds, _ = common.timed(lambda post=post, parent=parent: post(parent))
                new = PlainNode.objects.order_by("-id").first()
                assert new.parent_id == parent.pk, (new.pk, new.parent_id, parent.pk)
                new.delete()
                if k:
                    samples[name].append(seconds)
        _recount(roundup)
        results[slug] = {
            "n": n, "single_root": info["single_root"], "reps": len(targets),
            "median_ms": {v: common.median_ms(s) for v, s in samples.items()},
            "rows_shifted_median": statistics.median(shifted),
        }  # fmt: skip
        print(f"[{backend}] reply into {slug}: " + ", ".join(
            f"{v} {common.median_ms(s):.2f} ms" for v, s in samples.items()))  # fmt: skip

    # A new root comment, on the 10,000-comment thread (the table holds every bench thread).
    _vacuum(connection)
    roundup = Roundup.objects.get(slug=f"bench-thread-{max(common.SIZES)}")
    samples = {"ours": [], "mptt": [], "mptt_lock": []}
    for k in range(11):
        for name, post in variants.items():
            seconds, _ = common.timed(lambda post=post: post(roundup, None))
            Comment.objects.filter(roundup=roundup).order_by("-id").first().delete()
            if k:
                samples[name].append(seconds)
    _recount(roundup)
    results["new-root"] = {
        "n": Comment.objects.count(), "reps": 10,
        "median_ms": {v: common.median_ms(s) for v, s in samples.items()},
    }  # fmt: skip
    print(f"[{backend}] new root: " + ", ".join(
        f"{v} {common.median_ms(s):.2f} ms" for v, s in samples.items()))  # fmt: skip
    results["vote"] = measure_votes()
    results["markdown_ms"] = common.median_ms(
        [common.timed(lambda: render_markdown(BODY))[0] for _ in range(50)]
    )
    results["vendor"] = connection.vendor
    return results


VOTE_REPS = 41


def measure_votes() -> dict:
    """One vote through ``comments.services.vote_cast``, as the vote view and the API call it.

    On random comments of the 1,000-comment thread (or the smallest generated), by a reader
    who has not voted there: an approval vote up ("vote"), then taking it back ("take_back");
    with two axes (issue #12) also a strong agreement vote ("agreement_strong", taken back
    untimed). Each committed, in its own transaction, like a request's. The timing code calls
    only what both the one-axis and the two-axis ``vote_cast`` take, so one harness measures
    before and after.
    """
    import inspect

    from django.contrib.auth.models import User

    from comments import services
    from comments.models import Comment
    from roundups.models import Roundup

    size = 1_000 if 1_000 in common.SIZES else min(common.SIZES)
    roundup = Roundup.objects.get(slug=f"bench-thread-{size}")
    voter, _ = User.objects.get_or_create(username="bench-vote-timer")
    ids = list(
        Comment.objects.filter(roundup=roundup, state="visible").values_list("id", flat=True)
    )
    two_axes = "axis" in inspect.signature(services.vote_cast).parameters
    samples = {"vote": [], "take_back": []} | ({"agreement_strong": []} if two_axes else {})
    cpu = {name: [] for name in samples}  # this process's CPU: what a busy machine stretches less
    rnd = random.Random(11)
    for rep in range(VOTE_REPS + 3):  # the first three are a warm-up
        comment = Comment.objects.select_related("roundup").get(pk=rnd.choice(ids))
        timings = {
            "vote": common.timed(
                lambda c=comment: services.vote_cast(comment=c, user=voter, value=1)
            ),
            "take_back": common.timed(
                lambda c=comment: services.vote_cast(comment=c, user=voter, value=0)
            ),
        }
        if two_axes:
            timings["agreement_strong"] = common.timed(
                lambda c=comment: services.vote_cast(
                    comment=c, user=voter, value=1, axis="agreement", strong=True
                )
            )
            services.vote_cast(comment=comment, user=voter, value=0, axis="agreement")
        if rep >= 3:
            for name, (seconds, cpu_seconds) in timings.items():
                samples[name].append(seconds)
                cpu[name].append(cpu_seconds)
    medians = {name: common.median_ms(s) for name, s in samples.items()}
    print(f"[{Comment.objects.db}] vote on the {size:,}-comment thread: "
          + ", ".join(f"{k} {v:.3f} ms" for k, v in medians.items()))  # fmt: skip
    return {
        "n": size, "reps": VOTE_REPS, "median_ms": medians,
        "cpu_median_ms": {name: common.median_ms(s) for name, s in cpu.items()},
        "cpu_min_ms": {name: min(s) * 1000 for name, s in cpu.items()},
        "min_ms": {name: min(s) * 1000 for name, s in samples.items()},
    }  # fmt: skip


def _recount(roundup) -> None:
    """The posts counted by ``comment_create`` were deleted again: count the thread afresh, and
    move its version on (a ranking kept with the deleted posts in it is stale)."""
    from django.db.models import F

    from comments.models import Comment

    visible = Comment.objects.filter(roundup=roundup, state=Comment.State.VISIBLE).count()
    type(roundup).objects.filter(pk=roundup.pk).update(
        comment_count=visible, thread_version=F("thread_version") + 1
    )


def main(argv=None) -> None:
    backend = common.backend_arg(argv)
    common.setup(backend)
    common.write_result(backend, "writes", measure(backend))


if __name__ == "__main__":
    main()
