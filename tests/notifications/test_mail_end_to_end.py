"""Series mail end to end: a real SMTP server, real worker processes, a worker killed mid-run.

The test starts aiosmtpd on a free loopback port (8150-8159, or ``TEST_PORTS``), prepares a
database both it and the workers see (a temporary SQLite file; on PostgreSQL runs a database of
its own, ``mailpub_e2e`` prefixed with ``TEST_DB_NAME``, created and dropped: ``tests/support``),
publishes a roundup to 200 subscribers, starts ``bin/worker`` (the production backend,
django-tasks-db), SIGKILLs it when about half the mails are in, waits out the lease, and starts
it again. Then: nobody has two messages, everyone not counted ``unknown`` has
exactly one, at most one is ``unknown`` (one killed worker), and every message parses with both
parts, both headers and an unsubscribe link that works without a session.
"""

import email
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.databases import database_url
from tests.support.ports import free_port
from tests.support.smtp import Recorder, smtp_server

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8150, 8160)
SUBSCRIBERS = 200
LEASE = 2  # seconds; each mail takes ~SLOW, far below it
SLOW = 0.03  # seconds the SMTP server takes per message, so the kill lands mid-run
SITE = "http://mail.test"
DB_NAME = "mailpub_e2e"

pytest.importorskip("aiosmtpd.controller")


def helper(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.notifications.e2e_helper", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def start_worker(env, log_path, *extra):
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            ["bin/worker", "-v", "1", *extra],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def test_publish_to_200_kill_the_worker_halfway_and_restart(tmp_path):
    recorder = Recorder(delay=SLOW)
    port = free_port(PORTS)
    if port is None:
        pytest.skip(f"no free loopback port in {PORTS}")
    log_path = tmp_path / "worker.log"
    worker = None
    with smtp_server(recorder, port), database_url(tmp_path, DB_NAME) as url:
        try:
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "PYTHON": sys.executable,
                "DJANGO_SETTINGS_MODULE": "forum.settings",
                "DATABASE_URL": url,
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(port),
                "SITE_URL": SITE,
                "ALLOWED_HOSTS": "testserver",
                "MAIL_BATCH_SIZE": "10",
                "MAIL_SENDING_LEASE": str(LEASE),
                "WORKER_INTERVAL": "0.1",
                "LOG_LEVEL": "WARNING",
            }
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT, env=env, check=True, timeout=180,
            )  # fmt: skip
            helper(env, "setup", str(SUBSCRIBERS))
            helper(env, "publish")
            assert recorder.messages == []  # publishing sent nothing itself

            worker = start_worker(env, log_path)
            wait_for(lambda: len(recorder.messages) >= SUBSCRIBERS // 2, 120, "half the mail")
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            at_kill = len(recorder.messages)
            assert at_kill < SUBSCRIBERS, "the worker finished before it was killed"

            time.sleep(LEASE + 0.5)  # the dead claim's lease runs out
            worker = start_worker(env, log_path, "--batch")
            worker.wait(timeout=180)
            assert worker.returncode == 0, log_path.read_text()[-3000:]

            statuses = json.loads(helper(env, "statuses"))
            check_deliveries(recorder, statuses)
            check_messages(env, recorder)
        finally:  # before the database is dropped under it
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)


def check_deliveries(recorder, statuses):
    received = Counter(rcpt for rcpts, _ in recorder.messages for rcpt in rcpts)
    assert len(statuses) == SUBSCRIBERS
    assert all(len(rcpts) == 1 for rcpts, _ in recorder.messages)  # one address per mail
    assert max(received.values()) == 1, "a subscriber got two messages"
    unknown = [a for a, s in statuses.items() if s == "unknown"]
    assert len(unknown) <= 1, unknown  # one worker was killed
    for address, status in statuses.items():
        if status != "unknown":
            assert status == "sent" and received[address] == 1, (address, status)


def check_messages(env, recorder):
    for rcpts, raw in recorder.messages:
        message = email.message_from_bytes(raw, policy=policy.default)
        assert message["To"] == rcpts[0]
        assert message["Subject"] == "Roundup mailed end to end"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = message["List-Unsubscribe"].strip().strip("<>")
        assert link.startswith(f"{SITE}/unsubscribe/")
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert f'href="{SITE}/papers/"' in html and link in html and link in text
        assert f"{SITE}/roundups/e2e-roundup/#comments" in text
    for rcpts, raw in recorder.messages[:3]:
        message = email.message_from_bytes(raw, policy=policy.default)
        path = urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path
        outcome = json.loads(helper(env, "unsubscribe", path, rcpts[0]))
        assert outcome == {"status": 200, "active": False}
