"""Sessions in the database with Redis in front: a Redis outage must not sign anyone out.

Django's ``cached_db`` store already reads through to the database when the cache misses and
tolerates a failing ``set`` after a save, but a Redis that refuses connections still escapes from
``load`` (the refill after a database read), ``exists`` and ``delete``: a 500 on every signed-in
page. This store treats the cache as what it is, an accelerator: when Redis is unreachable, the
session row in the database answers and the request goes on.

One consequence, documented in the README: a session ended while Redis is down (logout, password
change) is deleted from the database but its copy in Redis is not, so a Redis that comes back
with its data would revive it until the session's expiry. Our Redis runs without persistence: a
restarted Redis comes back empty.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger(__name__)


def _cache_errors() -> tuple[type[BaseException], ...]:
    # redis is only installed where REDIS_URL is used; without it the cache is the database's,
    # whose failures are the database's own and must not be swallowed here.
    try:
        from redis.exceptions import ConnectionError, TimeoutError
    except ImportError:  # pragma: no cover - redis is a runtime dependency
        return ()
    return (ConnectionError, TimeoutError)


CACHE_ERRORS = _cache_errors()


class SessionStore(CachedDBStore):
    """``cached_db`` that falls back to the database whenever the cache is unreachable."""

    def load(self):
        try:
            return super().load()
        except CACHE_ERRORS as error:
            logger.warning("session cache unreachable, reading the database: %s", error)
            row = self._get_session_from_db()
            return self.decode(row.session_data) if row else {}

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except CACHE_ERRORS:
            return bool(session_key) and super(CachedDBStore, self).exists(session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except CACHE_ERRORS as error:
            # The database row is gone (deleted before the cache), so the session is over.
            logger.warning("session cache unreachable, could not drop a session: %s", error)
