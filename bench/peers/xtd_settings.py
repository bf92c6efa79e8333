"""A small settings module for the django-comments-xtd peer: its own apps, database and URLs.

Only what django-comments-xtd needs to store and render a thread; the database comes from
DATABASE_URL like the project's (``bench.common.setup(..., name="roundups_bench_xtd")``).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DEBUG = False
SECRET_KEY = "bench-xtd-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django_comments_xtd",
    "django_comments",
]
SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MAX_THREAD_LEVEL = 12  # the bench threads go 12 deep
COMMENTS_XTD_CONFIRM_EMAIL = False
ROOT_URLCONF = "bench.peers.xtd_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
