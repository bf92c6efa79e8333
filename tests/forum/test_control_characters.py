"""Control characters in an address answer 400 before any view runs (issue #17 item 8).

NUL reaching PostgreSQL was a 500 ("A string literal cannot contain NUL"); these are the
addresses the issue named. tests/forum/test_hostile_urls.py walks every other one.
"""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=a%00b",
        "/users/a%00b/",
        "/papers/a%00b/",
        "/papers/a%00b/bibtex",
        "/papers/arxiv:1706.03762%1b/",
        "/roundups/x/?sort=%1b",
        "/?page=%7f",
        "/search/?q%00=a",  # in a name, too
    ],
)
def test_control_characters_in_path_or_query_are_a_plain_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"Bad request: The address holds control characters.\n"
    assert "Content-Security-Policy" in response  # the site's headers still apply


@pytest.mark.parametrize("url", ["/api/roundups/a%00b", "/api/roundups?page=%00"])
def test_under_the_api_the_400_is_json(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {"detail": "The address holds control characters."}


def test_a_signed_in_post_is_refused_too_and_writes_nothing(roundup, reader):
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    response = client.post(f"/roundups/{roundup.slug}/comments/?x=%00", {"body": "Hello"})
    assert response.status_code == 400
    assert not roundup.comments.exists()


def test_tabs_and_newlines_in_a_query_are_not_refused(client):
    roundup = factories.make_roundup(title="Sparse autoencoders")
    response = client.get("/search/?q=sparse%09autoencoders%0A")
    assert response.status_code == 200
    assert [(hit.kind, hit.obj.pk) for hit in response.context["hits"]] == [("roundup", roundup.pk)]


def test_a_cookie_holding_a_control_character_is_ignored(client, reader):
    client.force_login(reader)
    # Quoted cookies may escape characters in octal: this one reaches Django as a NUL, which
    # the database session store would have sent to PostgreSQL.
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    client.cookies["theme"] = "dark"
    response = client.get("/")
    assert response.status_code == 200
    assert "sessionid" not in response.wsgi_request.COOKIES
    assert response.wsgi_request.COOKIES["theme"] == "dark"
    assert not response.wsgi_request.user.is_authenticated
