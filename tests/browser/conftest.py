"""Real-browser tests: Playwright's sync API driving Debian's Chromium against a live server.

Why pytest-django's ``live_server`` and not gunicorn via bin/serve: the tests make their data with
tests/factories.py and the comment services in this process, and read back what the browser wrote,
in the same test database that pytest-django creates, emptied after each test. A gunicorn would
need its own database and a second way to seed it. bin/serve and gunicorn are exercised for real
by tests/forum/test_serve.py and tests/stack/.

Playwright's sync API and Django in one thread. While Playwright runs, its asyncio loop counts as
running in this thread (it lives in a greenlet), which has two effects:
- Django's "ORM call inside an event loop" check fires on every factory call. The test code never
  runs inside that loop; DJANGO_ALLOW_ASYNC_UNSAFE turns the false alarm off, only while
  Playwright runs (set process-wide, it would leak into the subprocesses of other tests, and
  `check --deploy` rightly refuses it).
- asgiref's ``Local`` keeps Django's database connections per context instead of per thread, so
  the test code gets fresh connections to the same test database, not the ones pytest-django set
  up. Those lack the serialized snapshot that ``serialized_rollback`` restores, so the roles the
  data migration made are put back by ``_roles`` below instead, and the extra connections are
  closed before Playwright stops (else PostgreSQL could not drop the test database). Playwright
  runs per module, so the tests after this folder see Django exactly as without it.

Nothing here downloads a browser: Chromium comes from Debian (/usr/bin/chromium; .ci/run installs
it). Without it, or without the playwright package, every test here is skipped with the reason.
"""

import importlib.util
import os
import re
from pathlib import Path

import pytest

from tests.support.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",  # loopback only: no update checks, no safe-browsing calls
    "--disable-component-update",
    "--disable-sync",
]
PORTS = range(8700, 8800)  # loopback ports set aside for the browser suite's live server
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"
# Timeouts in ms for each Playwright action and expectation: generous for a 2-core CI machine,
# short enough that a broken flow fails in seconds instead of hanging the suite.
ACTION_TIMEOUT_MS = 10_000
PASSWORD = "correct-horse-battery-staple"  # tests/factories.PASSWORD
# Django's labels end with its label suffix (":"); a regex so "Password confirmation" stays out.
PASSWORD_LABEL = re.compile(r"^Password:?$")


def _skip_reason() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return (
            f"no Chromium at {CHROMIUM}: install Debian's package "
            "(apt-get install -y chromium) to run the browser tests"
        )
    return None


def pytest_collection_modifyitems(config, items):
    """Mark this folder's tests: browser, real commits, and the skip when Chromium is missing."""
    from django.conf import settings

    reason = _skip_reason()
    for item in items:
        if HERE not in Path(str(item.path)).parents:
            continue
        item.add_marker(pytest.mark.browser)
        # Real commits, so the live server's thread sees the test's data and the other way round.
        # available_apps (all of them) makes the flush after each test leave the database empty
        # instead of re-creating content types, which would collide with a later test's
        # serialized_rollback (tests/comments/test_concurrency.py).
        item.add_marker(
            pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
        )
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    port = free_port(PORTS)
    if port is None:
        pytest.skip(f"no free loopback port in {PORTS.start}-{PORTS.stop - 1} (or TEST_PORTS)")
    return port


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    """pytest-django's live server, pinned to a loopback port in this suite's range.

    Made after the test database and before Playwright starts, so an in-memory SQLite test
    database is shared with the server's thread through pytest-django's own connection.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(f"127.0.0.1:{_free_port()}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(live_server):
    """One Chromium per test module; each test gets fresh contexts (cookies, storage) from it.

    ``launch`` without a user-data dir gives Chromium a new throwaway profile every time.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
            connections.close_all()  # the ones opened while Playwright ran (see the docstring)
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """The Authors and Moderators groups, which the flush after each test deletes."""
    from django.apps import apps

    importlib.import_module("accounts.migrations.0001_roles").create_roles(apps, None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made and log in in most tests; the real hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Tab:
    """A page in its own browser context, recording what a person would notice going wrong:
    dialogs (alert/confirm/prompt), uncaught script errors and console errors (a CSP violation
    is reported as one)."""

    def __init__(self, context, base_url, name):
        self.context = context
        self.base_url = base_url
        self.name = name
        self.page = context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("console", self._on_console)

    def _on_dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _on_console(self, message):
        # Chromium asks every site for /favicon.ico on its own; the 404 is not the page's doing.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.errors.append(f"console: {message.text} at {message.location.get('url')}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"
        return response

    def log_in(self, username: str, password: str = PASSWORD, next_path: str = ""):
        """Log in through the login form, as a person does."""
        page = self.page
        self.goto("/accounts/login/" + (f"?next={next_path}" if next_path else ""))
        page.get_by_label("Username").fill(username)
        page.get_by_label(PASSWORD_LABEL).fill(password)
        page.get_by_role("button", name="Log in").click()
        from playwright.sync_api import expect

        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    def screenshot(self, label: str = ""):
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.]+", "-", f"{self.name}-{label}").strip("-")
        self.page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)

    def finish(self, label: str = ""):
        """Save the flow's screenshot, then check that nothing went wrong in the page."""
        self.screenshot(label)
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.errors == [], f"script or console errors: {self.errors}"


@pytest.fixture
def open_tab(browser, live_server, request):
    """Factory: ``open_tab(js=True)`` gives a Tab in a fresh context (nobody logged in)."""
    contexts = []

    def make(*, js: bool = True, bypass_csp: bool = False, suffix: str = "") -> Tab:
        context = browser.new_context(
            java_script_enabled=js,
            bypass_csp=bypass_csp,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return Tab(context, live_server.url, request.node.name + suffix)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request):
    """Run a flow twice: with JavaScript, and with it off (plain forms and links)."""
    return request.param


def say(roundup, author, body, parent=None):
    """A comment made through the service, as the site makes them (no rate limit: set-up only)."""
    from comments.services import comment_create

    return comment_create(
        roundup=roundup, author=author, parent=parent, body=body, enforce_rate_limit=False
    )


def chain(roundup, authors, length, prefix="level"):
    """``length`` comments, each a reply to the one before: levels 0 .. length-1."""
    comments, parent = [], None
    for level in range(length):
        parent = say(roundup, authors[level % len(authors)], f"{prefix} {level}", parent)
        comments.append(parent)
    return comments


def comment_box(page, comment):
    """A comment on the page, by its anchor id (``#c<id>``): the stable handle permalinks use."""
    return page.locator(f"#c{comment.pk}")


def own_link(page, comment, name):
    """A comment's own action link (its replies' links come after its own in the page)."""
    return comment_box(page, comment).get_by_role("link", name=name, exact=True).first


def depth_on_page(page, comment_pk) -> int:
    """How many comments the comment sits inside on the page: its nesting level as shown."""
    return page.locator(f"li.comment:has(#c{comment_pk})").count()


@pytest.fixture
def task_worker(live_server, settings):
    """Run the tasks the pages enqueue (a reply's notifications, their mail), a moment after the
    commit, as ``bin/worker`` does beside gunicorn.

    On PostgreSQL: django-tasks-db's own worker loop in a thread beside the live server, taking
    tasks from the same queue table; stopped, with its connections closed, after the test and
    before the database is flushed. On SQLite the test database is in memory, shared between
    threads through SQLite's shared cache, where a second writer gets "database table is locked"
    at once instead of waiting (a worker thread crashed on it, and could fail the server's
    requests the same way): there the fixture switches to Django's immediate task backend, which
    runs each task in the live server's thread right after the request's commit.
    """
    import threading

    from django.db import connection, connections
    from django_tasks_db.management.commands.db_worker import Worker

    if connection.vendor == "sqlite":
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        yield None
        return
    worker = Worker(
        queue_names=["*"], interval=0.1, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="browser-worker", excluded_queue_names=[],
    )  # fmt: skip

    def run():
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="task-worker", daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=10)
