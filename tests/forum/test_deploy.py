"""Production configuration, checked the way production starts: a fresh process, env variables."""

import os
import secrets
import subprocess
import sys
import textwrap

from django.conf import settings

MANAGE = str(settings.BASE_DIR / "manage.py")


def production_env(**overrides) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Start from what the host has (PATH, DATABASE_URL) but none of our own knobs.
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC_ROOT", "SECURE_SSL_REDIRECT"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),  # 67 characters, well mixed
        ALLOWED_HOSTS="roundups.example.org",
        DJANGO_SETTINGS_MODULE="forum.settings",
    )
    env.update(overrides)
    return env


def run(args, env, timeout=60):
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_check_deploy_is_clean_with_production_values():
    result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "?: (security." not in output


def test_check_deploy_catches_a_weak_secret():
    """Proves the test above would fail on a bad value, not pass by not checking."""
    env = production_env(SECRET_KEY="short-and-guessable")
    result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_debug_off_without_secret_key_refuses_to_start():
    env = production_env()
    del env["SECRET_KEY"]
    result = run([MANAGE, "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY" in result.stderr


def test_debug_off_with_empty_secret_key_refuses_to_start():
    result = run([MANAGE, "check"], production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_whitenoise_serves_collected_static_files_with_debug_off(tmp_path):
    """collectstatic with the production storage, then fetch through the full middleware stack."""
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.templatetags.static import static
        from django.test import Client

        assert not settings.DEBUG
        backend = settings.STORAGES["staticfiles"]["BACKEND"]
        assert backend == "forum.staticfiles.ManifestStaticFilesStorage", backend
        call_command("collectstatic", "--noinput", verbosity=0)
        url = static("css/thread.css")
        assert url != "/static/css/thread.css", "manifest storage must hash names: " + url
        client = Client()
        hashed = client.get(url, secure=True)
        plain = client.get("/static/css/thread.css", secure=True)
        admin = client.get(static("admin/css/base.css"), secure=True, HTTP_ACCEPT_ENCODING="gzip")
        missing = client.get("/static/css/no-such-file.css", secure=True)
        print(hashed.status_code, hashed["Cache-Control"], sep="|")
        print(plain.status_code, plain["Content-Type"])
        print(admin.status_code, admin.get("Content-Encoding", "-"))
        print(missing.status_code)
        """
    )
    env = production_env(ALLOWED_HOSTS="testserver", STATIC_ROOT=str(tmp_path / "static"))
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stdout + result.stderr
    hashed, plain, admin, missing = result.stdout.split("\n")[:4]
    status, cache_control = hashed.split("|")
    assert status == "200"
    assert "immutable" in cache_control  # hashed names can be cached for ever
    assert plain.startswith("200 text/css")
    assert admin == "200 gzip"  # whitenoise serves the precompressed copy
    assert missing == "404"
