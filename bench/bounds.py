"""Upper bounds for the small page: what caching each part of its work could give at best.

The 100-comment page's target is 3x its floor (issue #10). This times the page with parts of
its work made free, each remembered after the first request and handed back as it was (a
cache that is never missed and costs nothing to consult), against the floor, interleaved, a
collection before each request as in ``bench.thread_page``:

* **none**: the page as it is;
* **markup**: the thread's markup (``render_thread``), as a cache keyed by the rows it shows
  would give once the rows are read and compared;
* **part+markup**: the part's tree and ranking too (``parts.roots_part``);
* **thread**: the whole thread context, its query included: only a cache keyed by versions of
  everything the thread shows (not by the rows, which it no longer reads) could give this;
* **thread+article**: that and the roundup's papers (their markup and the earlier-coverage
  query).

Each mode runs in a fresh process, since the patches cannot be undone cleanly.

    python -m bench.bounds --db sqlite [--size 100]
"""

import argparse
import json
import os
import subprocess
import sys

from bench import common

MODES = ("none", "markup", "part+markup", "thread", "thread+article")


def _free(mode: str) -> None:
    """Patch the parts ``mode`` names to be computed once and then handed back as they were."""
    import comments.views
    import papers.templatetags.papers as paper_tags
    from comments.thread import page

    kept = {}

    def once(key, compute):
        if key not in kept:
            kept[key] = compute()
        return kept[key]

    render_thread, roots_part = page.render_thread, page.parts.roots_part
    thread_context = comments.views.thread_context
    entry_open, coverage = paper_tags.entry_open, paper_tags.earlier_coverage
    if mode in ("markup", "part+markup"):
        page.render_thread = lambda forest, **kw: once(
            "markup", lambda: render_thread(forest, **kw)
        )
    if mode == "part+markup":
        page.parts.roots_part = lambda *a, **kw: once("part", lambda: roots_part(*a, **kw))
    if mode in ("thread", "thread+article"):
        comments.views.thread_context = lambda request, roundup: dict(
            once("thread", lambda: thread_context(request, roundup))
        )
    if mode == "thread+article":
        paper_tags.earlier_coverage = lambda entries: once("coverage", lambda: coverage(entries))
        paper_tags.entry_open = lambda entry, number, in_feed=False: once(
            ("entry", entry.pk), lambda: entry_open(entry, number, in_feed=in_feed)
        )


def measure(backend: str, size: int, mode: str) -> dict:
    from django.test import Client

    from bench.generate import thread_slug
    from bench.thread_page import _OURS_COMMENT, floor_html
    from roundups.models import Roundup

    roundup = Roundup.objects.get(slug=thread_slug(size))
    url = roundup.get_absolute_url()
    client = Client()
    page = client.get(url).content.decode()
    ids = [int(i) for i in _OURS_COMMENT.findall(page)]
    _free(mode)
    after = client.get(url).content.decode()
    if _OURS_COMMENT.findall(after) != _OURS_COMMENT.findall(page):
        raise SystemExit(f"{mode}: the page shows other comments with its work made free")
    runners = {"page": lambda: client.get(url), "floor": lambda: floor_html(roundup.pk, ids)}
    cpu = {name: [] for name in runners}
    for _ in range(5):
        for run in runners.values():
            run()
    for _ in range(41):
        for name, run in runners.items():
            cpu[name].append(common.timed(run)[1])
    page_ms, floor_ms = (common.median_ms(cpu[name]) for name in ("page", "floor"))
    return {"mode": mode, "page_ms": page_ms, "floor_ms": floor_ms, "ratio": page_ms / floor_ms}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=common.BACKENDS, default="sqlite")
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--mode", choices=MODES)  # one mode, in this process (used by the loop)
    args = parser.parse_args(argv)
    if args.mode:
        common.setup(args.db)
        print(json.dumps(measure(args.db, args.size, args.mode)))
        return
    print(f"[{args.db}] {args.size}-comment page, median CPU ms of 41 (a collection before each)")
    for mode in MODES:
        out = subprocess.run(
            [sys.executable, "-m", "bench.bounds", "--db", args.db, "--size", str(args.size),
             "--mode", mode],
            capture_output=True, text=True, check=True, cwd=common.ROOT,
            env={**os.environ, "PYTHONPATH": str(common.ROOT)},
        )  # fmt: skip
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {mode:<15} page {row['page_ms']:.2f}  floor {row['floor_ms']:.2f}  "
              f"= {row['ratio']:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
