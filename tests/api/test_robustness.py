"""Hostile and malformed input answers 4xx with {"detail"}, never 500; the schema and docs serve."""

import re

import pytest

from api.models import ApiToken
from roundups.models import Roundup

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(author):
    return ApiToken.objects.issue(author)[1]


@pytest.mark.parametrize(
    "raw", ["{", "not json", '{"body": "x"', "\xff\xfe", '{"body": "\\ud800"}', "[1, 2]", "null"]
)
def test_malformed_bodies_are_4xx_json(as_reader, roundup, raw):
    response = as_reader.post(f"/api/roundups/{roundup.slug}/comments", raw=raw)
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_malformed_json_is_400(as_reader, roundup):
    response = as_reader.post(f"/api/roundups/{roundup.slug}/comments", raw="{")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Cannot parse request body")


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"title": ["a"]},
        {"title": {"a": 1}},
        {"title": "ok", "number": 2**70},
        {"title": "ok", "number": -1},
        {"title": "ok", "entries": None},
        {"title": "ok", "entries": [None]},
        {"title": "ok", "entries": [{"title": "t", "url": "u", "year": 10**20}]},
        {"title": "ok", "series": "a/b"},
    ],
)
def test_wrong_types_nulls_and_huge_ints_are_422(as_author, body):
    response = as_author.post("/api/roundups", body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_unicode_round_trips(as_author, anon):
    title = "Ünïcödé ✓ 論文 🧪"
    response = as_author.post(
        "/api/roundups",
        {"title": title, "intro": "emoji 🚀", "entries": [{"title": "ε", "url": "https://ε.org"}]},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == title
    assert response.json()["slug"] == "unicode"  # slugs are ASCII, as the HTML form makes them


def test_nul_characters_are_dropped_from_roundup_text(as_author):
    response = as_author.post("/api/roundups", {"title": "nul\x00title", "intro": "a\x00b"})
    assert response.status_code == 201
    assert Roundup.objects.get().title == "nultitle"


def test_control_characters_are_dropped_from_api_text(as_author, as_reader, roundup):
    response = as_author.post("/api/roundups", {"title": "esc\x1btitle", "intro": "a\x0bb"})
    assert response.status_code == 201
    assert Roundup.objects.get(slug=response.json()["slug"]).title == "esctitle"
    url = f"/api/roundups/{roundup.slug}/comments"
    assert as_reader.post(url, {"body": "a\x01b\x7f"}).json()["body"] == "ab"


def test_nul_in_credentials_is_422(anon):
    response = anon.post("/api/auth/token", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 422


def test_nul_in_a_comment_is_dropped(as_reader, roundup):
    response = as_reader.post(f"/api/roundups/{roundup.slug}/comments", {"body": "a\x00b"})
    assert response.json()["body"] == "ab"


@pytest.mark.parametrize("path", ["-5", "0", "9" * 30, "1e3", "%00"])
def test_bad_ids_in_every_comment_route_are_4xx(as_reader, path):
    for response in (
        as_reader.get(f"/api/comments/{path}"),
        as_reader.patch(f"/api/comments/{path}", {"body": "x"}),
        as_reader.delete(f"/api/comments/{path}"),
        as_reader.post(f"/api/comments/{path}/vote", {"value": 1}),
    ):
        assert 400 <= response.status_code < 500


def test_unsupported_method_is_405(anon, roundup):
    assert anon.client.put(f"/api/roundups/{roundup.slug}").status_code == 405


def test_openapi_schema_names_every_endpoint(anon):
    response = anon.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert operations == {
        ("POST", "/api/auth/token"),
        ("DELETE", "/api/auth/token"),
        ("GET", "/api/roundups"),
        ("POST", "/api/roundups"),
        ("GET", "/api/roundups/{slug}"),
        ("PATCH", "/api/roundups/{slug}"),
        ("GET", "/api/roundups/{slug}/comments"),
        ("POST", "/api/roundups/{slug}/comments"),
        ("GET", "/api/comments/{comment_id}"),
        ("PATCH", "/api/comments/{comment_id}"),
        ("DELETE", "/api/comments/{comment_id}"),
        ("POST", "/api/comments/{comment_id}/vote"),
        ("GET", "/api/notifications"),
        ("POST", "/api/notifications/read"),
        ("POST", "/api/series/{slug}/subscription"),
        ("DELETE", "/api/series/{slug}/subscription"),
        ("GET", "/api/roundups/{slug}/deliveries"),
    }
    # Every operation that takes input declares the 422 it can answer with.
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in operation["responses"], (method, path)


def test_docs_page_loads_nothing_from_another_origin(anon):
    response = anon.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    # No inline script that would run: only the JSON settings block (not executed).
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline)
    assert '"validatorUrl": null' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("raw", ['"AAA"', "[null, null]", "5", "true", '["title"]'])
def test_a_body_must_be_a_json_object(as_author, roundup, raw):
    """Found by the fuzzer: ninja's Schema read attributes off a bare string (title=str.title)."""
    assert as_author.post("/api/roundups", raw=raw).status_code == 422
    assert as_author.patch(f"/api/roundups/{roundup.slug}", raw=raw).status_code == 422
    assert not Roundup.objects.exclude(pk=roundup.pk).exists()


def test_integer_bounds_are_in_the_schema(anon):
    """Found by the fuzzer: bounds on a validated int type were dropped from the schema."""
    schemas = anon.get("/api/openapi.json").json()["components"]["schemas"]
    year = schemas["EntryIn"]["properties"]["year"]["anyOf"][0]
    assert (year["minimum"], year["maximum"]) == (0, 32767)
    parent = schemas["CommentIn"]["properties"]["parent"]["anyOf"][0]
    assert (parent["minimum"], parent["maximum"]) == (1, 2**63 - 1)


@pytest.mark.django_db
def test_unknown_api_addresses_answer_json_404(client):
    for path in ("/api/nothing-here", "/api/roundups/x/y/z", "/api/comments/1/nope"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "No such API endpoint."}


def test_a_body_over_the_upload_limit_is_400_and_writes_nothing(as_author, settings):
    """Found by `make fuzz`: a 4 MB body made Django raise RequestDataTooBig inside ninja (500)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    before = Roundup.objects.count()
    response = as_author.post("/api/roundups", {"title": "x" * 2_000})
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is over the 1,000-byte limit."}
    assert Roundup.objects.count() == before
