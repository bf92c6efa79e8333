"""A quick before/after of a change to the thread page or to votes, on a busy machine.

Times the roundup page of the 1,000-comment thread (anonymous, and signed in as one of its
voters: the vote forms) and one vote (``writes.measure_votes``), and reports the minimum and the
median of this process's CPU time beside wall time: when other work shares the cores, wall time
mostly measures the wait, while the minimum CPU time of many runs still shows the code's cost.
Run it in each checkout against that checkout's own bench database, alternating, so that the
machine's load falls on both alike:

    BENCH_SIZES=1000 BENCH_DB_NAME=bench_before python -m bench.generate --db sqlite  # once
    BENCH_SIZES=1000 BENCH_DB_NAME=bench_before python -m bench.ab --db sqlite

``BENCH_AB_COLLECT=0`` times the pages without a garbage collection before each request (see
``common.timed``): closer to a server answering request after request, and the setting under
which a change to a page's fixed cost shows above the cold caches a collection leaves.
"""

import os
import statistics

from bench import common

REPS = 31
COLLECT = os.environ.get("BENCH_AB_COLLECT", "1") != "0"


def _stats(samples) -> dict:
    wall = [s[0] * 1000 for s in samples]
    cpu = [s[1] * 1000 for s in samples]
    return {
        "wall_min": min(wall), "wall_median": statistics.median(wall),
        "cpu_min": min(cpu), "cpu_median": statistics.median(cpu),
    }  # fmt: skip


def measure() -> dict:
    from django.contrib.auth.models import User
    from django.test import Client

    from bench.writes import measure_votes
    from roundups.models import Roundup

    size = 1_000 if 1_000 in common.SIZES else min(common.SIZES)
    url = Roundup.objects.get(slug=f"bench-thread-{size}").get_absolute_url()
    clients = {"anonymous": Client(), "signed_in": Client()}
    clients["signed_in"].force_login(User.objects.get(username="bench-user-00"))
    samples = {name: [] for name in clients}
    for rep in range(REPS + 3):  # three warm-up rounds
        for name, client in clients.items():
            timing = common.timed(lambda c=client: c.get(url), collect=COLLECT)
            if rep >= 3:
                samples[name].append(timing)
    result = {f"page_{name}": _stats(s) for name, s in samples.items()}
    result["page_bytes"] = {name: len(c.get(url).content) for name, c in clients.items()}
    result["vote"] = measure_votes()
    return result


def main(argv=None) -> None:
    backend = common.backend_arg(argv)
    common.setup(backend)
    result = measure()
    common.write_result(backend, "ab", result)
    for key, value in result.items():
        if key.startswith("page_") and key != "page_bytes":
            print(f"[{backend}] {key}: " + ", ".join(f"{k} {v:.1f} ms" for k, v in value.items()))
    print(f"[{backend}] bytes {result['page_bytes']}")


if __name__ == "__main__":
    main()
