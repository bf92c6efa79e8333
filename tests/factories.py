"""Plain factory functions for tests: each makes a valid object with sensible defaults."""

import itertools

from django.contrib.auth.models import Group, User
from django.utils import timezone

from accounts.roles import AUTHORS, MODERATORS
from comments.models import Comment, CommentText, Vote
from comments.services import _count_visible
from forum.markdown import render_markdown
from roundups.models import PaperEntry, Roundup, Series, papers_refresh

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
    entry = PaperEntry.objects.create(roundup=roundup, position=position, **fields)
    if roundup.is_published:  # as the roundup services keep the paper's row
        papers_refresh([entry.paper_key])
    return entry


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


def make_comment(*, roundup, author, body="A comment.", parent=None, state=None, **fields):
    """A comment written straight to its rows (no rate limit, no checks, any state), with its
    text row and its roundup's count of visible comments kept as ``comment_create`` keeps them.
    Tests of the rules post through the services instead."""
    comment = Comment(roundup=roundup, author=author, parent=parent, **fields)
    if state is not None:
        comment.state = state
    comment.save()
    CommentText.objects.create(comment=comment, body=body, body_html=render_markdown(body))
    # The count if visible, and the thread's version always (a placeholder changes the thread).
    _count_visible(roundup.pk, int(comment.state == Comment.State.VISIBLE), comment.paper_entry_id)
    return comment


def make_vote(*, comment, user, value=1):
    """A vote row alone (counters untouched): for tests of what reads or checks votes."""
    return Vote.objects.create(
        comment=comment, user=user, roundup_id=comment.roundup_id, value=value
    )
