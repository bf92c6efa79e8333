"""bin/serve, the container's start command, run on the host: real gunicorn, DEBUG=0, real HTTP.

Against a temporary SQLite file, and against PostgreSQL when DATABASE_URL points there (in a
database of its own, named after TEST_DB_NAME, created and dropped by ``tests/support``, so the
other suites' databases are never touched). Its port: 8200-8299, or ``TEST_PORTS``.
"""

import importlib.util
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.databases import database_url
from tests.support.ports import free_port

SERVE = Path(settings.BASE_DIR) / "bin" / "serve"
HEALTHCHECK = Path(settings.BASE_DIR) / "bin" / "healthcheck"
PORTS = range(8200, 8300)  # loopback ports set aside for this suite's servers
START_TIMEOUT = 45  # seconds: migrations on an empty database plus gunicorn start-up
SERVE_DB_NAME = "roundups_serve_test"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gunicorn") is None, reason="gunicorn is not installed"
)


def fetch(url, headers=None, timeout=5):
    """GET without following redirects; returns (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@contextmanager
def served(env, log_path):
    """Start bin/serve in its own process group, so stopping it stops gunicorn's workers too."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(SERVE)],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def wait_healthy(base, process, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bin/serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            status, _, body = fetch(f"{base}/healthz", timeout=2)
            if status == 200:
                return body
        except OSError:
            pass  # not listening yet
        time.sleep(0.25)
    pytest.fail(f"/healthz not 200 within {START_TIMEOUT}s:\n{log_path.read_text()}")


def test_bin_serve_runs_the_production_stack(tmp_path):
    port = free_port(PORTS)
    if port is None:
        pytest.skip(f"no free loopback port in {PORTS}")
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    with database_url(tmp_path, SERVE_DB_NAME) as db_url:
        env = {key: value for key, value in os.environ.items() if key in keep}
        env.update(
            PYTHON=str(Path(settings.BASE_DIR) / ".venv" / "bin" / "python")
            if (Path(settings.BASE_DIR) / ".venv" / "bin" / "python").exists()
            else "python3",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=db_url,
            STATIC_ROOT=str(tmp_path / "static"),
            # As behind a TLS-terminating load balancer: HTTPS redirect on, proto header trusted.
            BEHIND_TLS_PROXY="1",
            BIND="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY="2",
            GUNICORN_THREADS="2",
            DB_WAIT_SECONDS="20",
        )
        with served(env, log_path) as process:
            health = wait_healthy(base, process, log_path)
            assert b'"status": "ok"' in health

            https = {"X-Forwarded-Proto": "https"}
            status, headers, body = fetch(f"{base}/", headers=https)
            assert status == 200, body[:500]
            assert "script-src 'self'" in headers["Content-Security-Policy"]
            assert "max-age=31536000" in headers["Strict-Transport-Security"]
            page = body.decode()
            assert "Roundups" in page

            # Plain HTTP is sent to HTTPS, except the health check (tested above without header).
            status, headers, _ = fetch(f"{base}/")
            assert status == 301 and headers["Location"].startswith("https://")

            # The stylesheet the page links to, under its hashed name, served by whitenoise.
            stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
            assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
            status, headers, css = fetch(f"{base}{stylesheet}", headers=https)
            assert status == 200
            assert headers["Content-Type"].startswith("text/css")
            assert "immutable" in headers["Cache-Control"]
            assert css.strip()

            # The container health check, pointed at this server.
            check = subprocess.run(
                [str(HEALTHCHECK)], env=env, capture_output=True, text=True, timeout=15
            )
            assert check.returncode == 0, check.stderr

        stopped = subprocess.run(
            [str(HEALTHCHECK)], env=env, capture_output=True, text=True, timeout=15
        )
        assert stopped.returncode == 1 and "unhealthy" in stopped.stderr

        log = log_path.read_text()
        assert "applying migrations" in log
        assert '"GET /healthz HTTP/1.1" 200' in log  # access log goes to stdout
    assert process.returncode is not None
