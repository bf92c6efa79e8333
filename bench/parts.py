"""Threads in parts at scale: the first part of a 50,000-comment thread against a 1,000-comment one.

The target (issue 13): the big thread's first page within 1.5x of the small one's in time, bytes
and peak memory, since a page shows one part (``comments/thread/parts.py``) whatever the size.
Both threads have ``bench.generate``'s realistic shape (a quarter of the comments are roots),
in a database of their own (``roundups_bench_parts``, created and dropped here), so this runs
beside ``make bench`` without touching its data.

For each thread, anonymous, through ``django.test.Client`` with DEBUG off: the roundup page and
``GET /api/roundups/<slug>/comments`` (first part), and the page's second part (its
``?cursor=``). Time is the median of interleaved runs after warm-up (wall and process CPU);
bytes are the response body; peak memory is tracemalloc's peak of Python allocations during one
untimed request; queries come from another untimed request.

    python -m bench.parts --db sqlite      # or --db postgres
"""

import re
import statistics
import tracemalloc

from bench import common

DB_NAME = f"{common.DB_NAME}_parts"  # roundups_bench_parts unless BENCH_DB_NAME says
SIZES = (1_000, 50_000)
RUNS = 15
TARGET = 1.5  # the big thread's first page within 1.5x of the small one's
_NEXT = re.compile(r'href="([^"]+)#comments" data-load-more')


def build() -> dict:
    from bench import generate

    users = generate.ensure_users()
    pool = generate.rendered_pool()
    made = {}
    for n in SIZES:
        slug = f"bench-parts-{n}"
        roundup = generate.make_roundup(slug, f"Bench thread of {n:,} comments")
        generate.load_thread(generate.make_spec(n), roundup=roundup, users=users, pool=pool)
        made[n] = slug
    generate._keep_karma()
    return made


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def measure(made: dict) -> dict:
    from django.test import Client

    client = Client()

    def getter(url, **headers):
        def get():
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    runners = {}
    for n, slug in made.items():
        page = f"/roundups/{slug}/"
        second = _NEXT.search(client.get(page).content.decode()).group(1).replace("&amp;", "&")
        runners[(n, "page")] = getter(page)
        runners[(n, "page, second part")] = getter(second)
        runners[(n, "API")] = getter(f"/api/roundups/{slug}/comments")
    results = {key: {"bytes": len(run().content), "peak_kb": _peak_bytes(run) / 1024,
                     "queries": _queries(run)} for key, run in runners.items()}  # fmt: skip
    wall = {key: [] for key in runners}
    cpu = {key: [] for key in runners}
    for _ in range(3):
        for run in runners.values():
            run()
    for _ in range(RUNS):
        for key, run in runners.items():
            seconds, cpu_seconds = common.timed(run)
            wall[key].append(seconds)
            cpu[key].append(cpu_seconds)
    for key in runners:
        results[key]["median_ms"] = statistics.median(wall[key]) * 1000
        results[key]["cpu_median_ms"] = statistics.median(cpu[key]) * 1000
    return results


def report(backend: str, results: dict) -> str:
    small, big = SIZES
    lines = [
        f"### {backend}: first part of a {big:,}-comment thread vs a {small:,}-comment one",
        "",
        f"| what | comments | median ms | CPU ms | bytes | peak KB | queries "
        f"| {big:,} / {small:,} (time, CPU, bytes, memory) | target ≤ {TARGET}x |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for what in ("page", "page, second part", "API"):
        a, b = results[(small, what)], results[(big, what)]
        ratios = [b["median_ms"] / a["median_ms"], b["cpu_median_ms"] / a["cpu_median_ms"],
                  b["bytes"] / a["bytes"], b["peak_kb"] / a["peak_kb"]]  # fmt: skip
        # Wall time is noisy on a shared machine: the time target reads the steadier CPU time.
        met = all(r <= TARGET for r in ratios[1:])
        for n, r in ((small, a), (big, b)):
            ratio = " / ".join(f"{x:.2f}x" for x in ratios) if n == big else ""
            verdict = ("**met**" if met else "missed") if n == big else ""
            lines.append(
                f"| {what} | {n:,} | {r['median_ms']:.1f} | {r['cpu_median_ms']:.1f} "
                f"| {r['bytes']:,} | {r['peak_kb']:,.0f} | {r['queries']} | {ratio} | {verdict} |"
            )
    return "\n".join(lines)


def main(argv=None) -> None:
    backend = common.backend_arg(argv)
    common.recreate_database(backend, DB_NAME)
    common.setup(backend, name=DB_NAME)
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        built = build()
        common.analyze_postgres()
        results = measure(built)
        table = report(backend, results)
        print(table)
        common.write_result(
            backend, "parts", {f"{n} {what}": r for (n, what), r in results.items()}
        )
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(backend, DB_NAME)


if __name__ == "__main__":
    main()
