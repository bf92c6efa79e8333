"""The one rate limiter: a sliding-window counter in the Django cache.

Every limit on the site (comment posting, failed logins, password-reset mail) counts through
``hit``: the count of the current fixed window plus the previous window's count weighted by how
much of it still overlaps the last ``window`` seconds. A plain fixed window would let 2 x limit
through across a window boundary; a log of timestamps would cost a list per key. ``hit`` answers
how many seconds to wait (0 when allowed), which is what a 429 puts in ``Retry-After``. A refused
hit is not counted, so waiting is always enough.

Counters live in the default cache (Redis in production), so a limit holds across every web
process and host. Keys are hashed: a username or an email address may be any length and any
characters, and neither belongs in a cache key in the clear.

Degraded mode (the cache is down). A rate limiter must never turn a request into a 500, and must
not lock everybody out either. When a cache call fails, the limiter falls back to a per-process
in-memory window (the same algorithm, in a ``LocMemCache``) and keeps using it for
``FALLBACK_SECONDS`` before trying the shared cache again, so an outage costs one failed
connection per process every few seconds, not one per request. Limits then hold per process
instead of site-wide: with N web processes an attacker gets up to N times the limit, which still
bounds guessing and spam, while posting, logging in and token creation keep working. The outage
is logged as a warning each time the fallback is entered.

This is a leaf module: it imports no app.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

log = logging.getLogger(__name__)

FALLBACK_SECONDS = 5  # how long to stay on the in-process counters after a cache failure
KEY_PREFIX = "rl"

_memory = LocMemCache("forum-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_fallback_until = 0.0


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` events per sliding ``window`` seconds."""

    limit: int
    window: int


def clock() -> float:
    """Seconds since the epoch; its own function so tests can hold the clock still."""
    return time.time()


def hit(scope: str, key: str, rate: Rate) -> int:
    """Count one event for ``key``; 0 if allowed, else seconds to wait (and not counted)."""
    return _guarded(_hit, scope, key, rate)


def wait(scope: str, key: str, rate: Rate) -> int:
    """Seconds until one more event would be allowed (0 now), without counting one."""
    return _guarded(_wait, scope, key, rate)


def count(scope: str, key: str, rate: Rate) -> float:
    """The weighted count in the sliding window now."""
    return _guarded(_weighted, scope, key, rate)


def refund(scope: str, key: str, rate: Rate) -> None:
    """Give back one counted event that did not happen after all (a refused post)."""
    _guarded(_refund, scope, key, rate)


def reset(scope: str, key: str, rate: Rate) -> None:
    """Forget every event for ``key`` (a successful login clears its failures)."""
    _guarded(_reset, scope, key, rate)


def get_value(scope: str, key: str, default=None):
    """A plain value beside the counters (such as the time of the last failure)."""
    return _guarded(lambda store: store.get(_key(scope, key, "v"), default))


def set_value(scope: str, key: str, value, timeout: int) -> None:
    _guarded(lambda store: store.set(_key(scope, key, "v"), value, timeout=timeout))


def client_address(request) -> str:
    """The client's IP address: the right-most ``X-Forwarded-For`` hop behind our TLS proxy.

    Only with ``BEHIND_TLS_PROXY=1``: the proxy appends the address it saw, so the right-most
    entry is the one a client cannot forge (anything left of it, the client may have sent).
    Without a proxy the header is the client's own words, and ``REMOTE_ADDR`` is the truth.
    """
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


# --- the sliding window ------------------------------------------------------------------------


def _key(scope: str, key: str, suffix) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{KEY_PREFIX}:{scope}:{digest}:{suffix}"


def _buckets(rate: Rate) -> tuple[int, float]:
    bucket, into = divmod(clock(), rate.window)
    return int(bucket), into


def _counts(store, scope, key, rate) -> tuple[int, int, float]:
    bucket, into = _buckets(rate)
    values = store.get_many([_key(scope, key, bucket), _key(scope, key, bucket - 1)])
    current = int(values.get(_key(scope, key, bucket), 0))
    previous = int(values.get(_key(scope, key, bucket - 1), 0))
    return current, previous, into


def _weighted(store, scope, key, rate) -> float:
    current, previous, into = _counts(store, scope, key, rate)
    return current + previous * (1 - into / rate.window)


def _wait_for(current: int, previous: int, into: float, rate: Rate) -> int:
    """Seconds until ``current + 1`` events (plus what is left of ``previous``) fit the limit."""
    if current + previous * (1 - into / rate.window) + 1 <= rate.limit:
        return 0
    if current + 1 <= rate.limit and previous:
        # Still in this window: wait until enough of the previous one has slid out.
        until = rate.window * (1 - (rate.limit - 1 - current) / previous)
        return max(1, math.ceil(until - into))
    # Wait for this window to end, then for enough of it to slide out of the next one.
    slide = rate.window * max(0.0, 1 - (rate.limit - 1) / current) if current else 0.0
    return max(1, math.ceil(rate.window - into + slide))


def _wait(store, scope, key, rate) -> int:
    return _wait_for(*_counts(store, scope, key, rate), rate)


def _hit(store, scope, key, rate) -> int:
    bucket, into = _buckets(rate)
    name = _key(scope, key, bucket)
    store.add(name, 0, timeout=rate.window * 2)
    try:
        current = store.incr(name)
    except ValueError:  # expired between add and incr
        store.set(name, 1, timeout=rate.window * 2)
        current = 1
    previous = int(store.get(_key(scope, key, bucket - 1), 0))
    if current + previous * (1 - into / rate.window) <= rate.limit:
        return 0
    _decr(store, name)
    return _wait_for(current - 1, previous, into, rate)


def _refund(store, scope, key, rate) -> None:
    bucket, _ = _buckets(rate)
    _decr(store, _key(scope, key, bucket))


def _decr(store, name) -> None:
    try:
        store.decr(name)
    except ValueError:  # already expired: nothing to give back
        pass


def _reset(store, scope, key, rate) -> None:
    bucket, _ = _buckets(rate)
    store.delete_many([_key(scope, key, bucket), _key(scope, key, bucket - 1)])


def _guarded(operation, *args):
    """Run ``operation`` on the shared cache, or on the in-process fallback while it is down."""
    global _fallback_until
    if time.monotonic() >= _fallback_until:
        try:
            return operation(cache, *args)
        except Exception as error:  # any cache failure: Redis down, timeouts, a broken table
            # An expected outage, not a bug: one line naming it, no traceback (bin/faults treats
            # a traceback in the server log as a failure).
            log.warning(
                "Rate limiter: cache unavailable (%s: %s), using per-process counters",
                type(error).__name__, error,
            )  # fmt: skip
            _fallback_until = time.monotonic() + FALLBACK_SECONDS
    return operation(_memory, *args)


def _reset_fallback() -> None:
    """For tests: forget a past outage and the in-process counters."""
    global _fallback_until
    _fallback_until = 0.0
    _memory.clear()
