"""``Roundup.objects.page_roundup``: the roundup page's roundup and entries with their SQL written
once per process (forum/pinned.py, issue #10). It must find what ``visible_to(user).for_page()``
finds, for every kind of reader, as the same instances, in the same two queries."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum import pinned
from roundups.models import Roundup
from tests import factories

pytestmark = pytest.mark.django_db


def _fields(roundup):
    return {field.attname: getattr(roundup, field.attname) for field in Roundup._meta.fields}


@pytest.fixture
def roundups(author):
    series = factories.make_series("Weekly")
    published = factories.make_roundup(author=author, series=series, number=3, entries=3)
    factories.make_entry(published, position=0, title="Placed first")  # order is by position
    draft = factories.make_roundup(author=author, published=False, entries=2)
    return published, draft


@pytest.mark.parametrize("who", ["anonymous", "author", "staff", "reader"])
def test_finds_what_visible_to_for_page_finds(roundups, author, reader, who):
    user = {
        "anonymous": AnonymousUser(),
        "author": author,
        "staff": factories.make_user(staff=True),
        "reader": reader,
    }[who]
    for roundup in roundups:
        expected = Roundup.objects.visible_to(user).for_page().filter(slug=roundup.slug).first()
        found = Roundup.objects.page_roundup(user, roundup.slug)
        if expected is None:
            assert found is None
            continue
        assert _fields(found) == _fields(expected)
        with CaptureQueriesContext(connection) as queries:
            assert found.series == expected.series
            assert found.author == expected.author
            entries = list(found.entries.all())
            assert [e.pk for e in entries] == [e.pk for e in expected.entries.all()]
            assert all(entry.roundup is found for entry in entries)
        assert len(queries) == 0  # selected and prefetched, as for_page leaves them
    assert Roundup.objects.page_roundup(user, "no-such-roundup") is None


def test_two_queries_and_sql_written_once(roundups):
    published, _ = roundups
    Roundup.objects.page_roundup(AnonymousUser(), published.slug)
    key = ("roundup:anonymous", "default")
    compiled = pinned._COMPILED[key]
    with CaptureQueriesContext(connection) as queries:
        found = Roundup.objects.page_roundup(AnonymousUser(), published.slug)
    assert pinned._COMPILED[key] is compiled
    assert len(queries) == 2
    assert found.slug == published.slug


def test_a_draft_is_404_for_others_and_shown_to_its_author(roundups, author, reader):
    _, draft = roundups
    assert Client().get(draft.get_absolute_url()).status_code == 404
    client = Client()
    client.force_login(reader)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(author)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_slot_not_found_once_is_refused():
    with pytest.raises(RuntimeError):
        pinned.pinned("test:no-slot", lambda s: Roundup.objects.filter(slug="fixed"), ["x"])
