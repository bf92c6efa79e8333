import pytest
from django.urls import reverse

from papers.services import suggestion_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_admin_lists_suggestions_and_offers_no_add(client, admin_user, roundup):
    fields = {"title": "A <b>paper</b>", "url": "https://example.org/p", "blurb": "Read it."}
    suggestion_create(roundup=roundup, author=make_user("ada"), **fields)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:papers_papersuggestion_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "A &lt;b&gt;paper&lt;/b&gt;" in html and ">ada<" in html
    assert client.get(reverse("admin:papers_papersuggestion_add")).status_code == 403


def test_a_link_corrected_in_the_admin_rekeys_the_suggestion(client, admin_user, roundup):
    fields = {"title": "Adam", "url": "https://example.org/typo", "blurb": "Read it."}
    suggestion = suggestion_create(roundup=roundup, author=make_user("ada"), **fields)
    client.force_login(admin_user)
    url = reverse("admin:papers_papersuggestion_change", args=[suggestion.pk])
    assert "Supporter count" in client.get(url).content.decode()
    response = client.post(url, {"title": "Adam", "url": "https://arxiv.org/abs/1412.6980"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.paper_key == "arxiv:1412.6980"
