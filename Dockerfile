# The web image: gunicorn serving Roundups, static files by whitenoise, started by bin/serve.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=forum.settings \
    STATIC_ROOT=/app/staticfiles \
    BIND=0.0.0.0 \
    PORT=8000 \
    PYTHON=python

WORKDIR /app

# Every dependency ships a wheel (psycopg2-binary included), so no compiler is needed.
COPY . .
RUN pip install . && rm -rf build *.egg-info

# A dedicated user with no shell and no write access to the code; it owns only the static folder
# (bin/serve refreshes it at start), so a compromised process cannot rewrite the application.
RUN groupadd --system app \
    && useradd --system --gid app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p "$STATIC_ROOT" && chown app:app "$STATIC_ROOT"
USER app

# collectstatic at build time needs settings that import, not the real secret: a throwaway key
# for this one command, never stored in the image's environment.
RUN DEBUG=0 SECRET_KEY="build-only-placeholder-$(date +%s%N)-not-used-at-runtime-collectstatic" \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["bin/healthcheck"]
CMD ["bin/serve"]
