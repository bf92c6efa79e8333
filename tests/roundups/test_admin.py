"""The admin pages for series and roundups load for staff, with entries inline and in order."""

import pytest
from django.urls import reverse

from roundups.models import Roundup, Series
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


def test_series_admin_strips_control_characters(staff_client):
    # The admin is the only writer of series: its form cleans the text as the site's forms do.
    response = staff_client.post(
        reverse("admin:roundups_series_add"),
        {"name": "Weekly\x1b roundup\x00", "slug": "weekly", "description": "Each\x0b week.\x7f"},
    )
    assert response.status_code == 302
    series = Series.objects.get()
    assert (series.name, series.description) == ("Weekly roundup", "Each week.")


def test_roundup_admin_strips_control_characters_from_roundups_and_entries(staff_client, author):
    roundup = factories.make_roundup(author=author, entries=1)
    entry = roundup.entries.get()
    data = {
        "title": "Title\x1b",
        "slug": roundup.slug,
        "author": author.pk,
        "series": "",
        "number": "",
        "intro": "Intro\x01 text",
        "outro": "",
        "crosspost_url": "",
        "status": "published",
        "published_at_0": "2024-01-01",
        "published_at_1": "12:00:00",
        "entries-TOTAL_FORMS": 1,
        "entries-INITIAL_FORMS": 1,
        "entries-MIN_NUM_FORMS": 0,
        "entries-MAX_NUM_FORMS": 1000,
        "entries-0-id": entry.pk,
        "entries-0-roundup": roundup.pk,
        "entries-0-position": 1,
        "entries-0-title": "Paper\x0c title",
        "entries-0-url": entry.url,
        "entries-0-authors": "Ada\x08",
        "entries-0-abstract": "",
        "entries-0-opinion": "",
        "entries-0-related": "",
        "entries-0-year": "",
        "entries-0-code_url": "",
    }
    response = staff_client.post(reverse("admin:roundups_roundup_change", args=[roundup.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    roundup.refresh_from_db()
    entry.refresh_from_db()
    assert (roundup.title, roundup.intro) == ("Title", "Intro text")
    assert (entry.title, entry.authors) == ("Paper title", "Ada")


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
