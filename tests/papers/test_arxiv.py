"""arXiv lookup: parsing recorded answers, failures with clear messages, and the endpoint.

No test touches the network: ``urllib.request.urlopen`` is replaced in every test."""

import io
import urllib.error
from pathlib import Path

import pytest
from django.urls import reverse

from papers import arxiv
from tests.factories import make_author, make_user

FIXTURES = Path(__file__).parent / "fixtures"
LOOKUP = reverse("papers:arxiv_lookup")


class FakeArxiv:
    """Stands in for urlopen: answers with a recorded feed, or raises, and keeps the requests."""

    def __init__(self, fixture=None, raises=None):
        self.body = (FIXTURES / fixture).read_bytes() if fixture else b""
        self.raises = raises
        self.requests = []

    def __call__(self, request, timeout=None):
        self.requests.append((request.full_url, timeout))
        if self.raises:
            raise self.raises
        return io.BytesIO(self.body)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any test that forgets to install a fake fails loudly instead of reaching arXiv."""

    def refuse(*args, **kwargs):
        raise AssertionError("tests must not call arXiv")

    monkeypatch.setattr("urllib.request.urlopen", refuse)


def fake(monkeypatch, **kwargs):
    answer = FakeArxiv(**kwargs)
    monkeypatch.setattr("urllib.request.urlopen", answer)
    return answer


@pytest.mark.django_db
def test_lookup_parses_a_recorded_answer(monkeypatch):
    answer = fake(monkeypatch, fixture="arxiv_1706.03762.xml")
    paper = arxiv.lookup("https://arxiv.org/pdf/1706.03762v5.pdf")
    assert paper.title == "Attention Is All You Need"
    assert paper.authors.startswith("Ashish Vaswani, Noam Shazeer, Niki Parmar")
    assert paper.authors.endswith("Illia Polosukhin")
    assert paper.abstract.startswith("The dominant sequence transduction models are based on")
    assert "\n" not in paper.abstract and "  " not in paper.abstract
    assert paper.year == 2017
    url, timeout = answer.requests[0]
    assert url == "https://export.arxiv.org/api/query?id_list=1706.03762&max_results=1"
    assert timeout == arxiv.TIMEOUT_SECONDS


@pytest.mark.django_db
def test_old_style_ids_and_escaped_titles(monkeypatch):
    answer = fake(monkeypatch, fixture="arxiv_hep-th_9901001.xml")
    paper = arxiv.lookup("arXiv:hep-th/9901001v2")
    assert paper.title == "Strings, Branes & Dualities: a <Review>"
    assert paper.year == 1999
    assert "id_list=hep-th%2F9901001" in answer.requests[0][0]


@pytest.mark.django_db
def test_answers_are_cached(monkeypatch):
    answer = fake(monkeypatch, fixture="arxiv_1706.03762.xml")
    arxiv.lookup("https://arxiv.org/abs/1706.03762")
    again = arxiv.lookup("https://arxiv.org/abs/1706.03762v2")
    assert again.title == "Attention Is All You Need"
    assert len(answer.requests) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["arxiv_not_found.xml", "arxiv_error.xml"])
def test_missing_papers_are_not_found(monkeypatch, fixture):
    fake(monkeypatch, fixture=fixture)
    with pytest.raises(arxiv.NotFound, match="arXiv has no paper 2401.99999"):
        arxiv.lookup("https://arxiv.org/abs/2401.99999")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        urllib.error.URLError(TimeoutError("timed out")),
        TimeoutError("timed out"),
        urllib.error.URLError(OSError("Name or service not known")),
        ConnectionResetError(),
    ],
)
def test_unreachable_arxiv_says_so(monkeypatch, error):
    fake(monkeypatch, raises=error)
    with pytest.raises(arxiv.Unreachable, match="did not answer in time"):
        arxiv.lookup("https://arxiv.org/abs/1706.03762")


@pytest.mark.django_db
def test_arxiv_server_errors_say_so(monkeypatch):
    fake(monkeypatch, raises=urllib.error.HTTPError("u", 503, "Busy", {}, None))
    with pytest.raises(arxiv.Unreachable, match=r"error \(503\)"):
        arxiv.lookup("https://arxiv.org/abs/1706.03762")


@pytest.mark.parametrize("body", [b"not xml at all <", b'<!DOCTYPE x [<!ENTITY a "b">]><feed/>'])
def test_unreadable_answers_are_refused(body):
    with pytest.raises(arxiv.ArxivError, match="could not read"):
        arxiv.parse_feed(body, "1706.03762")


@pytest.mark.parametrize("link", ["", "https://example.org/paper", "doi:10.1000/x", "hello"])
def test_links_that_are_not_arxiv_are_refused_before_any_call(link):
    with pytest.raises(arxiv.BadLink, match="not an arXiv link"):
        arxiv.lookup(link)


# --- the endpoint -------------------------------------------------------------------------


@pytest.fixture
def author_client(client, db):
    client.force_login(make_author())
    return client


def test_endpoint_answers_json(author_client, monkeypatch):
    fake(monkeypatch, fixture="arxiv_1706.03762.xml")
    response = author_client.get(LOOKUP, {"url": "https://arxiv.org/abs/1706.03762"})
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Attention Is All You Need"
    assert data["year"] == 2017
    assert data["arxiv_id"] == "1706.03762"
    assert set(data) == {"arxiv_id", "title", "authors", "abstract", "year"}


@pytest.mark.parametrize(
    ("kwargs", "link", "status", "message"),
    [
        ({}, "https://example.org/x", 400, "not an arXiv link"),
        ({"fixture": "arxiv_not_found.xml"}, "https://arxiv.org/abs/2401.99999", 404, "no paper"),
        ({"raises": TimeoutError()}, "https://arxiv.org/abs/2401.99999", 504, "did not answer"),
    ],
)
def test_endpoint_errors(author_client, monkeypatch, kwargs, link, status, message):
    if kwargs:
        fake(monkeypatch, **kwargs)
    response = author_client.get(LOOKUP, {"url": link})
    assert response.status_code == status
    assert message in response.json()["error"]


def test_endpoint_is_for_authors_only(client, db):
    assert client.get(LOOKUP, {"url": "https://arxiv.org/abs/1706.03762"}).status_code == 302
    client.force_login(make_user())
    assert client.get(LOOKUP, {"url": "https://arxiv.org/abs/1706.03762"}).status_code == 403
