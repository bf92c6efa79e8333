"""The production stack with two web servers: two gunicorns (bin/serve, two workers each) on two
loopback ports, one PostgreSQL database and one Redis, driven over real HTTP by concurrent clients.

What it shows: nothing is lost or counted twice between processes (every reply that got a 2xx is
stored exactly once, the nested sets stay whole, vote counters equal the stored votes), the rate
limit is one limit across both servers, a session made on one server is valid on the other, and no
request gets a 5xx.

Where it runs: only when DATABASE_URL names a PostgreSQL server (the PostgreSQL run of `make test`
and of .ci/run) and a Redis answers (REDIS_URL, else 127.0.0.1:6379). It never touches the
databases of the other suites: it creates its own database, ``roundups_stack_test``, on that
server and drops it afterwards, and uses Redis database 7 with a key prefix of its own, whose keys
it deletes afterwards. Every request goes to 127.0.0.1; loops are bounded in count and time.
"""

import http.cookiejar
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "bin" / "serve"
STACK_DB = "roundups_stack_test"
REDIS_DB = 7  # away from the default 0 and the browser suite's 5
PORTS = range(8750, 8800)  # loopback ports set aside for these servers (8700-8749: browser)
START_TIMEOUT = 60  # seconds: migrations on an empty database, then gunicorn
REQUEST_TIMEOUT = 15  # seconds per request; a stuck request fails the test instead of hanging
CLIENTS = 8
REPLIES_EACH = 5  # exactly the rate limit: every one of them must get through
VOTES_EACH = 8
RATE_LIMIT = 5  # COMMENT_RATE_LIMIT for the servers: low, so the limit test is short
RATE_ATTEMPTS = 10
PASSWORD = "stack-test-passphrase-0451"

pytestmark = pytest.mark.postgres


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _skip_reason() -> str | None:
    if _database_url() is None:
        return "needs PostgreSQL: set DATABASE_URL=postgres://... (the PostgreSQL run does)"
    try:
        import redis

        redis.Redis.from_url(_redis_url(), socket_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means "no Redis here"
        return f"needs Redis at {_redis_url()} ({error})"
    return None


_reason = _skip_reason()
if _reason:
    pytestmark = [pytestmark, pytest.mark.skip(reason=_reason)]


def _with_db(url: str, name: str, *, redis_db: int | None = None) -> str:
    parts = urllib.parse.urlsplit(url)
    path = f"/{name}" if redis_db is None else f"/{redis_db}"
    return urllib.parse.urlunsplit(parts._replace(path=path))


def _free_ports(count: int) -> list[int]:
    ports = []
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    pytest.skip("no free loopback ports in 8750-8799")


@contextmanager
def stack_database():
    import psycopg2

    admin = psycopg2.connect(_with_db(_database_url(), "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {STACK_DB} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {STACK_DB}")
        yield _with_db(_database_url(), STACK_DB)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {STACK_DB} WITH (FORCE)")
        admin.close()


@contextmanager
def redis_namespace():
    """A Redis URL and key prefix of this run's own; its keys are deleted afterwards."""
    import redis

    url = _with_db(_redis_url(), "", redis_db=REDIS_DB)
    prefix = f"stacktest-{secrets.token_hex(4)}"
    client = redis.Redis.from_url(url)
    try:
        yield url, prefix, client
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


def server_env(database_url, redis_url, prefix, static_root) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "TEST_DB"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="stack-test-" + secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no redirect to HTTPS and cookies that travel without TLS.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=prefix,
        COMMENT_RATE_LIMIT=str(RATE_LIMIT),
        COMMENT_RATE_WINDOW="60",
        STATIC_ROOT=str(static_root),
        BIND="127.0.0.1",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="4",
        DB_WAIT_SECONDS="20",
        PYTHON=sys.executable,
        LOG_LEVEL="WARNING",
    )
    return env


def wait_healthy(url: str, process, log: Path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bin/serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} not healthy after {START_TIMEOUT}s:\n{log.read_text()[-3000:]}")


@contextmanager
def two_servers(env: dict, tmp_path: Path):
    """Server A migrates and collects static files; then B starts on the same database."""
    ports = _free_ports(2)
    processes = []
    try:
        urls = []
        for index, port in enumerate(ports):
            log = tmp_path / f"server-{'AB'[index]}.log"
            server_env = dict(env, PORT=str(port))
            if index:  # A did the one-off steps, as a release step would
                server_env.update(MIGRATE="0", COLLECTSTATIC="0")
            process = subprocess.Popen(
                [str(SERVE)],
                cwd=ROOT,
                env=server_env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: gunicorn and its workers
            )
            processes.append((process, log))
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, process, log)
            urls.append(url)
        yield urls, [log for _, log in processes]
    finally:
        for process, _ in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def manage(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


SEED = """
import json
from django.contrib.auth.models import User
from comments.services import comment_create
from roundups.models import Roundup
from django.utils import timezone

author = User.objects.create_user("stack-author", "stack-author@example.org", PASSWORD)
users = [
    User.objects.create_user(f"stack-{n}", f"stack-{n}@example.org", PASSWORD)
    for n in range(CLIENTS + 1)
]
roundup = Roundup.objects.create(
    title="Stack test", slug="stack-test", author=author, status="published",
    published_at=timezone.now(),
)
root = comment_create(roundup=roundup, author=author, body="root", enforce_rate_limit=False)
seeded = [root] + [
    comment_create(roundup=roundup, author=author, body=f"seed {n}", parent=root,
                   enforce_rate_limit=False)
    for n in range(3)
]
print(json.dumps({"users": [u.username for u in users], "seeded": [c.pk for c in seeded],
                  "slug": roundup.slug}))
"""


class Client:
    """One person's browser: a cookie jar, CSRF from the cookie, redirects not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect
        )

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, url, data=None, *, json_answer=False):
        headers = {"Accept": "application/json"} if json_answer else {}
        body = None
        if data is not None:
            data = dict(data, csrfmiddlewaretoken=self.cookie("csrftoken") or "")
            body = urllib.parse.urlencode(data).encode()
            headers["Referer"] = url
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, base, username):
        status, _ = self.request(base + "/accounts/login/")
        assert status == 200, f"login page: {status}"
        status, body = self.request(
            base + "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        assert status == 302, f"login as {username} on {base}: {status} {body[:300]}"


def nested_set_problems(rows) -> list[str]:
    """rows: (id, parent_id, tree_id, lft, rght, level). Checks what a rebuild would make true."""
    problems = []
    by_id = {row[0]: row for row in rows}
    trees = defaultdict(list)
    for row in rows:
        trees[row[2]].append(row)
    children = defaultdict(list)
    for row in rows:
        children[row[1]].append(row)

    def size(row):
        return 1 + sum(size(child) for child in children[row[0]])

    for tree_id, members in trees.items():
        ends = sorted(e for row in members for e in (row[3], row[4]))
        if ends != list(range(1, 2 * len(members) + 1)):
            problems.append(f"tree {tree_id}: endpoints are not 1..{2 * len(members)}")
        roots = [row for row in members if row[1] is None]
        if len(roots) != 1:
            problems.append(f"tree {tree_id}: {len(roots)} roots")
    for row in rows:
        if row[4] - row[3] + 1 != 2 * size(row):
            problems.append(f"comment {row[0]}: interval width does not match its subtree")
        if row[1] is not None:
            parent = by_id[row[1]]
            if not (parent[3] < row[3] < row[4] < parent[4]) or row[5] != parent[5] + 1:
                problems.append(f"comment {row[0]}: not inside its parent {parent[0]}")
            if row[2] != parent[2]:
                problems.append(f"comment {row[0]}: in another tree than its parent")
    return problems


def test_two_servers_share_one_database_and_one_redis(tmp_path):
    with stack_database() as database_url, redis_namespace() as (redis_url, prefix, redis):
        env = server_env(database_url, redis_url, prefix, tmp_path / "static")
        with two_servers(env, tmp_path) as (servers, logs):
            seed = manage(
                env,
                "shell",
                stdin=f"PASSWORD = {PASSWORD!r}\nCLIENTS = {CLIENTS}\n{SEED}",
            )
            assert seed.returncode == 0, seed.stderr
            seeded = json.loads(seed.stdout.strip().splitlines()[-1])
            _sessions_are_shared(servers, seeded["users"][0], redis, prefix)
            _concurrent_replies_and_votes(servers, seeded, env)
            _rate_limit_holds_across_servers(servers, seeded, redis, prefix)
            for log in logs:
                text = log.read_text()
                assert "Traceback" not in text, text[-3000:]
                assert not re.search(r'" 5\d\d ', text), "a 5xx in the access log"


def _sessions_are_shared(servers, username, redis, prefix):
    """A session made through server A is valid on server B, and Redis holds a copy of it."""
    a, b = servers
    client = Client()
    client.log_in(a, username)
    status, _ = client.request(b + "/accounts/password_change/")
    assert status == 200, f"server B did not know the session made on A: {status}"
    session_key = client.cookie("sessionid")
    assert session_key
    assert redis.exists(f"{prefix}:1:django.contrib.sessions.cached_db{session_key}")
    # And the other way round, after logging out on B.
    status, _ = client.request(b + "/accounts/logout/", {})
    assert status == 302
    status, _ = client.request(a + "/accounts/password_change/")
    assert status == 302, "A still accepted a session that B ended"


def _concurrent_replies_and_votes(servers, seeded, env):
    barrier = threading.Barrier(CLIENTS)
    lock = threading.Lock()
    statuses: Counter = Counter()
    posted: dict[str, int] = {}  # body -> id, for every reply that got a 2xx
    refused: list[str] = []  # bodies of replies that did not
    final_votes: dict[tuple[str, int], int] = {}  # (user, comment) -> last accepted value
    errors: list[str] = []

    def client_run(index: int):
        rng = random.Random(index)
        username = seeded["users"][index]
        client = Client()
        try:
            client.log_in(servers[index % 2], username)
            barrier.wait(timeout=60)
            known = list(seeded["seeded"])
            for step in range(max(REPLIES_EACH, VOTES_EACH)):
                server = servers[(index + step) % 2]  # alternate: both servers get both kinds
                if step < REPLIES_EACH:
                    parent = rng.choice(known)
                    body = f"reply {index}-{step} to {parent}"
                    status, text = client.request(
                        f"{server}/comments/{parent}/reply/", {"body": body}, json_answer=True
                    )
                    with lock:
                        statuses[status] += 1
                        if 200 <= status < 300:
                            posted[body] = json.loads(text)["id"]
                        else:
                            refused.append(body)
                    if 200 <= status < 300:
                        known.append(posted[body])
                if step < VOTES_EACH:
                    target = rng.choice(seeded["seeded"])  # the seeding author's comments
                    value = rng.choice([1, -1, 0])
                    status, _ = client.request(
                        f"{server}/comments/{target}/vote/", {"value": value}, json_answer=True
                    )
                    with lock:
                        statuses[status] += 1
                        if status == 200:
                            final_votes[(username, target)] = value
        except Exception as error:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(f"client {index}: {error!r}")

    threads = [threading.Thread(target=client_run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    assert errors == []
    assert not [s for s in statuses if s >= 500], f"server errors: {statuses}"
    assert refused == [], f"replies under the rate limit were refused: {statuses}"
    assert len(posted) == CLIENTS * REPLIES_EACH

    result = manage(env, "check_threads")
    assert result.returncode == 0, result.stdout + result.stderr

    import psycopg2

    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT body, count(*), min(comment_id) FROM comments_commenttext "
            "WHERE body LIKE 'reply %%' GROUP BY body"
        )
        stored = {body: (count, pk) for body, count, pk in cursor.fetchall()}
        assert {body: (1, pk) for body, pk in posted.items()} == stored

        cursor.execute("SELECT id, parent_id, tree_id, lft, rght, level FROM comments_comment")
        rows = cursor.fetchall()
        assert nested_set_problems(rows) == []
        assert len({row[2] for row in rows}) == 1  # every reply went into the one tree

        cursor.execute(
            "SELECT c.id, c.score, c.upvotes, c.downvotes, "
            "coalesce(sum(v.value), 0), count(v.id) FILTER (WHERE v.value = 1), "
            "count(v.id) FILTER (WHERE v.value = -1) "
            "FROM comments_comment c LEFT JOIN comments_vote v ON v.comment_id = c.id "
            "GROUP BY c.id"
        )
        for pk, score, up, down, total, ups, downs in cursor.fetchall():
            assert (score, up, down) == (total, ups, downs), f"comment {pk}"

        cursor.execute(
            "SELECT u.username, v.comment_id, v.value FROM comments_vote v "
            "JOIN auth_user u ON u.id = v.user_id"
        )
        stored_votes = {(user, pk): value for user, pk, value in cursor.fetchall()}
        expected = {key: value for key, value in final_votes.items() if value != 0}
        assert stored_votes == expected


def _rate_limit_holds_across_servers(servers, seeded, redis, prefix):
    """One user posting to A and B in turn gets exactly the limit through, then 429s."""
    client = Client()
    client.log_in(servers[0], seeded["users"][CLIENTS])
    root = seeded["seeded"][0]
    statuses = []
    for attempt in range(RATE_ATTEMPTS):
        server = servers[attempt % 2]
        status, _ = client.request(
            f"{server}/comments/{root}/reply/", {"body": f"rate {attempt}"}, json_answer=True
        )
        statuses.append(status)
    assert statuses.count(201) == RATE_LIMIT, statuses
    assert statuses.count(429) == RATE_ATTEMPTS - RATE_LIMIT, statuses
    assert statuses[:RATE_LIMIT] == [201] * RATE_LIMIT  # the first ones, from both servers
    # The counter is in Redis, not in a process.
    assert list(redis.scan_iter(match=f"{prefix}:*rl:comment:*", count=500))
