"""The admin pages for series and roundups load for staff, with entries inline and in order."""

import pytest
from django.urls import reverse

from roundups.models import Roundup
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_series_admin_pages(staff_client):
    series = factories.make_series("Weekly paper roundup")
    for url in [
        reverse("admin:roundups_series_changelist"),
        reverse("admin:roundups_series_add"),
        reverse("admin:roundups_series_change", args=[series.pk]),
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_roundup_admin_pages(staff_client, author):
    roundup = factories.make_roundup(author=author, series=factories.make_series(), entries=3)
    for url in [
        reverse("admin:roundups_roundup_changelist"),
        reverse("admin:roundups_roundup_changelist") + "?status=draft",
        reverse("admin:roundups_roundup_changelist") + f"?author__id__exact={author.pk}",
        reverse("admin:roundups_roundup_add"),
        reverse("admin:roundups_roundup_change", args=[roundup.pk]),
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_roundup_admin_shows_entries_inline_in_position_order(staff_client, author):
    roundup = factories.make_roundup(author=author)
    factories.make_entry(roundup, 2, title="Second paper")
    factories.make_entry(roundup, 1, title="First paper")
    html = staff_client.get(reverse("admin:roundups_roundup_change", args=[roundup.pk]))
    html = html.content.decode()
    assert html.index("First paper") < html.index("Second paper")


def test_roundup_admin_search_covers_paper_titles(staff_client, author):
    hit = factories.make_roundup(author=author, title="Week 1")
    factories.make_entry(hit, title="Toy Models of Superposition")
    factories.make_roundup(author=author, title="Week 2", entries=1)
    response = staff_client.get(reverse("admin:roundups_roundup_changelist") + "?q=superposition")
    assert list(response.context["cl"].result_list) == [hit]


def test_slugs_are_prepopulated(staff_client):
    for name in ["admin:roundups_roundup_add", "admin:roundups_series_add"]:
        assert b"prepopulated" in staff_client.get(reverse(name)).content


def test_admin_is_closed_to_non_staff(client, author):
    client.force_login(author)
    response = client.get(reverse("admin:roundups_roundup_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert Roundup.objects.count() == 0
