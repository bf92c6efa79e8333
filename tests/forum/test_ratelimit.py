"""forum/ratelimit.py: the sliding window, its waits, the client address, and cache outages."""

import pytest
from django.test import RequestFactory

from comments.services import RateLimited, comment_create
from forum import ratelimit
from forum.ratelimit import Rate
from tests.broken_cache import BROKEN_CACHES

pytestmark = pytest.mark.django_db
RATE = Rate(limit=3, window=60)


@pytest.fixture
def clock(monkeypatch):
    """Holds the limiter's clock still at the start of a window until moved."""
    now = {"t": 1_800_000_000.0 - 1_800_000_000.0 % 60}
    monkeypatch.setattr(ratelimit, "clock", lambda: now["t"])
    return now


def test_hits_up_to_the_limit_pass_and_the_next_one_waits_for_the_window(clock):
    assert [ratelimit.hit("t", "k", RATE) for _ in range(3)] == [0, 0, 0]
    # Three in this window: they must slide out of the next one far enough for a fourth.
    assert ratelimit.hit("t", "k", RATE) == 60 + 20
    assert ratelimit.count("t", "k", RATE) == 3  # the refused hit was not counted


def test_the_wait_it_answers_is_enough_and_not_more(clock):
    for _ in range(3):
        ratelimit.hit("t", "k", RATE)
    clock["t"] += 30
    retry = ratelimit.wait("t", "k", RATE)
    clock["t"] += retry - 1
    assert ratelimit.hit("t", "k", RATE) > 0
    clock["t"] += 1
    assert ratelimit.hit("t", "k", RATE) == 0


def test_keys_and_scopes_are_separate_and_reset_forgets(clock):
    for _ in range(3):
        ratelimit.hit("t", "k", RATE)
    assert ratelimit.hit("t", "other", RATE) == 0
    assert ratelimit.hit("u", "k", RATE) == 0
    ratelimit.reset("t", "k", RATE)
    assert ratelimit.hit("t", "k", RATE) == 0


@pytest.mark.parametrize(
    "proxy, meta, expected",
    [
        (False, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.1"),
        (True, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, "1.2.3.4"),
        (True, {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
    ],
)
def test_forwarded_for_is_read_only_behind_the_tls_proxy(settings, proxy, meta, expected):
    settings.BEHIND_TLS_PROXY = proxy
    request = RequestFactory().get("/", **meta)
    assert ratelimit.client_address(request) == expected


def test_cache_outage_falls_back_to_per_process_counters(settings, clock, caplog):
    settings.CACHES = BROKEN_CACHES
    assert [ratelimit.hit("t", "k", RATE) for _ in range(3)] == [0, 0, 0]
    assert ratelimit.hit("t", "k", RATE) > 0  # still limited, per process
    assert "cache unavailable" in caplog.text


def test_comment_posting_keeps_working_and_limited_while_the_cache_is_down(
    settings, roundup, reader, clock
):
    settings.CACHES = BROKEN_CACHES
    for n in range(10):
        assert comment_create(roundup=roundup, author=reader, body=f"comment {n}").pk
    with pytest.raises(RateLimited):
        comment_create(roundup=roundup, author=reader, body="one too many")


def test_posting_a_comment_over_http_answers_while_the_cache_is_down(
    client, settings, roundup, reader
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"  # the limiter's outage only
    client.force_login(reader)
    settings.CACHES = BROKEN_CACHES
    url = f"/roundups/{roundup.slug}/comments/"
    assert client.post(url, {"body": "still works"}).status_code == 302
    assert roundup.comments.filter(author=reader).count() == 1
