"""The demo discussion: a realistic, consistent thread written through the services."""

import pytest
from django.db.models import Max

from comments.demo import load_discussion
from comments.integrity import check_threads
from comments.models import Comment, ModerationAction, Vote
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(roundup, author, moderator, reader, other_reader):
    created = load_discussion(
        roundup=roundup, readers=[reader, other_reader], moderator=moderator, author=author
    )
    return created, Comment.objects.filter(roundup=roundup)


def test_discussion_is_big_deep_and_consistent(loaded):
    created, comments = loaded
    assert created == comments.count() >= 25
    assert comments.aggregate(deepest=Max("level"))["deepest"] >= 3
    assert comments.filter(parent=None).count() >= 5
    assert check_threads().ok  # nested sets and counters agree with parents and votes


def test_votes_are_never_on_own_comments(loaded):
    _, comments = loaded
    assert Vote.objects.filter(comment__roundup=comments[0].roundup).count() >= 20
    for vote in Vote.objects.select_related("comment"):
        assert vote.comment.author_id != vote.user_id


def test_one_comment_edited_by_the_moderator_with_a_revision(loaded, moderator, reader):
    _, comments = loaded
    edited = comments.get(edited_by=moderator)
    assert edited.author == reader
    revision = edited.revisions.get()
    assert "reader1@example.org" in revision.body and "@" not in edited.text.body
    assert revision.reason.startswith("Removed a personal email address")
    assert ModerationAction.objects.get(action="edit").comment == edited
    assert edited.created_at < edited.edited_at


def test_one_comment_deleted_with_replies_kept(loaded):
    _, comments = loaded
    deleted = comments.get(state=Comment.State.DELETED)
    assert deleted.get_children().exists()


def test_replies_come_after_their_parents_over_several_days(loaded):
    _, comments = loaded
    times = {c.pk: c.created_at for c in comments}
    for comment in comments.exclude(parent=None):
        assert times[comment.parent_id] < comment.created_at
    span = max(times.values()) - min(times.values())
    assert span.days >= 3


def test_loading_twice_does_nothing(loaded, roundup, author, moderator, reader, other_reader):
    created, comments = loaded
    again = load_discussion(
        roundup=roundup, readers=[reader, other_reader], moderator=moderator, author=author
    )
    assert again == 0
    assert comments.count() == created


def test_works_with_a_single_reader(roundup, author, moderator):
    only = factories.make_user("solo")
    created = load_discussion(roundup=roundup, readers=[only], moderator=moderator, author=author)
    assert created >= 25
    for vote in Vote.objects.select_related("comment"):
        assert vote.comment.author_id != vote.user_id
