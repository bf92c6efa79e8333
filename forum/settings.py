"""Settings for Roundups. Every value comes from the environment, with safe development defaults.

Production needs at least DEBUG=0, SECRET_KEY and ALLOWED_HOSTS; see the README's "Deploying".
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY") or _DEV_SECRET
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "mptt",
    "django_tasks",  # the Tasks API backport (django.tasks in Django 6): forum/tasks.py
    "django_tasks_db",  # its database engine and db_worker (bin/worker)
    "forum",
    "accounts",
    "roundups",
    "comments",
    "notifications",
    "papers",
    "ninja",  # ships the API docs page's static files, so it needs no CDN
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "forum.middleware.ContentSecurityPolicyMiddleware",
    "forum.middleware.RefuseControlCharactersMiddleware",  # before anything reads the address
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages and JSON for clients that accept gzip. After whitenoise, which answers
    # static files itself (pre-compressed at collectstatic, images left alone); before anything
    # that writes the body. Django's GZipMiddleware pads each response with random bytes (its
    # BREACH mitigation, with the per-request masked CSRF token), weakens ETags rather than
    # sending a strong one for other bytes, compresses streaming responses as a stream, and
    # leaves a response alone that already has a Content-Encoding or is under 200 bytes.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: a retried API write with the same Idempotency-Key is answered
    # from the first response, in the write's own transaction (forum/idempotency.py).
    "api.idempotency.IdempotencyKeyMiddleware",
    # Last, so it sees a view's exception first: a dependency outage answers 503, not 500.
    "forum.outages.DependencyOutageMiddleware",
]

ROOT_URLCONF = "forum.urls"
WSGI_APPLICATION = "forum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.unread",
                "papers.context_processors.open_suggestions",
                "papers.context_processors.search_query",
            ],
            # {% url %} with its answers remembered (forum/fasttags.py).
            "builtins": ["forum.fasttags"],
        },
    },
]

# Database: DATABASE_URL, else an SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes SQLite's write lock when a transaction starts, so two writers can
        # never both read max(tree_id) before either writes (see comments/services.py).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if IS_POSTGRES:
    # No JIT: PostgreSQL compiles a query to machine code once its estimated cost passes
    # jit_above_cost, and the thread query's estimate does (its correlated subqueries, or stale
    # statistics after a bulk load): 240 ms of compiling for a 100-comment page that runs in
    # 1 ms (docs/benchmarks.md, "Round 6"). A page's queries are small; none gains from it.
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    pg_options["options"] = f"{pg_options.get('options', '')} -c jit=off".strip()
# Lets parallel test runs on one PostgreSQL server keep their own test databases.
if os.environ.get("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, sessions and rate-limit counters: Redis when REDIS_URL is set, so every web process
# shares them; otherwise the database cache (still shared across processes on one database).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "roundups"),
            # A Redis that is down must fail a request's cache call fast, not hold a worker
            # thread for the kernel's TCP timeout (see "Degraded modes" in the README).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions live in the database with Redis in front: while Redis is down signed-in readers
    # stay signed in (forum/sessions.py reads the database instead).
    SESSION_ENGINE = "forum.sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "roundups_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's ModelBackend, with the session epoch behind "log out everywhere" (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.SessionEpochBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic writes and whitenoise serves from; the Docker image sets its own.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "forum.staticfiles.ManifestStaticFilesStorage"  # whitenoise's, URLs kept
        )
    },
}

# Mail, with Django's own names. Sent only by the task worker (bin/worker), never in a request.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "roundups@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's public address, for absolute links in mail (a worker has no request to build them).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Series mail (notifications/delivery.py): mails per claimed batch (one SMTP connection each),
# tries before a delivery is failed, the first retry's delay (doubling), and how long a claimed
# delivery may sit in "sending" without progress before its worker is taken for dead.
MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", "50"))
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
MAIL_RETRY_DELAY = int(os.environ.get("MAIL_RETRY_DELAY", "60"))
MAIL_SENDING_LEASE = int(os.environ.get("MAIL_SENDING_LEASE", "300"))

# Background tasks through Django's Tasks API (forum/tasks.py). "database" is django-tasks-db:
# tasks are rows in this site's own database, run by `bin/worker`; "immediate" runs each task in
# the process that enqueues it (no worker; for a quick trial only: the request then does the
# work); or a backend's dotted path.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(TASKS_BACKEND, TASKS_BACKEND),
        "QUEUES": ["default", "mail"],
    }
}

# Security headers. HTTPS settings follow DEBUG so local development works over plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind the TLS proxy the README recommends, every request comes from the proxy's address: the
# client's is the right-most X-Forwarded-For hop (forum/ratelimit.py). Never set it without a
# proxy that appends that header, or clients could pick the address they are limited by.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz must answer plain HTTP from the load balancer even with SECURE_SSL_REDIRECT on.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$"]

# Content-Security-Policy: scripts and styles only from our own origin, nothing inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Comment limits; each names why it is there.
COMMENT_MAX_LENGTH = 10_000  # longer than any real reply; stops pasted dumps
COMMENT_RATE_LIMIT = int(os.environ.get("COMMENT_RATE_LIMIT", "10"))  # comments per window
COMMENT_RATE_WINDOW = int(os.environ.get("COMMENT_RATE_WINDOW", "60"))  # seconds

# Paper metadata look-ups (the "paste links" box: papers/metadata.py). The fetch function is a
# dotted path so tests, and the live server of the browser tests, replay recorded answers.
PAPER_METADATA_FETCH = os.environ.get("PAPER_METADATA_FETCH", "papers.metadata.http_fetch")
PAPER_METADATA_TIMEOUT = float(os.environ.get("PAPER_METADATA_TIMEOUT", "5"))  # s per request
# Requests to arXiv, Crossref and OpenReview one author may cause per window: a few pastes of
# ten papers an hour is a busy week; more is a loop or a script, and they ask for restraint.
PAPER_LOOKUP_RATE_LIMIT = int(os.environ.get("PAPER_LOOKUP_RATE_LIMIT", "60"))
PAPER_LOOKUP_RATE_WINDOW = int(os.environ.get("PAPER_LOOKUP_RATE_WINDOW", "3600"))  # seconds

# API tokens. An unused token is a credential nobody watches: it expires after this many days
# without a request (last use is recorded at most once a minute). The cap keeps a leaked password
# from minting tokens without end, and the settings page short.
API_TOKEN_IDLE_DAYS = int(os.environ.get("API_TOKEN_IDLE_DAYS", "90"))
API_TOKENS_PER_USER = int(os.environ.get("API_TOKENS_PER_USER", "20"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
