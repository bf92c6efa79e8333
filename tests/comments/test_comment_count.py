"""Roundup.comment_count: visible comments, kept on the row by every change of visibility."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from comments.integrity import check_threads, repair_threads
from comments.models import Comment
from comments.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_remove,
    comment_restore,
    vote_cast,
)
from forum.errors import InvalidInput, NotAllowed
from roundups.models import Roundup
from tests import factories

pytestmark = pytest.mark.django_db


def post(roundup, author, parent=None):
    return comment_create(
        roundup=roundup, author=author, body="text", parent=parent, enforce_rate_limit=False
    )


def count(roundup):
    return Roundup.objects.values_list("comment_count", flat=True).get(pk=roundup.pk)


def test_each_change_of_visibility_moves_the_count(roundup, reader, other_reader, moderator):
    assert count(roundup) == 0
    root = post(roundup, reader)
    assert count(roundup) == 1
    reply = post(roundup, other_reader, parent=root)
    assert count(roundup) == 2
    comment_delete(comment=reply, by=other_reader)
    assert count(roundup) == 1
    comment_remove(comment=root, by=moderator, reason="Off topic")
    assert count(roundup) == 0
    comment_restore(comment=root, by=moderator, reason="On topic after all")
    assert count(roundup) == 1
    assert check_threads().ok


def test_what_changes_no_visibility_leaves_the_count(roundup, reader, other_reader, moderator):
    comment = post(roundup, reader)
    vote_cast(comment=comment, user=other_reader, value=1)
    comment_edit(comment=comment, by=reader, body="new text")
    assert count(roundup) == 1
    # Refused transitions write nothing, the count included.
    with pytest.raises(InvalidInput):
        comment_restore(comment=comment, by=moderator, reason="Not removed")
    comment_delete(comment=comment, by=reader)
    with pytest.raises(InvalidInput):
        comment_delete(comment=comment, by=reader)
    with pytest.raises(InvalidInput):
        comment_remove(comment=comment, by=moderator, reason="Already deleted")
    with pytest.raises(InvalidInput):
        comment_restore(comment=comment, by=moderator, reason="Deleted, not removed")
    assert count(roundup) == 0


def test_a_refused_post_is_not_counted(roundup, reader):
    with pytest.raises(InvalidInput):
        comment_create(roundup=roundup, author=reader, body="   ", enforce_rate_limit=False)
    roundup.comments_locked = True
    with pytest.raises(NotAllowed):
        post(roundup, reader)
    assert count(roundup) == 0


def test_each_roundup_counts_its_own_comments(author, reader):
    first, second = factories.make_roundup(author=author), factories.make_roundup(author=author)
    post(first, reader)
    post(first, reader)
    post(second, reader)
    assert (count(first), count(second)) == (2, 1)


def test_a_drifted_count_never_goes_below_zero(roundup, reader):
    comment = post(roundup, reader)
    Roundup.objects.filter(pk=roundup.pk).update(comment_count=0)  # drifted
    comment_delete(comment=comment, by=reader)  # still allowed; the count stays at 0
    assert count(roundup) == 0
    assert Comment.objects.get(pk=comment.pk).state == Comment.State.DELETED


def test_saving_a_stale_copy_keeps_the_count(roundup, reader):
    stale = Roundup.objects.get(pk=roundup.pk)
    post(roundup, reader)
    stale.title = "A new title"
    stale.save()
    fresh = Roundup.objects.get(pk=roundup.pk)
    assert (fresh.title, fresh.comment_count) == ("A new title", 1)


def test_check_threads_finds_a_drift_and_repair_recounts_it(roundup, reader, moderator):
    other = factories.make_roundup(author=roundup.author)
    post(roundup, reader)
    removed = post(roundup, reader)
    comment_remove(comment=removed, by=moderator, reason="Spam")
    assert check_threads().ok
    Roundup.objects.filter(pk=roundup.pk).update(comment_count=5)
    Roundup.objects.filter(pk=other.pk).update(comment_count=2)
    report = check_threads()
    assert sorted(report.bad_comment_counts) == sorted([roundup.pk, other.pk])
    assert f"roundup {roundup.pk}: comment_count is 5 but it has 1 visible comment(s)" in [
        p.message for p in report.problems
    ]
    with pytest.raises(CommandError):
        call_command("check_threads", stdout=StringIO())
    out = StringIO()
    call_command("check_threads", "--repair", stdout=out)
    assert f"roundup {roundup.pk}: comment_count 5 -> 1" in out.getvalue()
    assert "Checked again: OK." in out.getvalue()
    assert (count(roundup), count(other)) == (1, 0)


def test_check_of_one_roundup_checks_only_its_count(roundup, reader):
    other = factories.make_roundup(author=roundup.author)
    post(roundup, reader)
    Roundup.objects.filter(pk=other.pk).update(comment_count=3)
    assert check_threads(roundup=roundup).ok
    changes, after = repair_threads(roundup=other)
    assert changes == [f"roundup {other.pk}: comment_count 3 -> 0 (its visible comments)"]
    assert after.ok and count(other) == 0


def test_with_counts_reads_the_column(roundup, reader):
    post(roundup, reader)
    annotated = Roundup.objects.with_counts().get(pk=roundup.pk)
    assert (annotated.entry_count, annotated.comment_count) == (3, 1)


def test_admin_shows_the_count_read_only(client, admin_user, roundup, reader):
    post(roundup, reader)
    client.force_login(admin_user)
    response = client.get(reverse("admin:roundups_roundup_change", args=[roundup.pk]))
    assert response.status_code == 200
    assert "comment_count" not in response.context["adminform"].form.fields
    assert '<div class="readonly">1</div>' in response.content.decode()
