"""Profile one roundup page with pyinstrument: where the time goes when a target is missed.

python -m bench.profile --db sqlite --size 1000 [--signed-in] [--runs 5]
"""

import argparse
import os

from bench import common


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=common.BACKENDS, default="sqlite")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--signed-in", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cpu", action="store_true",
        help="cProfile on process CPU time: steadier than wall time while the machine is busy",
    )  # fmt: skip
    args = parser.parse_args(argv)
    common.setup(args.db)

    from django.contrib.auth.models import User
    from django.test import Client
    from pyinstrument import Profiler

    from bench.generate import thread_slug

    client = Client()
    if args.signed_in:
        client.force_login(User.objects.get(username="bench-user-00"))
    url = f"/roundups/{thread_slug(args.size)}/"
    client.get(url)  # warm-up
    if args.cpu:
        import cProfile
        import pstats
        import time

        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.runs):
            assert client.get(url).status_code == 200
        profile.disable()
        stats = pstats.Stats(profile).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "45")))
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.runs):
        assert client.get(url).status_code == 200
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
