"""``make bench-scale``: every list page, search and the thread's first page at two site sizes.

Builds two databases per backend with bulk inserts (raw multi-row INSERTs, as ``bench.generate``
does for threads), then times each surface through ``django.test.Client`` (DEBUG off) on both:

* **large**: 2,000 roundups, 20,000 papers (24,000 entries), 200,000 comments including a
  50,000- and a 10,000-comment thread, 50,000 moderation-log entries, one user with 10,000
  comments, 10,000 open suggestions;
* **small**: a twentieth of each (100 roundups, 1,000 papers, 10,000 comments with a 1,000- and
  a 500-comment thread, 2,500 log entries, a user with 500 comments, 500 suggestions).

Each surface is timed as a median of repeated requests after warm-up; its query count, response
bytes (uncompressed) and peak Python memory (``tracemalloc``) come from separate, untimed requests,
since capturing either slows the timed ones. "Last page" rows ask for the list's deepest keyset
page (the cursor of the row one page from the end), which OFFSET pagination made the slowest.
The targets are ratios within one run: large within 1.5x of small for every list page and
search, and a common word (in about half of all comments) under 10x a rare one at the large size.
The thread rows compare the 50,000-comment thread's first page with the 1,000-comment one's.

    python -m bench.scale --db sqlite        # build both sizes, time, write bench/.results
    python -m bench.scale --report           # the table into docs/benchmarks.md (marked section)

The databases are ``$BENCH_SCALE_DB_small`` and ``_large`` (default ``roundups_scale``), dropped
after the run unless ``--keep``.
"""

import argparse
import os
import random
import sys
import time
import tracemalloc
from datetime import timedelta

from bench import common

DB_NAME = os.environ.get("BENCH_SCALE_DB", "roundups_scale")
SIZES = {
    "small": {"roundups": 100, "papers": 1_000, "comments": 10_000, "threads": (1_000, 500),
              "log": 2_500, "prolific": 500, "suggestions": 500},
    "large": {"roundups": 2_000, "papers": 20_000, "comments": 200_000,
              "threads": (50_000, 10_000), "log": 50_000, "prolific": 10_000,
              "suggestions": 10_000},
}  # fmt: skip
ENTRIES_PER_ROUNDUP = 12
SERIES_SHARE = 4  # 3 of every 4 roundups are in the measured series ("bench-weekly"): more than
# a page of it (50) at the small size too, so both sizes show full pages
RARE_WORD = "zeppelin"  # in 5 comments and one paper title at either size
COMMON_WORD = "model"  # in about half of the generated comment bodies
SEED = 20_261_201
# (warm-up, timed) requests per surface and size; searches and threads take seconds on SQLite.
RUNS = {"list": (2, 7), "search": (1, 5), "thread": (1, 3)}
START, END = "<!-- bench-scale:start -->", "<!-- bench-scale:end -->"


# --- building ------------------------------------------------------------------------------------


def _people():
    from django.contrib.auth.models import Group, User

    from accounts.roles import AUTHORS, MODERATORS
    from bench.generate import ensure_users

    made = {}
    for name, group in (("bench-author", AUTHORS), ("bench-mod", MODERATORS),
                        ("bench-prolific", None)):  # fmt: skip
        user, _ = User.objects.get_or_create(username=name, defaults={"password": "!"})
        if group:
            user.groups.add(Group.objects.get(name=group))
        made[name] = user
    return made, ensure_users()


def _roundups(size, author, series_id, when):
    from bench.generate import _insert
    from forum.markdown import render_markdown
    from roundups.models import Roundup

    intro = "This week: **twelve papers**, a replication and a long discussion."
    intro_html, outro_html = render_markdown(intro), render_markdown("See you next week.")
    rows = []
    for i in range(1, size["roundups"] + 1):
        in_series = i % SERIES_SHARE != 0
        rows.append({
            "id": i, "title": f"Roundup {i}: models, benchmarks and methods", "slug": f"r-{i}",
            "author_id": author.pk, "series_id": series_id if in_series else None,
            "number": i // SERIES_SHARE if in_series else None, "intro": intro,
            "intro_html": intro_html, "outro": "See you next week.", "outro_html": outro_html,
            "status": "published", "published_at": when(i), "crosspost_url": "",
            "comments_locked": False, "comment_count": 0, "created_at": when(i),
            "updated_at": when(i),
        })  # fmt: skip
    _insert(Roundup, rows)


def _entries(size) -> list[str]:
    """Twelve entries per roundup over ``papers`` distinct links (the rest cover a paper again);
    returns the paper keys."""
    from bench.generate import _insert
    from roundups.models import PaperEntry
    from roundups.papers import paper_key

    rnd = random.Random(SEED)
    opinion = "Worth reading for the **ablations**."
    opinion_html = "<p>Worth reading for the <strong>ablations</strong>.</p>"
    rows, n = [], 0
    for roundup in range(1, size["roundups"] + 1):
        for position in range(1, ENTRIES_PER_ROUNDUP + 1):
            paper = n if n < size["papers"] else rnd.randrange(size["papers"])
            n += 1
            title = f"Paper {paper}: scaling attention for retrieval"
            if paper == 7:
                title += f" with a {RARE_WORD}"
            url = f"https://arxiv.org/abs/{2000 + paper // 90000}.{paper % 90000:05d}"
            rows.append({
                "id": n, "roundup_id": roundup, "position": position, "title": title,
                "url": url, "authors": "A. Author, B. Author", "year": 2024,
                "abstract": "We study model scaling and find results. " * 3, "opinion": opinion,
                "opinion_html": opinion_html, "code_url": "", "related": "", "related_html": "",
                "paper_key": paper_key(url), "comment_count": 0,
            })  # fmt: skip
    _insert(PaperEntry, rows)
    return sorted({row["paper_key"] for row in rows})


def _comments(size, users) -> None:
    """The two big threads on roundups 1 and 2; the rest spread over the others, one shape each
    (no votes: only the big threads' pages show them)."""
    from bench.generate import load_thread, make_spec, rendered_pool
    from roundups.models import Roundup

    pool = rendered_pool()
    roundups = {r.pk: r for r in Roundup.objects.all()}
    for pk, n in zip((1, 2), size["threads"], strict=True):
        load_thread(make_spec(n, seed=SEED), roundup=roundups[pk], users=users, pool=pool)
    rest = size["comments"] - sum(size["threads"])
    others = size["roundups"] - 2
    spec = make_spec(rest // others, seed=SEED + 1)
    spec.votes = [[] for _ in range(spec.n)]
    for pk in range(3, size["roundups"] + 1):
        load_thread(spec, roundup=roundups[pk], users=users, pool=pool)


def _log_and_suggestions(size, people, when) -> None:
    from bench.generate import _insert
    from comments.models import Comment, ModerationAction
    from papers.models import PaperSuggestion

    bulk = Comment.objects.filter(roundup_id__gt=2).order_by("id")
    targets = list(bulk.values_list("id", "roundup_id", "author_id")[: size["log"]])
    _insert(ModerationAction, [
        {"id": k + 1, "moderator_id": people["bench-mod"].pk, "action": "edit",
         "comment_id": pk, "roundup_id": roundup_id, "user_id": author_id,
         "reason": "Fixed a broken link.", "created_at": when(k / 20)}
        for k, (pk, roundup_id, author_id) in enumerate(targets)
    ])  # fmt: skip
    roots = bulk.filter(parent__isnull=True).values_list("id", flat=True)
    _insert(PaperSuggestion, [
        {"id": k + 1, "comment_id": pk, "title": f"Suggested paper {k}",
         "url": f"https://example.org/paper/{k}", "blurb": "Worth a look: it replicates.",
         "status": "open", "taken_entry_id": None, "taken_by_id": None, "taken_at": None,
         "paper_key": f"example.org/paper/{k}", "supporter_count": 1, "merged_into_id": None,
         "declined_reason": "", "declined_by_id": None, "declined_at": None,
         "created_at": when(k / 4)}
        for k, pk in enumerate(roots[: size["suggestions"]])
    ])  # fmt: skip


def _finish(size, people, keys) -> None:
    """The prolific user's comments, the rare word, Paper rows, karma, sequences, statistics."""
    from django.db import connection

    from bench.generate import _keep_karma, _reset_sequences
    from comments.models import Comment, CommentText, ModerationAction
    from papers.models import PaperSuggestion
    from roundups.models import PaperEntry, Roundup, papers_refresh

    bulk = Comment.objects.filter(roundup_id__gt=2).order_by("id")
    mine = list(bulk.values_list("id", flat=True)[: size["prolific"]])
    for k in range(0, len(mine), 500):
        Comment.objects.filter(id__in=mine[k : k + 500]).update(author=people["bench-prolific"])
    rare = list(bulk.values_list("id", flat=True)[1000:1005])
    for text in CommentText.objects.filter(comment_id__in=rare):
        CommentText.objects.filter(pk=text.pk).update(body=f"{text.body} A {RARE_WORD} story.")
    for k in range(0, len(keys), 500):
        papers_refresh(keys[k : k + 500])
    _keep_karma()
    _reset_sequences(Roundup, PaperEntry, ModerationAction, PaperSuggestion)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def build(size_name: str) -> dict:
    """Fill the current (empty, migrated) database with ``size_name``; return the timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from roundups.models import Series

    size = SIZES[size_name]
    now = timezone.now()

    def when(hours_ago):
        return connection.ops.adapt_datetimefield_value(now - timedelta(hours=hours_ago))

    def day(days_ago):  # roundups: one a day, the newest a week ago (threads span a week)
        return when(24 * (days_ago + 7))

    started = time.perf_counter()
    with transaction.atomic():
        people, users = _people()
        series = Series.objects.create(name="Bench weekly", slug="bench-weekly")
        _roundups(size, people["bench-author"], series.pk, day)
        keys = _entries(size)
    _comments(size, users)
    with transaction.atomic():
        _log_and_suggestions(size, people, when)
        _finish(size, people, keys)
    return {"build_s": time.perf_counter() - started}


# --- timing --------------------------------------------------------------------------------------


def _last_cursor(queryset, field, page_size):
    """The ``?after=`` cursor whose page is the list's last one."""
    from forum.keyset import encode_cursor

    total = queryset.count()
    if total <= page_size:
        return None
    row = queryset.order_by(f"-{field}", "-pk").values_list(field, "pk")[total - page_size - 1]
    return encode_cursor(*row)


def surfaces() -> list[tuple[str, str, str, bool]]:
    """(name, kind, url, signed in) of every surface timed."""
    from api.endpoints.roundups import PAGE_SIZE as API_PAGE
    from comments.models import ModerationAction
    from comments.views import MODERATION_LOG_PAGE_SIZE
    from papers.models import PaperSuggestion
    from papers.queries import INDEX_PAGE_SIZE
    from papers.views import SUGGESTIONS_PAGE_SIZE
    from roundups.models import Paper, Roundup
    from roundups.views import HOME_PAGE_SIZE, SERIES_PAGE_SIZE

    published = Roundup.objects.published()
    lists = [
        ("home", "/", published, "published_at", HOME_PAGE_SIZE, False),
        ("series", "/series/bench-weekly/", published.filter(series__slug="bench-weekly"),
         "published_at", SERIES_PAGE_SIZE, False),
        ("moderation log", "/moderation/log/", ModerationAction.objects.all(), "created_at",
         MODERATION_LOG_PAGE_SIZE, False),
        ("suggestions", "/suggestions/", PaperSuggestion.objects.open(), "created_at",
         SUGGESTIONS_PAGE_SIZE, True),
        ("papers", "/papers/", Paper.objects.covered(), "last_covered_at", INDEX_PAGE_SIZE, False),
    ]  # fmt: skip
    found = []
    for name, url, queryset, field, page_size, signed in lists:
        found.append((name, "list", url, signed))
        cursor = _last_cursor(queryset, field, page_size)  # None: one page holds the list
        last = f"{url}?after={cursor}" if cursor else url
        found.append((f"{name}, last page", "list", last, signed))
    found.append(("GET /api/roundups", "list", "/api/roundups", False))
    cursor = _last_cursor(published, "published_at", API_PAGE)
    last = f"/api/roundups?cursor={cursor}" if cursor else "/api/roundups"
    found.append(("GET /api/roundups, last page", "list", last, False))
    found += [
        ("profile (the user with most comments)", "list", "/users/bench-prolific/", False),
        (f"search, rare word ({RARE_WORD})", "search", f"/search/?q={RARE_WORD}", False),
        (f"search, common word ({COMMON_WORD})", "search", f"/search/?q={COMMON_WORD}", False),
        ("thread page, biggest thread", "thread", "/roundups/r-1/", False),
        ("thread API, biggest thread", "thread", "/api/roundups/r-1/comments", False),
    ]
    return found


def _sample(client, url) -> tuple[float, float]:
    wall, cpu = common.timed(lambda: client.get(url))
    return wall, cpu


def _count_and_peak(client, url) -> tuple[int, int, float]:
    """Queries, bytes and peak Python KB of one request (untimed: both slow it down)."""
    from django.db import connection

    queries = []  # counted by a wrapper: the request's start clears Django's query log

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return len(queries), len(response.content), peak / 1024


def measure(surface: dict, use) -> dict:
    """One surface at every size in ``surface`` (size -> (url, client)), runs interleaved size
    by size, so load from elsewhere on the machine falls on all sizes alike."""
    warm, timed = RUNS[surface["kind"] if surface["kind"] in RUNS else "list"]
    samples = {size: [] for size in surface["at"]}
    for run in range(warm + timed):
        for size, (url, client) in surface["at"].items():
            use(size)
            if run < warm:
                assert client.get(url).status_code == 200, url
            else:
                samples[size].append(_sample(client, url))
    rows = {}
    for size, (url, client) in surface["at"].items():
        use(size)
        queries, size_bytes, peak = _count_and_peak(client, url)
        rows[size] = {
            "name": surface["name"], "kind": surface["kind"], "url": url,
            "ms": common.median_ms([wall for wall, _ in samples[size]]),
            # This process's CPU: steadier than wall time on a shared machine, but without
            # PostgreSQL's share of the work.
            "cpu_ms": common.median_ms([cpu for _, cpu in samples[size]]),
            "queries": queries, "bytes": size_bytes, "peak_kb": peak,
        }  # fmt: skip
    return rows


def _clients():
    from django.contrib.auth.models import User
    from django.test import Client

    author = Client()
    author.force_login(User.objects.get(username="bench-author"))
    return Client(), author


def time_all(use=None, sizes=("only",)) -> dict[str, list[dict]]:
    """Every surface at each of ``sizes`` (``use(size)`` switches the database): size -> rows."""
    use = use or (lambda size: None)
    found = {}
    for size in sizes:
        use(size)
        anonymous, author = _clients()
        for name, kind, url, signed in surfaces():
            entry = found.setdefault(name, {"name": name, "kind": kind, "at": {}})
            entry["at"][size] = (url, author if signed else anonymous)
    rows = {size: [] for size in sizes}
    for surface in found.values():
        for size, row in measure(surface, use).items():
            rows[size].append(row)
        shown = ", ".join(f"{size} {rows[size][-1]['ms']:.1f} ms" for size in sizes)
        print(f"  {surface['name']}: {shown}", flush=True)
    return rows


def _migrate_and_build(backend: str, size_name: str) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    # DEBUG is off, so pages need the static manifest.
    call_command("collectstatic", verbosity=0, interactive=False, clear=True)
    migrated = time.perf_counter() - started
    print(f"[{backend}] building {size_name}...", flush=True)
    result = build(size_name) | {"migrate_s": migrated}
    print(f"[{backend}] {size_name} built in {result['build_s']:.0f}s", flush=True)
    return result


def run_size(backend: str, size_name: str, keep: bool, *, timing=True) -> None:
    """Build one size in a fresh database (and time it alone unless ``timing`` is off)."""
    from django.db import connections

    name = f"{DB_NAME}_{size_name}"
    common.recreate_database(backend, name)
    common.setup(backend, name=name)
    result = _migrate_and_build(backend, size_name)
    if timing:
        result["rows"] = time_all()["only"]
    common.write_result(backend, f"scale-{size_name}", result)
    connections["default"].close()
    if not keep:
        common.drop_database(backend, name)


def time_both(backend: str, keep: bool) -> None:
    """Time both built sizes in one process, interleaved: each request to the small site is
    followed by the same request to the large one, on two connections kept open."""
    from django.db import connections
    from django.db.utils import load_backend

    common.setup(backend, name=f"{DB_NAME}_small")
    small = connections["default"]
    settings_large = dict(small.settings_dict)
    settings_large["NAME"] = (
        f"{DB_NAME}_large"
        if backend == "postgres"
        else str(common.RESULTS / f"{DB_NAME}_large.sqlite3")
    )
    large = load_backend(settings_large["ENGINE"]).DatabaseWrapper(settings_large, "default")
    wrappers = {"small": small, "large": large}

    def use(size):
        connections["default"] = wrappers[size]

    print(f"[{backend}] timing both sizes, interleaved", flush=True)
    rows = time_all(use, ("small", "large"))
    for size, wrapper in wrappers.items():
        result = common.read_result(backend, f"scale-{size}")
        common.write_result(backend, f"scale-{size}", result | {"rows": rows[size]})
        wrapper.close()
    if not keep:
        for size in wrappers:
            common.drop_database(backend, f"{DB_NAME}_{size}")


def main_backend(backend: str, keep: bool) -> None:
    """Build each size in a process of its own (Django's settings are set once per process),
    then time both in one more, interleaved."""
    import subprocess

    for size_name in ("small", "large"):
        command = [sys.executable, "-m", "bench.scale", "--db", backend, "--size", size_name]
        subprocess.run(command + ["--keep", "--build-only"], check=True, cwd=common.ROOT)
    command = [sys.executable, "-m", "bench.scale", "--db", backend, "--time-both"]
    subprocess.run(command + (["--keep"] if keep else []), check=True, cwd=common.ROOT)


# --- report --------------------------------------------------------------------------------------


def _ratio(large, small) -> float:
    return large / small if small else float("inf")


def table(backend: str, results: dict) -> list[str]:
    small = {row["name"]: row for row in results["small"]["rows"]}
    large = {row["name"]: row for row in results["large"]["rows"]}
    out = [
        f"### {backend}",
        "",
        f"Built with bulk inserts in {results['small']['build_s']:.0f} s (small) and "
        f"{results['large']['build_s']:.0f} s (large), after migrating.",
        "",
        "| surface | small ms | large ms | growth | CPU growth | target ≤ 1.5x "
        "| queries (small / large) | bytes (small / large) | peak KB (small / large) |",
        "|---|---:|---:|---:|---:|---|---|---|---|",
    ]
    for name, big in large.items():
        little = small[name]
        growth = _ratio(big["ms"], little["ms"])
        checks = [growth]
        if big["kind"] == "thread":
            checks += [
                _ratio(big["bytes"], little["bytes"]),
                _ratio(big["peak_kb"], little["peak_kb"]),
            ]
        ok = "✓" if all(value <= 1.5 for value in checks) else "✗"
        if big["kind"] == "thread":
            ok += f" (bytes {checks[1]:.1f}x, memory {checks[2]:.1f}x)"
        cpu = (
            f"{_ratio(big['cpu_ms'], little['cpu_ms']):.2f}x"
            if big.get("cpu_ms") and little.get("cpu_ms")
            else "—"
        )
        out.append(
            f"| {name} | {little['ms']:.1f} | {big['ms']:.1f} | {growth:.2f}x | {cpu} | {ok} "
            f"| {little['queries']} / {big['queries']} | {little['bytes']:,} / {big['bytes']:,} "
            f"| {little['peak_kb']:,.0f} / {big['peak_kb']:,.0f} |"
        )
    rare = next(row for name, row in large.items() if name.startswith("search, rare"))
    common_row = next(row for name, row in large.items() if name.startswith("search, common"))
    ratio = _ratio(common_row["ms"], rare["ms"])
    out += ["", f"Common-word search against rare-word search at the large size: {ratio:.1f}x "
            f"(target under 10x: {'✓' if ratio < 10 else '✗'}).", ""]  # fmt: skip
    return out


def section() -> str:
    out = [
        START,
        "## At any size (`bench/scale.py`, `make bench-scale`)",
        "",
        "Written by `make bench-scale`; `make bench` keeps this section when it rewrites the "
        "file. Median ms of 7 requests after 2 warm-ups (searches 5 after 1, threads 3 after 1) "
        "through `django.test.Client`, DEBUG off; queries, bytes (uncompressed) and peak Python "
        "memory (tracemalloc) from separate untimed requests. Growth is large / small in wall "
        "time (the target); CPU growth is the same ratio of this process's CPU time, steadier on "
        "a shared machine but blind to PostgreSQL's share. Both sizes are timed in one process, "
        "interleaved request by request, so load from other work falls on both alike. Small: 100 "
        "roundups, 1,000 papers, 10,000 comments (threads of 1,000 and 500), 2,500 log entries, "
        "500 suggestions. Large: 2,000 roundups, 20,000 papers, 200,000 comments (threads of "
        "50,000 and 10,000), 50,000 log entries, a user with 10,000 comments, 10,000 open "
        'suggestions. "Last page" is the deepest keyset page. The thread rows compare the biggest '
        "thread: 1,000 comments (small) against 50,000 (large).",
        "",
    ]
    for backend in common.BACKENDS:
        results = {
            size: common.read_result(backend, f"scale-{size}") for size in ("small", "large")
        }
        if all(results.values()):
            out += table(backend, results)
    out.append(END)
    return "\n".join(out)


def keep_section(text: str) -> str:
    """The marked bench-scale section of a benchmarks file, or "" (bench/report.py keeps it)."""
    if START in text and END in text:
        return text[text.index(START) : text.index(END) + len(END)]
    return ""


def write_report() -> None:
    path = common.ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    new = section()
    old = keep_section(text)
    text = text.replace(old, new) if old else text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text)
    print(f"wrote the bench-scale section of {path}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=common.BACKENDS)
    parser.add_argument("--size", choices=sorted(SIZES), help="Only this size (one process).")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the databases afterwards.")
    parser.add_argument("--build-only", action="store_true", help="With --size: no timing.")
    parser.add_argument("--time-both", action="store_true", help="Time both built sizes.")
    args = parser.parse_args(argv)
    if args.db and args.time_both:
        time_both(args.db, args.keep)
    elif args.db and args.size:
        run_size(args.db, args.size, args.keep, timing=not args.build_only)
    elif args.db:
        main_backend(args.db, args.keep)
    if args.report:
        write_report()
    if not (args.db or args.report):
        sys.exit("give --db sqlite|postgres, --report, or both")


if __name__ == "__main__":
    main()
