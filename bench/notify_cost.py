"""``make bench``'s notification step: ``bench.reply_cost --notify --compare`` on one database.

    python -m bench.notify_cost --db sqlite|postgres

400 replies that notify the parent's author, interleaved with 400 without the notifications
app's receivers, twice: through the comment service in this process (``notify_cost.json``), and
as a client gets the reply, ``POST /api/roundups/{slug}/comments`` over HTTP
(``notify_cost_http.json``, ``reply_cost --http``); the medians and the differences go to
``bench/.results/<db>-*.json`` for the report (the issue's target: under 10% of a reply at p50).
"""

import argparse

from bench import common, reply_cost


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=common.BACKENDS, default="sqlite")
    args = parser.parse_args(argv)
    reply_cost.main(["--db", args.db, "--notify", "--compare"])
    reply_cost.main(["--db", args.db, "--notify", "--compare", "--http"])


if __name__ == "__main__":
    main()
