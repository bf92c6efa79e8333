from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from papers.queries import covered_entries
from roundups.models import PaperEntry, Roundup, published_filter
from tests import factories

pytestmark = pytest.mark.django_db


def test_markdown_fields_are_rendered_and_sanitized_on_save(author):
    roundup = factories.make_roundup(
        author=author, intro="Hello **world** <script>alert(1)</script>", outro="*bye*"
    )
    assert "<strong>world</strong>" in roundup.intro_html
    assert "<script>" not in roundup.intro_html
    assert roundup.outro_html == "<p><em>bye</em></p>"
    entry = factories.make_entry(roundup, opinion="Good [link](javascript:alert(1))")
    assert "javascript:" not in entry.opinion_html
    assert entry.paper_key.startswith("arxiv:")


def test_published_excludes_drafts(author):
    published = factories.make_roundup(author=author)
    factories.make_roundup(author=author, published=False)
    assert list(Roundup.objects.published()) == [published]


def test_visible_to(author):
    other_author = factories.make_author()
    staff = factories.make_user(staff=True)
    published = factories.make_roundup(author=author)
    mine = factories.make_roundup(author=author, published=False)
    theirs = factories.make_roundup(author=other_author, published=False)
    assert set(Roundup.objects.visible_to(AnonymousUser())) == {published}
    assert set(Roundup.objects.visible_to(author)) == {published, mine}
    assert set(Roundup.objects.visible_to(other_author)) == {published, theirs}
    assert set(Roundup.objects.visible_to(staff)) == {published, mine, theirs}


def test_with_counts_counts_entries_and_visible_comments_without_multiplying(author, reader):
    roundup = factories.make_roundup(author=author, entries=3)
    for state in ["visible", "visible", "removed"]:
        factories.make_comment(roundup=roundup, author=reader, body="x", state=state)
    annotated = Roundup.objects.with_counts().get(pk=roundup.pk)
    assert (annotated.entry_count, annotated.comment_count) == (3, 2)


def test_neighbours_follow_publication_order_within_the_series(author):
    series = factories.make_series()
    now = timezone.now()
    first, second, third = (
        factories.make_roundup(author=author, series=series, published_at=now + timedelta(days=d))
        for d in (0, 7, 14)
    )
    factories.make_roundup(author=author, series=series, published=False)  # drafts are skipped
    factories.make_roundup(author=author, published_at=now + timedelta(days=8))  # other series
    assert Roundup.objects.neighbours(first) == (None, second)
    assert Roundup.objects.neighbours(second) == (first, third)
    assert Roundup.objects.neighbours(third) == (second, None)


def test_neighbours_of_a_roundup_outside_any_series_are_none(author):
    assert Roundup.objects.neighbours(factories.make_roundup(author=author)) == (None, None)


def test_can_edit(author, reader):
    roundup = factories.make_roundup(author=author)
    assert roundup.can_edit(author)
    assert not roundup.can_edit(factories.make_author())
    assert not roundup.can_edit(reader)
    assert not roundup.can_edit(AnonymousUser())
    assert roundup.can_edit(factories.make_user(staff=True))


def test_entry_anchor_uses_position(roundup):
    assert [e.anchor for e in roundup.entries.all()] == ["paper-1", "paper-2", "paper-3"]


def test_published_means_published_with_a_date_in_every_shape(author, reader):
    """Roundup.objects.published(), is_published and the lookups through relations come from one
    definition (published_filter), so a half-published row is hidden everywhere."""
    dated = factories.make_roundup(author=author, entries=1)
    undated = factories.make_roundup(author=author, entries=1, published_at=None)
    assert undated.status == Roundup.Status.PUBLISHED and not undated.is_published
    assert list(Roundup.objects.published()) == [dated]
    assert list(Roundup.objects.visible_to(reader)) == [dated]
    on_dated = PaperEntry.objects.filter(published_filter("roundup__"))
    assert list(on_dated) == list(dated.entries.all())
    assert list(covered_entries()) == list(dated.entries.all())
