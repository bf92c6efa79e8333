"""Write docs/benchmarks.md and docs/benchmarks.png from the JSON the other steps left.

python -m bench.report
"""

import os
import platform
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata

from bench import common
from bench.mail import section as mail_section
from bench.scale import keep_section

DOCS = common.ROOT / "docs"
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PAGE_FLOOR_MAX = 4.0  # ours / floor at 1,000 and 10,000
SMALL_PAGE_MAX = 3.0  # ours / floor at 100 (issue 13: most roundups have tens of comments)
PEER_MIN = 3.0  # peers / ours at 1,000
GROWTH_MAX = 1.3  # time per comment, 10,000 vs 1,000
WRITE_GROWTH_MAX = 2.0  # reply into 10,000 vs into 100
NOISE = 1.15  # allowance when comparing two medians of a few runs on a shared machine


def _v(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def mark(ok) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def fmt(ms) -> str:
    if ms is None:
        return "—"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def ratio(a, b) -> str:
    return "—" if a is None or b is None or b == 0 else f"{a / b:.1f}x"


def versions() -> list[str]:
    pg = "?"
    try:
        command = ["psql", f"{common.PG_SERVER}/postgres", "-Atc", "show server_version"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=10)
        pg = out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        pass
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = "not installed"
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        wrk = (out.stdout or out.stderr).split("\n")[0].strip()
    return [
        f"- Python {platform.python_version()}, Django {_v('Django')}, django-mptt "
        f"{_v('django-mptt')}, django-comments-xtd {_v('django-comments-xtd')} "
        f"(with django-contrib-comments {_v('django-contrib-comments')}), gunicorn "
        f"{_v('gunicorn')}, psycopg2 {_v('psycopg2-binary')}",
        f"- PostgreSQL {pg} on loopback; SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
        f"load tool: {wrk}",
    ]


def page_section(backend, page, xtd) -> list[str]:
    lines = [
        f"### {NAMES[backend]}",
        "",
        "| comments | shown | ours (anonymous) | ours (signed in) | queries (anon / signed in) "
        "| floor | ours / floor | target ≤ 4x | first floor (6 fields) | ours / it "
        "| `recursetree` | its / ours | xtd (same fields) "
        "| its / ours | xtd (default template) | target ≥ 3x faster than both |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, row in page.items():
        n = row["n"]
        m = row["median_ms"]
        x = ((xtd or {}).get("sizes") or {}).get(key, {}).get("median_ms", {})
        ours = m["ours"]
        floor_ok = None if n < 1_000 else ours / m["floor"] <= PAGE_FLOOR_MAX
        peers = [m["recursetree"], x.get("xtd")]
        peer_ok = None
        if n == 1_000:
            peer_ok = all(p is not None and p / ours >= PEER_MIN for p in peers)
        q = row["queries"]
        lines.append(
            f"| {n:,} | {row['shown']:,} | {fmt(ours)} | {fmt(m['ours_signed_in'])} "
            f"| {q['ours']} / {q['ours_signed_in']} | {fmt(m['floor'])} "
            f"| {ratio(ours, m['floor'])} "
            f"| {mark(floor_ok)} | {fmt(m.get('floor_narrow'))} "
            f"| {ratio(ours, m.get('floor_narrow'))} "
            f"| {fmt(m['recursetree'])} | {ratio(m['recursetree'], ours)} "
            f"| {fmt(x.get('xtd'))} | {ratio(x.get('xtd'), ours)} | {fmt(x.get('xtd_default'))} "
            f"| {mark(peer_ok)} |"
        )
    lines += ["", "Process CPU time (median ms; steadier than wall time on a busy machine; "
              "for PostgreSQL it leaves out the server's share):", "",
              "| comments | ours | ours (signed in) | floor | first floor | `recursetree` "
              "| xtd (same fields) |",
              "|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for key, row in page.items():
        c = row.get("cpu_median_ms", {})
        xc = ((xtd or {}).get("sizes") or {}).get(key, {}).get("cpu_median_ms", {})
        lines.append(f"| {row['n']:,} | {fmt(c.get('ours'))} | {fmt(c.get('ours_signed_in'))} "
                     f"| {fmt(c.get('floor'))} | {fmt(c.get('floor_narrow'))} "
                     f"| {fmt(c.get('recursetree'))} "
                     f"| {fmt(xc.get('xtd'))} |")  # fmt: skip
    lines.append("")
    return lines


def split_section(backend, page) -> list[str]:
    """Where a page's time goes, each as a multiple of the floor: the floor served through
    Django's request cycle, then our roundup and thread reads with the thread's markup served
    bare (no template), then the whole page (bench/urls.py)."""
    rows = [(key, row) for key, row in page.items() if "thread_served" in row["median_ms"]]
    if not rows:
        return []
    lines = [
        f"Where the {NAMES[backend]} page's time goes (median ms, and / floor): the floor served "
        "as a whole response through the same client and middleware; our page's reads of its "
        "roundup and thread part with the thread's markup served bare, no template "
        "(`bench/urls.py`); then the whole page.",
        "",
        "| comments | floor | floor, served | our thread alone, served | whole page "
        "| target at 100: page ≤ 3x floor |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for _key, row in rows:
        m = row["median_ms"]
        floor = m["floor"]
        ok = m["ours"] / floor <= SMALL_PAGE_MAX if row["n"] <= 100 else None
        cells = [f"{fmt(m[name])} ({ratio(m[name], floor)})"
                 for name in ("floor_served", "thread_served", "ours")]  # fmt: skip
        lines.append(f"| {row['n']:,} | {fmt(floor)} | {' | '.join(cells)} | {mark(ok)} |")
    return [*lines, ""]


def growth_rows(backend, page) -> list[str]:
    if "1000" not in page or "10000" not in page:
        return []
    rows = []
    for name, label in (("ours", "ours"), ("floor", "floor"), ("recursetree", "`recursetree`")):
        a = page["1000"]["median_ms"][name] / page["1000"]["shown"] * 1000
        b = page["10000"]["median_ms"][name] / page["10000"]["shown"] * 1000
        ok = mark(b / a <= GROWTH_MAX) if name == "ours" else ""
        rows.append(f"| {NAMES[backend]} | {label} | {a:.1f} | {b:.1f} | {b / a:.2f}x | {ok} |")
    return rows


def writes_section(backend, writes) -> list[str]:
    md = writes.get("markdown_ms")
    lines = [
        f"### {NAMES[backend]}",
        "",
        "| thread | comments | nodes right of the insert (median) | ours (service) "
        "| django-mptt on our table | + our lock | plain django-mptt model | + our lock "
        "| ours − (plain model + lock) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for slug, row in writes.items():
        if not isinstance(row, dict) or slug in ("new-root", "vote"):
            continue
        m = row["median_ms"]
        kind = "one root tree" if row["single_root"] else "realistic"
        plain = m.get("plain_model_lock")
        over = "—" if plain is None else f"{m['ours'] - plain:+.2f} ms"
        lines.append(
            f"| {kind} | {row['n']:,} | {row['rows_shifted_median']:,.0f} | {fmt(m['ours'])} "
            f"| {fmt(m['mptt'])} | {fmt(m['mptt_lock'])} | {fmt(m.get('plain_model'))} "
            f"| {fmt(plain)} | {over} |"
        )
    root = writes.get("new-root")
    if root:
        m = root["median_ms"]
        lines.append(
            f"| new root comment | {root['n']:,} in the table | — | {fmt(m['ours'])} "
            f"| {fmt(m['mptt'])} | {fmt(m['mptt_lock'])} | — | — | — |"
        )
    vote = writes.get("vote")
    if vote:
        m = vote["median_ms"]
        lines.append(
            f"| a vote (approval up; take back; strong agreement) | {vote['n']:,} | — "
            f"| {fmt(m['vote'])}; {fmt(m['take_back'])}; {fmt(m.get('agreement_strong'))} "
            "| — | — | — | — | — |"
        )
    by = {(r["single_root"], r["n"]): r["median_ms"] for r in writes.values()
          if isinstance(r, dict) and "single_root" in r}  # fmt: skip
    lines.append("")
    if (False, 100) in by and (False, 10_000) in by:
        g = by[(False, 10_000)]["ours"] / by[(False, 100)]["ours"]
        lines.append(f"- Reply into the realistic 10,000-comment thread / into the 100-comment "
                     f"one: {g:.2f}x (target ≤ 2x): {mark(g <= WRITE_GROWTH_MAX)}.")  # fmt: skip
    if (True, 10_000) in by:
        w = by[(True, 10_000)]
        # Plain django-mptt is a minimal MPTT model (bench_plainnode) with the same tree; runs
        # from before it existed compare with django-mptt on our own table instead.
        plain = w.get("plain_model_lock", w["mptt_lock"])
        ok = w["ours"] <= plain * NOISE + (md or 0)
        lines.append(
            f"- One root tree of 10,000: ours {fmt(w['ours'])} ms; plain django-mptt (a minimal "
            f"model, same tree) {fmt(w.get('plain_model'))} ms, with our lock {fmt(plain)} ms; "
            f"django-mptt on our comment table {fmt(w['mptt'])} ms, with our lock "
            f"{fmt(w['mptt_lock'])} ms (target: ours no more than plain django-mptt plus its "
            f"lock, allowing {NOISE:.2f}x for noise plus the service's markdown rendering, "
            f"{fmt(md)} ms): {mark(ok)}."
        )
    lines.append("")
    return lines


def notify_section(results, over_http=None) -> list[str]:
    """What notifications add to a reply, per database (``bench/notify_cost.py``): through the
    comment service, and over HTTP as a client gets the reply (``over_http``, when measured)."""
    rows = [(b, "comment service", r) for b, r in results.items() if r]
    rows += [(b, "over HTTP", r) for b, r in (over_http or {}).items() if r]
    if not rows:
        return []
    lines = [
        "## Notification cost (`bench/notify_cost.py`)", "",
        "Median ms of one reply that notifies the parent's author, interleaved with the same "
        "reply without the notifications app's receivers (the fan-out itself runs in a task, "
        "not timed here): through `comments.services.comment_create` in-process, and over HTTP "
        "(`POST /api/roundups/{slug}/comments` to a server in the bench's process, request sent "
        "to 201 read).", "",
        "| database | measured | reply | without notifications | added | target < 10% |",
        "|---|---|---:|---:|---:|---|",
    ]  # fmt: skip
    for backend, how, r in rows:
        lines.append(
            f"| {NAMES[backend]} | {how} | {fmt(r['with_ms'])} | {fmt(r['without_ms'])} "
            f"| {r['added_pct']:.1f}% | {mark(r['added_pct'] < 10)} |"
        )
    return lines + [""]


def load_section(load) -> list[str]:
    if not load:
        return ["Not run.", ""]
    if "error" in load:
        return [f"Not run: {load['error']}.", ""]
    lines = [
        f"gunicorn, {load['workers']} sync workers, PostgreSQL, loopback; wrk for "
        f"{load['duration_s']} s each.",
        "",
        "| what | connections | requests | requests/s | p50 | p99 | errors | target: 0 errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, label in (
        ("page", "roundup page, 1,000 comments, anonymous"),
        ("votes", "votes, 20 signed-in users (`POST /comments/<id>/vote/`)"),
    ):
        r = load[key]
        lines.append(f"| {label} | {r['connections']} | {r['requests']:,} | {r['rps']:.1f} "
                     f"| {fmt(r['p50_ms'])} ms | {fmt(r['p99_ms'])} ms | {r['errors']} "
                     f"| {mark(r['errors'] == 0)} |")  # fmt: skip
    lines += ["", f"After the votes, every comment's score and counts equal its stored votes: "
              f"{'yes' if load['counters_consistent'] else '**no**'}.", ""]  # fmt: skip
    return lines


def plot(data) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    series = (("ours", "ours (whole page)", "o-"), ("floor", "floor (query + join)", "s--"),
              ("floor_narrow", "first floor (6 fields)", "s:"),
              ("recursetree", "django-mptt {% recursetree %}", "^-"),
              ("xtd", "django-comments-xtd (same fields)", "v-"),
              ("xtd_default", "django-comments-xtd (default template)", "x:"))  # fmt: skip
    for ax, backend in zip(axes, common.BACKENDS, strict=True):
        page, xtd = data[backend]["page"], data[backend]["xtd"]
        for key, label, style in series:
            xs, ys = [], []
            for size, row in (page or {}).items():
                source = row["median_ms"]
                if key.startswith("xtd"):
                    source = ((xtd or {}).get("sizes") or {}).get(size, {}).get("median_ms", {})
                if source.get(key) is not None:
                    xs.append(int(size))
                    ys.append(source[key])
            if xs:
                ax.plot(xs, ys, style, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(NAMES[backend])
        ax.set_xlabel("comments in the thread")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("median time (ms)")
    axes[1].legend(fontsize=8)
    fig.suptitle("Thread page time against thread size (log axes)")
    fig.tight_layout()
    fig.savefig(DOCS / "benchmarks.png", dpi=110)


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    data = {b: {"page": common.read_result(b, "thread_page"), "xtd": common.read_result(b, "xtd"),
                "writes": common.read_result(b, "writes"), "gen": common.read_result(b, "generate")}
            for b in common.BACKENDS}  # fmt: skip
    run = common.read_result("all", "run") or {}
    # When the run ended (its results file was written then), not when this report is written:
    # the report may be written again later, with new notes, from the same results.
    ran = common.RESULTS / "all-run.json"
    ended = datetime.fromtimestamp(ran.stat().st_mtime, UTC) if ran.exists() else datetime.now(UTC)
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/report.py`); do not edit by hand. How each number is "
        "taken is in the docstring of the script named beside it.",
        "",
        f"Run: ended {ended:%Y-%m-%d %H:%M} UTC, in {run.get('elapsed_s', 0) / 60:.1f} "
        f"minutes{'; failed steps: ' + ', '.join(run['failed']) if run.get('failed') else ''}.",
        "",
        "Command: `make bench` (installs the `bench` extra into `.venv`, then "
        "`.venv/bin/python -m bench.run`: every step on SQLite and on PostgreSQL at "
        f"`{common.PG_SERVER}`, databases `roundups_bench` and `roundups_bench_xtd` created and "
        "dropped by the scripts).",
        "",
        *versions(),
        "",
        "Noise: the machine has 2 cores shared with other work; medians of repeated runs after "
        "warm-up, with process CPU time beside wall time. Runs: 21 / 21 / 9 for ours and the "
        "floor at 100 / 1,000 / 10,000 comments; the slow peers 21 / 11 / 2 (their 10,000 runs "
        "take many seconds each); django-comments-xtd's default template 5 / 2 / not run.",
        "",
        "## Threads",
        "",
        "`bench/generate.py`, seed 20250605: a quarter of the comments are roots, each other one "
        "replies to an earlier comment (half to one of the last dozen, half to any), at most 12 "
        "deep; 200-600 characters of markdown (300 distinct bodies, rendered by "
        "`forum.markdown`); 50 authors; 85% of comments have 1-12 votes (80% up). All visible. "
        'The page nests 8 deep and puts deeper replies behind "continue this thread", so '
        'every renderer shows the comments above depth 8 ("shown").',
        "",
        "## Thread page (`bench/thread_page.py`, `bench/peers/xtd.py`)",
        "",
        "Median ms. Ours: the whole `/roundups/<slug>/` page through `django.test.Client` "
        "(DEBUG off). Floor: one SQL query for the same rows + an escaped f-string join of the "
        "same fields (every field the page shows of a comment: author's name and karma, parent, "
        "state, score, times, body, a paper suggestion's card). The first floor, kept beside "
        "it, read six of them (no karma, parent, state, edit time or suggestion card), so it "
        "is cheaper than what the page must show. `recursetree`: django-mptt's tag over "
        "`Comment.objects.for_thread()`. "
        "xtd: django-comments-xtd's `{% render_xtdcomment_tree %}` on its own tables and "
        "settings, with a template of the same fields, and with its default template.",
        "",
    ]
    for b in common.BACKENDS:
        if data[b]["page"]:
            out += page_section(b, data[b]["page"], data[b]["xtd"])
            out += split_section(b, data[b]["page"])
    out += ["## Growth", "", "Milliseconds per 1,000 shown comments.", "",
            "| database | renderer | at 1,000 | at 10,000 | growth | target ≤ 1.3x |",
            "|---|---|---:|---:|---:|---|"]  # fmt: skip
    for b in common.BACKENDS:
        if data[b]["page"]:
            out += growth_rows(b, data[b]["page"])
    out += ["", "## Writes (`bench/writes.py`)", "",
            "Median ms to post one reply to a random comment (fixed seed), committed; each post "
            "is deleted again untimed so every run meets the same tree.", ""]  # fmt: skip
    for b in common.BACKENDS:
        if data[b]["writes"]:
            out += writes_section(b, data[b]["writes"])
    out += notify_section(
        {b: common.read_result(b, "notify_cost") for b in common.BACKENDS},
        {b: common.read_result(b, "notify_cost_http") for b in common.BACKENDS},
    )
    out += ["## Series mail (`bench/mail.py`)", "",
            "Publishing a roundup to N confirmed subscribers: the publish request's median "
            "wall ms (it writes one Mailing row and enqueues one task), and a real worker "
            "process writing the N delivery rows and sending the N mails into a local aiosmtpd "
            "sink: mails per second and the worker's peak resident memory.", ""]  # fmt: skip
    for b in common.BACKENDS:
        out += mail_section(b, common.read_result(b, "mail"))
    out += ["## Under load (`bench/load.py`)", "",
            *load_section(common.read_result("postgres", "load"))]  # fmt: skip
    path = DOCS / "benchmarks.md"
    scale = keep_section(path.read_text()) if path.exists() else ""
    if scale:  # make bench-scale's section (bench/scale.py) is its own: kept as it was
        out += ["", scale, ""]
    notes = common.ROOT / "bench" / "findings.md"  # the hand-written analysis
    if notes.exists():
        out += ["", notes.read_text().strip(), ""]
    path.write_text("\n".join(out) + "\n")
    if any(data[b]["page"] for b in common.BACKENDS):
        plot(data)
    print(f"wrote {DOCS / 'benchmarks.md'} and {DOCS / 'benchmarks.png'}")


if __name__ == "__main__":
    main()
