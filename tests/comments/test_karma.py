"""Karma kept per user (comments.Karma): votes move it; check_threads proves and repairs it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comments.integrity import check_threads
from comments.karma import karma_for, karma_totals
from comments.models import Comment, Karma
from comments.services import comment_create, vote_cast
from tests import factories

pytestmark = pytest.mark.django_db


def post(roundup, author, parent=None):
    return comment_create(
        roundup=roundup, author=author, body="text", parent=parent, enforce_rate_limit=False
    )


def kept(user):
    return Karma.objects.filter(user=user).values_list("value", flat=True).first()


def test_votes_move_the_authors_karma_and_taking_one_back_undoes_it(roundup, reader, author):
    voters = [factories.make_user(f"voter{i}") for i in range(3)]
    first, second = post(roundup, reader), post(roundup, reader)
    assert kept(reader) is None and karma_for([reader.pk]) == {reader.pk: 0}
    vote_cast(comment=first, user=voters[0], value=1)
    vote_cast(comment=first, user=voters[1], value=1)
    vote_cast(comment=second, user=voters[2], value=-1)
    assert kept(reader) == 1
    vote_cast(comment=first, user=voters[0], value=-1)  # up -> down moves it by 2
    assert kept(reader) == -1
    vote_cast(comment=first, user=voters[0], value=0)  # taken back
    vote_cast(comment=first, user=voters[1], value=1)  # the same vote again changes nothing
    assert kept(reader) == 0
    assert kept(author) is None  # nobody voted on the author's comments
    assert karma_for([reader.pk]) == karma_totals([reader.pk]) == {reader.pk: 0}


def test_first_vote_starts_from_the_scores_already_there(roundup, reader, other_reader):
    """A user whose comments had scores before karma was kept (no row yet) keeps them."""
    old = post(roundup, reader)
    Comment.objects.filter(pk=old.pk).update(score=7, upvotes=7)
    vote_cast(comment=post(roundup, reader), user=other_reader, value=1)
    assert kept(reader) == 8


def test_the_page_shows_the_kept_karma(client, roundup, reader, other_reader):
    comment = post(roundup, reader)
    vote_cast(comment=comment, user=other_reader, value=1)
    Karma.objects.filter(user=reader).update(value=41)  # the page reads the row, not a sum
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert 'title="reader &middot; 41 karma">reader</a>' in html  # on hover over the name


def test_check_threads_finds_wrong_karma_and_repair_recounts_it(roundup, reader, other_reader):
    comment = post(roundup, reader)
    vote_cast(comment=comment, user=other_reader, value=1)
    assert check_threads().ok
    Karma.objects.filter(user=reader).update(value=10)
    Karma.objects.create(user=other_reader, value=-3)  # karma without a single scored comment
    report = check_threads()
    assert sorted(report.bad_karma) == sorted([reader.pk, other_reader.pk])
    assert any("karma is 10 but their comments' scores add up to 1" in p.message
               for p in report.problems)  # fmt: skip
    with pytest.raises(CommandError):
        call_command("check_threads", stdout=StringIO())
    out = StringIO()
    call_command("check_threads", "--repair", stdout=out)
    assert "karma 10 -> 1" in out.getvalue() and "Checked again: OK." in out.getvalue()
    assert kept(reader) == 1 and kept(other_reader) == 0


def test_repairing_vote_counters_recounts_karma_too(roundup, reader, other_reader):
    comment = post(roundup, reader)
    vote_cast(comment=comment, user=other_reader, value=1)
    Comment.objects.filter(pk=comment.pk).update(score=5, upvotes=5)  # counters off, karma 1
    out = StringIO()
    call_command("check_threads", "--repair", stdout=out)
    assert kept(reader) == 1 and Comment.objects.get(pk=comment.pk).score == 1
    assert check_threads().ok


def test_admin_lists_karma_read_only(client, admin_user, roundup, reader, other_reader):
    from django.urls import reverse

    vote_cast(comment=post(roundup, reader), user=other_reader, value=1)
    client.force_login(admin_user)
    # With the comments admin now, beside the votes that keep it.
    assert reverse("admin:comments_karma_changelist") == "/admin/comments/karma/"
    response = client.get(reverse("admin:comments_karma_changelist") + "?q=reader")
    assert response.status_code == 200
    assert "reader" in response.content.decode()
    assert [(k.user, k.value) for k in response.context["cl"].result_list] == [(reader, 1)]
    assert client.get(reverse("admin:comments_karma_add")).status_code == 403
    change = reverse("admin:comments_karma_change", args=[reader.pk])
    assert client.post(change, {"value": 99}).status_code == 403
    assert kept(reader) == 1


def test_karma_is_a_comments_model_on_its_old_table(roundup, reader, other_reader):
    vote_cast(comment=post(roundup, reader), user=other_reader, value=-1)
    assert (Karma._meta.app_label, Karma._meta.db_table) == ("comments", "accounts_karma")
    reader.refresh_from_db()
    assert reader.karma.value == -1  # the related name the thread query joins through
    assert list(Comment.objects.filter(author=reader).values_list("author__karma__value")) == [
        (-1,)
    ]
