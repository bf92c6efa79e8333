"""Everything ``make bench`` runs, in order, each step in its own process; then the report.

python -m bench.run [--db sqlite,postgres] [--skip-load]
"""

import argparse
import subprocess
import sys
import time

from bench import common

STEPS = (
    ("generate", "bench.generate"),
    ("thread page", "bench.thread_page"),
    ("django-comments-xtd", "bench.peers.xtd"),
    ("writes", "bench.writes"),
    # What notifications add to a reply (bench/reply_cost.py --notify --compare).
    ("notification cost", "bench.notify_cost"),
    ("series mail", "bench.mail"),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=",".join(common.BACKENDS))
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    failed = []
    for backend in args.db.split(","):
        for label, module in STEPS:
            t0 = time.perf_counter()
            print(f"== {backend}: {label}", flush=True)
            code = subprocess.call([sys.executable, "-m", module, "--db", backend], cwd=common.ROOT)
            print(f"   {time.perf_counter() - t0:.0f} s", flush=True)
            if code:
                failed.append(f"{backend} {label}")
                if label == "generate":
                    break
        if backend == "postgres" and not args.skip_load:
            print("== postgres: under load", flush=True)
            if subprocess.call([sys.executable, "-m", "bench.load"], cwd=common.ROOT):
                failed.append("postgres load")
    elapsed = time.perf_counter() - started
    common.write_result("all", "run", {"elapsed_s": elapsed, "failed": failed})
    code = subprocess.call([sys.executable, "-m", "bench.report"], cwd=common.ROOT)
    for backend in args.db.split(","):
        common.drop_database(backend, common.DB_NAME)
    print(f"bench done in {elapsed / 60:.1f} min" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed or code else 0


if __name__ == "__main__":
    sys.exit(main())
