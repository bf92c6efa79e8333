"""The Docker files, checked without a Docker engine: structure, and that they agree with the code.

The start path itself (bin/serve) is exercised for real in test_serve.py.
"""

import os
import re
import stat
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_four_services():
    assert set(compose()["services"]) == {"db", "redis", "web", "worker"}


def test_the_worker_runs_bin_worker_on_the_web_image_and_database():
    services = compose()["services"]
    worker = services["worker"]
    assert worker["command"] == ["bin/worker"]
    assert worker["image"] == services["web"]["image"]
    assert worker["environment"]["DATABASE_URL"] == services["web"]["environment"]["DATABASE_URL"]
    assert "EMAIL_HOST" in worker["environment"]


def test_database_is_postgres_16_with_a_volume_and_a_healthcheck():
    config = compose()
    db = config["services"]["db"]
    assert db["image"] == "postgres:16"
    volume = db["volumes"][0].split(":")[0]
    assert volume in config["volumes"]  # a named volume, so data outlives the container
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_redis_is_7_with_a_healthcheck():
    redis = compose()["services"]["redis"]
    assert redis["image"] == "redis:7"
    assert "ping" in redis["healthcheck"]["test"]


def test_web_runs_bin_serve_in_production_mode():
    web = compose()["services"]["web"]
    env = web["environment"]
    assert web["command"] == ["bin/serve"]
    assert env["DEBUG"] == "0"
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["BIND"] == "0.0.0.0"
    assert env["ALLOWED_HOSTS"]


def test_web_secret_key_is_required_not_defaulted():
    """${VAR:?message} makes compose refuse to start when SECRET_KEY is unset or empty."""
    secret = compose()["services"]["web"]["environment"]["SECRET_KEY"]
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", secret), secret


def test_web_waits_for_healthy_db_and_checks_its_own_health():
    web = compose()["services"]["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert web["healthcheck"]["test"] == ["CMD", "bin/healthcheck"]


def test_every_variable_the_web_service_sets_is_read_by_settings_or_bin_serve():
    """A misspelt variable in compose would be silently ignored; this catches it."""
    read = (ROOT / "forum" / "settings.py").read_text() + (ROOT / "bin" / "serve").read_text()
    for name in compose()["services"]["web"]["environment"]:
        assert name in read, f"{name} is set in docker-compose.yml but nothing reads it"


def test_dockerfile_basics():
    text = (ROOT / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert re.search(r"^USER app$", text, re.M)  # never runs as root
    assert "pip install ." in text
    assert "collectstatic" in text
    assert 'CMD ["bin/serve"]' in text
    # The user switch comes before the command that starts the app.
    assert text.index("USER app") < text.index('CMD ["bin/serve"]')


def test_dockerignore_keeps_local_state_and_secrets_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "db.sqlite3", ".env", "staticfiles"} <= ignored


def test_start_scripts_are_executable():
    for name in ("serve", "healthcheck"):
        mode = os.stat(ROOT / "bin" / name).st_mode
        assert mode & stat.S_IXUSR, f"bin/{name} is not executable"
