"""Pages and JSON are gzip-compressed for clients that accept it (GZipMiddleware), with Django's
BREACH mitigation; static files are left to whitenoise."""

import gzip
import json

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def site(db):
    for _ in range(3):
        factories.make_roundup(entries=2)


@pytest.mark.parametrize(
    ("url", "marker"),
    [
        ("/", b"Paper roundups"),
        ("/api/roundups", b'"results"'),
        ("/feeds/rss/", b"<rss"),
        ("/papers/", b"Papers"),
    ],
)
def test_html_json_and_feeds_are_compressed_when_accepted(client, site, url, marker):
    plain = client.get(url)
    packed = client.get(url, **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain and marker in plain.content
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]  # caches keep the two apart
    assert marker in gzip.decompress(packed.content)
    assert len(packed.content) < len(plain.content)


def test_json_survives_the_round_trip(client, site):
    packed = client.get("/api/roundups", **GZIP)
    assert json.loads(gzip.decompress(packed.content)) == client.get("/api/roundups").json()


def test_the_same_page_compresses_differently_each_time(client, site):
    """BREACH mitigation (Django 4.2+): random padding in each gzip header, so the length of a
    compressed page does not leak how well a guess matched a secret on it."""
    first = client.get(reverse("home"), **GZIP)
    second = client.get(reverse("home"), **GZIP)
    assert gzip.decompress(first.content) == gzip.decompress(second.content)
    assert first.content != second.content


def test_tiny_responses_are_left_alone(client, db):
    response = client.get("/healthz/live", **GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response
