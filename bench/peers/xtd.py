"""The django-comments-xtd peer: the same threads, stored and rendered its way.

Runs in its own process with its own settings module (``bench.peers.xtd_settings``) and its own
database (``roundups_bench_xtd``), because django-comments-xtd brings its own apps and tables.
The threads come from the same seed as ours (``bench.generate.make_spec``), with the same
authors, times and bodies; the body column holds our sanitized ``body_html``, so the same bytes
reach the page. Rows are written straight into django-comments-xtd's two tables with its own
tree columns (``thread_id``, ``parent_id``, ``level``, ``order``, ``nested_count``) filled as its
``save()`` would have, since posting 10,000 comments one by one through it would take minutes.

As for the floor and ``{% recursetree %}``, only comments shallower than our page's
``MAX_DEPTH`` are stored, so every renderer shows the same comments.

Two renderings, both with its own tree tag ``{% render_xtdcomment_tree %}``:

* ``xtd``: its tag with a template showing the same fields as ours (``bench_xtd/tree.html``);
* ``xtd_default``: its tag with its own default ``comment_tree.html`` (gravatar, permalink, reply
  link and a per-comment moderator check).

    python -m bench.peers.xtd --db sqlite
"""

import argparse

from bench import common

NAME = f"{common.DB_NAME}_xtd"  # roundups_bench_xtd unless BENCH_DB_NAME says
SAME_FIELDS = (
    '{% load comments_xtd %}<ul class="thread">'
    "{% render_xtdcomment_tree for object using bench_xtd/tree.html %}</ul>"
)
DEFAULT = "{% load comments_xtd %}{% render_xtdcomment_tree for object %}"


def shown_indices(spec, max_depth):
    return [i for i in range(spec.n) if spec.levels[i] < max_depth]


def load(spec, *, target, users, pool, max_depth) -> int:
    """Write ``spec``'s comments above ``max_depth`` as django-comments-xtd rows on ``target``."""
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone
    from django_comments.models import Comment as BaseComment
    from django_comments_xtd.models import XtdComment

    from bench.generate import _insert, _reset_sequences

    bodies, htmls = pool
    when = connection.ops.adapt_datetimefield_value
    start = timezone.now() - timedelta(days=8)
    kept = shown_indices(spec, max_depth)
    below = dict.fromkeys(kept, 0)
    for i in kept:
        p = spec.parents[i]
        while p is not None:
            below[p] += 1
            p = spec.parents[p]
    # "order" numbers a thread depth-first, which is the order of lft in our numbering.
    order = {}
    for rank, i in enumerate(sorted(kept, key=lambda i: (spec.tree_of[i], spec.lft[i]))):
        order[i] = rank
    ct = ContentType.objects.get_for_model(target)
    with transaction.atomic():
        first = (BaseComment.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        ids = {i: first + k for k, i in enumerate(kept)}
        base, xtd = [], []
        for i in kept:
            user = users[spec.authors[i]]
            base.append({
                "id": ids[i], "content_type_id": ct.pk, "object_pk": str(target.pk),
                "site_id": 1, "user_id": user.pk, "user_name": user.username,
                "user_email": user.email, "user_url": "",
                "comment": htmls[spec.bodies[i]],
                "submit_date": when(start + timedelta(seconds=spec.offsets[i])),
                "ip_address": None, "is_public": True, "is_removed": False,
            })  # fmt: skip
            root = spec.tree_of[i]
            parent = spec.parents[i]
            xtd.append({
                "comment_ptr_id": ids[i], "thread_id": ids[root],
                "parent_id": ids[i] if parent is None else ids[parent],
                "level": spec.levels[i], "order": order[i] - order[root] + 1,
                "followup": False, "nested_count": below[i],
            })  # fmt: skip
        _insert(BaseComment, base)
        _insert(XtdComment, xtd)
        _reset_sequences(BaseComment)
    return len(kept)


def render(template, target) -> str:
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context

    return template.render(Context({"object": target, "user": AnonymousUser()}))


def count(text: str, variant: str) -> int:
    return text.count('<li id="c' if variant == "xtd" else '<div id="c')


def build(sizes, seed=None):
    """Create the users and one commented object per size; return {n: (target, expected)}."""
    from django.contrib.auth.models import User
    from django.contrib.sites.models import Site

    from bench.generate import AUTHORS, SEED, make_spec, rendered_pool
    from comments.thread.tree import MAX_DEPTH

    seed = SEED if seed is None else seed
    names = [f"bench-user-{i:02d}" for i in range(AUTHORS)]
    User.objects.bulk_create(
        [User(username=n, email=f"{n}@example.org", password="!") for n in names],
        ignore_conflicts=True,
    )
    by_name = {u.username: u for u in User.objects.filter(username__in=names)}
    users = [by_name[n] for n in names]
    pool = rendered_pool(seed)
    made = {}
    for n in sizes:
        # The commented object: a Site row stands in for a roundup (django-comments-xtd
        # attaches comments to any model through a content type).
        target, _ = Site.objects.get_or_create(domain=f"thread-{n}.bench", name=f"thread {n}")
        spec = make_spec(n, seed=seed)
        made[n] = (target, load(spec, target=target, users=users, pool=pool, max_depth=MAX_DEPTH))
    return made


def measure(made) -> dict:
    from django.template import engines

    templates = {
        "xtd": engines["django"].from_string(SAME_FIELDS).template,
        "xtd_default": engines["django"].from_string(DEFAULT).template,
    }
    results = {}
    for n, (target, expected) in made.items():
        # Its default template checks a permission per comment (queries each time): ~14 ms a
        # comment, so a few runs at 100 and 1,000 and none at 10,000 keep `make bench` bounded.
        active = {v: t for v, t in templates.items() if v == "xtd" or n <= 1_000}
        shown = {v: count(render(t, target), v) for v, t in active.items()}
        if set(shown.values()) != {expected}:
            raise SystemExit(f"xtd {n}: rendered {shown}, expected {expected} comments")
        warmup, _ = common.reps_for(n)
        reps = common.peer_reps_for(n)
        default_reps = {100: 5, 1_000: 2}.get(n, 0)
        samples = {v: [] for v in active}
        cpu = {v: [] for v in active}
        for _ in range(warmup - 1 if n < 10_000 else 0):  # the counting render warmed up once
            render(active["xtd"], target)
        for rep in range(reps):
            for v, t in active.items():
                if v == "xtd_default" and rep >= default_reps:
                    continue
                wall, cpu_s = common.timed(lambda t=t, target=target: render(t, target))
                samples[v].append(wall)
                cpu[v].append(cpu_s)
        results[str(n)] = {
            "n": n, "shown": expected, "reps": reps,
            "median_ms": {v: common.median_ms(s) for v, s in samples.items()},
            "cpu_median_ms": {v: common.median_ms(s) for v, s in cpu.items()},
        }  # fmt: skip
        print(f"[xtd] {n:>6,} comments ({expected:,} shown, {reps} runs): " + ", ".join(
            f"{v} {common.median_ms(s):.1f} ms" for v, s in samples.items()))  # fmt: skip
    return results


def check(backend: str, n: int) -> None:
    import json

    name = NAME + "_check"
    common.recreate_database(backend, name)
    common.setup(backend, settings="bench.peers.xtd_settings", name=name)
    from django.core.management import call_command
    from django.db import connections
    from django.template import engines

    call_command("migrate", verbosity=0, interactive=False)
    target, expected = build([n])[n]
    shown = {"expected": expected}
    for variant, source in (("xtd", SAME_FIELDS), ("xtd_default", DEFAULT)):
        template = engines["django"].from_string(source).template
        shown[variant] = count(render(template, target), variant)
    print(json.dumps(shown))
    connections.close_all()
    common.drop_database(backend, name)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=common.BACKENDS, default="sqlite")
    parser.add_argument("--sizes", default=",".join(map(str, common.SIZES)))
    parser.add_argument("--keep", action="store_true", help="leave the database for a look")
    parser.add_argument(
        "--check", type=int, metavar="N",
        help="tests: load one thread of N comments, print the counts each rendering shows, "
        "time nothing",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.check:
        return check(args.db, args.check)
    sizes = [int(s) for s in args.sizes.split(",")]
    try:
        import django_comments_xtd  # noqa: F401
    except ImportError as error:
        message = f"django-comments-xtd not installed: {error}"
        common.write_result(args.db, "xtd", {"error": message})
        raise SystemExit(message + " (pip install -e '.[bench]')") from None
    common.recreate_database(args.db, NAME)
    common.setup(args.db, settings="bench.peers.xtd_settings", name=NAME)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    import django_comments_xtd as xtd_pkg

    built = build(sizes)
    common.analyze_postgres()  # as for our own tables (bench/generate.py)
    results = {"version": xtd_pkg.get_version() if hasattr(xtd_pkg, "get_version") else "",
               "sizes": measure(built)}  # fmt: skip
    common.write_result(args.db, "xtd", results)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        common.drop_database(args.db, NAME)


if __name__ == "__main__":
    main()
