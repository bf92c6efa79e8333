"""manage.py load_demo: the demo content, loaded idempotently, with the logins printed."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from accounts.roles import is_author, is_moderator
from roundups import demo_data
from roundups.models import PaperEntry, Roundup, Series

pytestmark = pytest.mark.django_db


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "users": list(User.objects.order_by("pk").values("username", "password", "is_staff")),
        "roundups": list(Roundup.objects.order_by("pk").values()),
        "entries": list(PaperEntry.objects.order_by("pk").values()),
        "series": list(Series.objects.values()),
    }


def test_load_demo_creates_the_demo_and_prints_the_logins():
    output = load()
    for username, password, _ in demo_data.ACCOUNTS:
        assert username in output and password in output
        assert authenticate(username=username, password=password) is not None
    assert User.objects.get(username="admin").is_superuser
    assert is_author(User.objects.get(username="author"))
    assert is_moderator(User.objects.get(username="moderator"))
    assert not is_author(User.objects.get(username="reader1"))

    series = Series.objects.get(slug="weekly-paper-roundup")
    assert series.name == "Weekly paper roundup"
    published = list(Roundup.objects.published().filter(series=series).order_by("published_at"))
    assert len(published) >= 2
    first = published[0]
    assert first.entries.count() >= 8
    assert first.intro_html and first.outro_html
    assert all(e.paper_key.startswith("arxiv:") for e in first.entries.all())
    assert Roundup.objects.filter(status=Roundup.Status.DRAFT).exists()


def test_load_demo_twice_changes_nothing_and_still_prints_the_logins():
    load()
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "Created" not in output
    for username, password, _ in demo_data.ACCOUNTS:
        assert f"{username}" in output and password in output


def test_load_demo_restores_a_changed_demo_password():
    load()
    user = User.objects.get(username="reader1")
    user.set_password("something-else-entirely")
    user.save()
    load()
    assert authenticate(username="reader1", password="demo-reader1-pass") is not None


def test_demo_papers_have_real_arxiv_links_and_our_own_words():
    first = demo_data.ROUNDUPS[0]
    keys = {entry["url"].rsplit("/", 1)[-1] for entry in first["entries"]}
    assert {"1706.03762", "1706.03741", "1606.06565", "2203.02155", "2212.08073"} <= keys
    for entry in first["entries"]:
        assert entry["title"] and entry["authors"] and entry["year"]
        assert entry["abstract"] and entry["opinion"]
