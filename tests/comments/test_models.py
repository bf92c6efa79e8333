"""The database itself refuses what the services never write: the last line of defence."""

import pytest
from django.db import IntegrityError, transaction

from comments.models import Comment, CommentText, Vote
from tests.factories import make_comment, make_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(roundup, reader):
    return make_comment(roundup=roundup, author=reader, body="b")


def test_one_vote_per_user_per_comment(comment, other_reader):
    make_vote(comment=comment, user=other_reader, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_vote(comment=comment, user=other_reader, value=1)
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("value", [0, 2, -2, 100])
def test_vote_value_is_plus_or_minus_one(comment, other_reader, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_vote(comment=comment, user=other_reader, value=value)
    assert not Vote.objects.exists()


def test_two_roots_cannot_share_a_tree_id(roundup, reader, comment):
    second = make_comment(roundup=roundup, author=reader, body="c")
    assert second.tree_id != comment.tree_id
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=second.pk).update(tree_id=comment.tree_id)


def test_replies_share_their_roots_tree_id(roundup, reader, comment):
    # The unique index is partial: only roots are unique per tree_id.
    reply = make_comment(roundup=roundup, author=reader, parent=comment, body="r")
    assert reply.tree_id == comment.tree_id


def test_state_must_be_known(comment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(state="hidden")


def test_a_vote_names_its_roundup(comment, other_reader):
    # Vote.save() looks nothing up: a vote without its comment's roundup is refused, not filled.
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(comment=comment, user=other_reader, value=1)
    assert not Vote.objects.exists()


def test_a_comment_and_its_text_are_two_plain_rows(roundup, reader):
    # Saving a Comment writes the tree row only; the services write the text row themselves.
    comment = Comment(roundup=roundup, author=reader)
    comment.save()
    assert not CommentText.objects.filter(pk=comment.pk).exists()
    CommentText.objects.create(comment=comment, body="b", body_html="<p>b</p>")
    fetched = Comment.objects.select_related("text").get(pk=comment.pk)
    assert (fetched.text.body, fetched.text.body_html) == ("b", "<p>b</p>")
