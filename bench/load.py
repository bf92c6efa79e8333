"""Under load: gunicorn with 2 workers on loopback, driven by wrk for a bounded time.

PostgreSQL only (the production database). Two runs of ``DURATION`` seconds each against
``127.0.0.1`` on a free port in 8300-8399:

* the roundup page with the 1,000-comment thread, anonymous readers, ``PAGE_CONNECTIONS``
  connections;
* votes from 20 concurrent signed-in users: one wrk thread and connection per user, each with its
  own session cookie and CSRF token, ``POST /comments/<id>/vote/`` on random comments of that
  thread with a random value (up, down, or take back), JSON answers.

Then it checks that every comment's counters still equal its stored votes (nothing lost or
counted twice between the two processes). Errors are wrk's socket errors plus any answer that
is not 2xx/3xx.

    python -m bench.load            # needs wrk (Debian package "wrk")
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from bench import common

DURATION = int(os.environ.get("BENCH_LOAD_SECONDS", "20"))
USERS = 20
PAGE_CONNECTIONS = 4  # two sync workers: more connections only queue
PORTS = range(8300, 8400)

VOTE_LUA = """
local users = {%(users)s}
local ids = {%(ids)s}
local values = {"1", "-1", "0"}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("uid", counter)
end
function init(args)
  math.randomseed(uid * 7919)
  local u = users[uid]
  wrk.headers["Cookie"] = "sessionid=" .. u[1] .. "; csrftoken=" .. u[2]
  wrk.headers["X-CSRFToken"] = u[2]
  wrk.headers["Accept"] = "application/json"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "/comments/" .. id .. "/vote/", nil,
                    "value=" .. values[math.random(3)])
end
"""


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8300-8399")


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> dict:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        result[f"p{pct}_ms"] = _ms(match.group(1)) if match else None
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["socket_errors"] = sum(map(int, socket_errors.groups())) if socket_errors else 0
    result["non_2xx_3xx"] = int(non_2xx.group(1)) if non_2xx else 0
    result["errors"] = result["socket_errors"] + result["non_2xx_3xx"]
    return result


def sessions_for_voters() -> list[tuple[str, str]]:
    """A signed-in session and a CSRF secret for each of the 20 voters (none wrote a comment)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.crypto import get_random_string

    pairs = []
    for i in range(USERS):
        user, _ = User.objects.get_or_create(
            username=f"bench-voter-{i:02d}", defaults={"email": f"voter{i}@example.org"}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        pairs.append((session.session_key, get_random_string(32)))
    return pairs


def counters_consistent(roundup) -> bool:
    """Both vote axes' counters (weights summed) and karma equal the stored votes: the checks
    of ``manage.py check_threads``, on this roundup."""
    from comments.integrity import check_threads

    return not [p for p in check_threads(roundup=roundup).problems
                if p.kind in ("counters", "agreement", "karma")]  # fmt: skip


def wrk(args: list[str]) -> str:
    out = subprocess.run(["wrk", *args], capture_output=True, text=True, timeout=DURATION + 60)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed: {out.stderr}")
    return out.stdout


def main(argv=None) -> None:
    common.setup("postgres")
    if shutil.which("wrk") is None:
        common.write_result(
            "postgres", "load", {"error": "wrk not installed (apt-get install wrk)"}
        )
        raise SystemExit("wrk is not installed: apt-get install wrk")
    from comments.models import Comment
    from roundups.models import Roundup

    roundup = Roundup.objects.get(slug="bench-thread-1000")
    ids = list(Comment.objects.filter(roundup=roundup).values_list("id", flat=True))
    voters = sessions_for_voters()
    script = common.RESULTS / "votes.lua"
    script.write_text(VOTE_LUA % {
        "users": ", ".join(f'{{"{s}", "{c}"}}' for s, c in voters),
        "ids": ", ".join(map(str, ids)),
    })  # fmt: skip

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **common.bench_env("postgres")}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "forum.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=common.ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /healthz")
        page = f"{base}{roundup.get_absolute_url()}"
        urllib.request.urlopen(page, timeout=30).read()  # warm both workers' caches a little
        results = {"duration_s": DURATION, "workers": 2}
        results["page"] = parse_wrk(wrk(["-t1", f"-c{PAGE_CONNECTIONS}", f"-d{DURATION}s",
                                          "--latency", "--timeout", "30s", page]))  # fmt: skip
        results["page"]["connections"] = PAGE_CONNECTIONS
        results["votes"] = parse_wrk(wrk([f"-t{USERS}", f"-c{USERS}", f"-d{DURATION}s",
                                           "--latency", "--timeout", "30s", "-s", str(script),
                                           base]))  # fmt: skip
        results["votes"]["connections"] = USERS
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results["counters_consistent"] = counters_consistent(roundup)
    common.write_result("postgres", "load", results)
    print(f"[postgres] load: page {results['page']}; votes {results['votes']}; "
          f"counters consistent: {results['counters_consistent']}")  # fmt: skip


if __name__ == "__main__":
    main()
