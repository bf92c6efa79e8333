"""Plain factory functions for tests: each makes a valid object with sensible defaults."""

import itertools

from django.contrib.auth.models import Group, User
from django.utils import timezone

from accounts.roles import AUTHORS, MODERATORS
from roundups.models import PaperEntry, Roundup, Series

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(username=None, *, groups=(), staff=False, superuser=False, password=PASSWORD):
    n = next(_seq)
    user = User.objects.create_user(
        username=username or f"user{n}",
        email=f"{username or f'user{n}'}@example.org",
        password=password,
        is_staff=staff or superuser,
        is_superuser=superuser,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def make_author(username=None, **kwargs):
    return make_user(username, groups=[AUTHORS], **kwargs)


def make_moderator(username=None, **kwargs):
    return make_user(username, groups=[MODERATORS], **kwargs)


def make_series(name=None, **kwargs):
    n = next(_seq)
    name = name or f"Series {n}"
    return Series.objects.create(name=name, slug=kwargs.pop("slug", f"series-{n}"), **kwargs)


def make_entry(roundup, position=None, **kwargs):
    n = next(_seq)
    if position is None:
        position = roundup.entries.count() + 1
    fields = {
        "title": f"A paper about things {n}",
        "url": f"https://arxiv.org/abs/2401.{n:05d}",
        "authors": "Ada Lovelace, Alan Turing",
        "abstract": "We study things and find results.",
        "opinion": "I liked *this* paper.",
        "related": "See also https://example.org/related",
    }
    fields.update(kwargs)
    return PaperEntry.objects.create(roundup=roundup, position=position, **fields)


def make_roundup(*, author=None, published=True, entries=0, series=None, **kwargs):
    n = next(_seq)
    fields = {
        "title": f"Roundup number {n}",
        "slug": f"roundup-{n}",
        "intro": "This week: **papers**.",
        "outro": "See you next week.",
    }
    fields.update(kwargs)
    if published:
        fields.setdefault("status", Roundup.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now())
    roundup = Roundup.objects.create(author=author or make_author(), series=series, **fields)
    for position in range(1, entries + 1):
        make_entry(roundup, position)
    return roundup
