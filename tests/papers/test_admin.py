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
