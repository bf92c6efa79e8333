"""The database itself refuses what the services never write: the last line of defence."""

import pytest
from django.db import IntegrityError, transaction

from comments.models import Comment, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(roundup, reader):
    return Comment.objects.create(roundup=roundup, author=reader, body="b", body_html="<p>b</p>")


def test_one_vote_per_user_per_comment(comment, other_reader):
    Vote.objects.create(comment=comment, user=other_reader, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(comment=comment, user=other_reader, value=1)
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("value", [0, 2, -2, 100])
def test_vote_value_is_plus_or_minus_one(comment, other_reader, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(comment=comment, user=other_reader, value=value)
    assert not Vote.objects.exists()


def test_two_roots_cannot_share_a_tree_id(roundup, reader, comment):
    second = Comment.objects.create(roundup=roundup, author=reader, body="c", body_html="c")
    assert second.tree_id != comment.tree_id
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=second.pk).update(tree_id=comment.tree_id)


def test_replies_share_their_roots_tree_id(roundup, reader, comment):
    # The unique index is partial: only roots are unique per tree_id.
    reply = Comment.objects.create(
        roundup=roundup, author=reader, parent=comment, body="r", body_html="r"
    )
    assert reply.tree_id == comment.tree_id


def test_state_must_be_known(comment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(state="hidden")
