"""Every URL of the project, filled with hostile input, answers below 500.

The walk reads the URL patterns themselves (the admin's and the API's included), so a view added
later is covered without touching this file. Each pattern is requested:

* with every path parameter set to NUL, control characters, percent-encoded variants and overlong
  values (PostgreSQL refuses NUL in text, the integer columns stop at 2**63 - 1, the slug and
  username columns are a few hundred characters);
* with real parameters (a published roundup's slug, a comment's id, a paper's key) and a hostile
  query string, which reaches the views' query parsing (?q=, ?page=, ?sort=, ?since=...);

as an anonymous reader and as signed-in staff, with GET and with POST (CSRF checks off, so the
POST reaches the view). It runs on SQLite and on PostgreSQL, where NUL hurts.
"""

import itertools
import json
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

from comments.services import comment_create
from tests import factories

pytestmark = pytest.mark.django_db

OVERLONG = 5_000  # past every column and Python's default 4,300-digit int() limit
HOSTILE_SEGMENTS = [
    "a\x00b",
    "\x00",
    "a\x01b",
    "a\x0bb",
    "a\x1bb",
    "a\x7fb",
    "a\x85b",  # C1 control (NEL)
    "a%2500b",  # a literal "%00" once decoded
    "%C0%80",  # NUL as overlong UTF-8
    "%FF%FE",  # not UTF-8 at all
    "x" * OVERLONG,
    "9" * 20,  # past bigint
    "9" * OVERLONG,
]
HOSTILE_QUERY = "q=a%00b&page=%00&sort=%1b&since=%00&paper=%00&cursor=%00&url=%00&next=%00"
HOSTILE_QUERIES = [
    HOSTILE_QUERY,
    "q=%01%0b%1b%7f&page=99999999999999999999&since=9999-99-99&sort=" + "x" * OVERLONG,
    "q=" + "y" * OVERLONG + "&page=-1&since=" + "1" * OVERLONG,
    "q=%C0%80&page=%FF&sort=%FF&since=%C0%80",
    # keyset cursors (forum/keyset.py): not base64, base64 of junk, an overlong one
    "after=%FF%FE&before=a.b&cursor=%C0%80",
    "after=bm90IGpzb24&before=W10&cursor=WzEsMiwzXQ",
    "after=" + "A" * OVERLONG + "&before=" + "B" * OVERLONG + "&cursor=" + "C" * OVERLONG,
]
HOSTILE_TEXT = "a\x00b\x01c\x0bd\x1be\x7ff\x85g\ufffe"
# Field names the site's forms and API bodies use, all set to hostile text in every POST.
POST_FIELDS = [
    "body",
    "reason",
    "title",
    "slug",
    "intro",
    "outro",
    "name",
    "description",
    "url",
    "blurb",
    "q",
    "username",
    "email",
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "paper_entry",
    "roundup",
    "value",
    "locked",
    "parent",
]


def walk(patterns, prefix=""):
    """Yield ``(template, params)`` for every pattern: ``template`` is ``"roundups/%(slug)s/"``."""
    for pattern in patterns:
        for path, params in normalize(pattern.pattern.regex.pattern):
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + path)
            else:
                yield prefix + path, params


def routes():
    seen = {}
    for template, params in walk(get_resolver().url_patterns):
        seen.setdefault(template, params)  # the API lists one route per method
    return sorted(seen.items())


def fill(template, params, value):
    # Percent-encode what is not already an escape, as a client would send it; the test client
    # decodes the path again, as a server does, so the view sees the raw characters.
    encoded = value if "%" in value else quote(value, safe="")
    return "/" + template % dict.fromkeys(params, encoded)


def real_values(roundup, comment, user):
    return {
        "slug": roundup.slug,
        "pk": str(comment.pk),
        "comment_id": str(comment.pk),
        "key": quote(roundup.entries.first().paper_key, safe=":"),
        "username": user.username,
        "id": str(user.pk),
        "object_id": str(roundup.pk),
        "content_type_id": "1",
    }


def send(client, method, path, query=""):
    url = f"{path}?{query}" if query else path
    if method == "get":
        return client.get(url)
    if path.startswith("/api/"):
        body = json.dumps(dict.fromkeys(POST_FIELDS, HOSTILE_TEXT))
        return client.post(url, body, content_type="application/json")
    return client.post(url, dict.fromkeys(POST_FIELDS, HOSTILE_TEXT))


def requests(roundup, comment, user):
    """Every (method, path, query) the walk sends."""
    known = real_values(roundup, comment, user)
    for template, params in routes():
        for method in ("get", "post"):
            real_path = "/" + template % {name: known.get(name, "1") for name in params}
            # A form reads its POST body, not the query: one hostile query is enough there.
            for query in HOSTILE_QUERIES if method == "get" else HOSTILE_QUERIES[:1]:
                yield method, real_path, query
            for value in HOSTILE_SEGMENTS if params else []:
                yield method, fill(template, params, value), ""


def test_no_url_answers_5xx_to_hostile_input():
    walked = dict(routes())
    # The walk reaches into the namespaced includes, the admin and the API.
    assert {
        "users/%(username)s/",
        "papers/%(key)s/bibtex",
        "admin/roundups/series/%(object_id)s/change/",
        "api/roundups/%(slug)s/comments",
    } <= set(walked)
    author = factories.make_author()
    roundup = factories.make_roundup(author=author, entries=2)
    comment = comment_create(roundup=roundup, author=author, parent=None, body="First.")
    staff = factories.make_user(superuser=True)
    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False, enforce_csrf_checks=False)
    signed_in.force_login(staff)
    failures = []
    for (method, path, query), (who, client) in itertools.product(
        list(requests(roundup, comment, author)), [("anonymous", anonymous), ("staff", signed_in)]
    ):
        response = send(client, method, path, query)
        if who == "staff" and method == "post" and path.endswith("logout/"):
            signed_in.force_login(staff)  # signed out by that POST: sign in again
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            failures.append(
                f"{who} {method.upper()} {path[:120]}?{query[:80]} -> "
                f"{response.status_code} {error!r:.200}"
            )
    assert signed_in.get("/admin/").status_code == 200  # the staff half ran signed in
    assert not failures, f"{len(failures)} answers of 5xx:\n" + "\n".join(failures)
