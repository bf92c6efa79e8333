"""comments.permissions: who may do what, for a comment (or a thread row) and a user."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from comments import permissions
from comments.permissions import Actor

pytestmark = pytest.mark.django_db


def comment(author, state="visible"):
    return SimpleNamespace(author_id=author.pk, state=state)


def test_anonymous_may_do_nothing(reader):
    anonymous = AnonymousUser()
    mine = comment(reader)
    actor = Actor.of(anonymous)
    assert actor.id is None and not actor.is_moderator
    assert not actor.may_comment() and not actor.may_vote(mine) and not actor.may_edit(mine)
    assert not permissions.may_delete(anonymous, mine)
    assert not permissions.may_read_history(anonymous, mine)
    assert not permissions.may_moderate(anonymous) and not permissions.may_lock(anonymous)


@pytest.mark.parametrize("state", ["visible", "removed", "deleted"])
def test_authors_edit_and_delete_their_own_visible_comments_only(reader, other_reader, state):
    mine, theirs = comment(reader, state), comment(other_reader, state)
    assert permissions.may_edit(reader, mine) == (state == "visible")
    assert permissions.may_delete(reader, mine) == (state == "visible")
    assert not permissions.may_edit(reader, theirs) and not permissions.may_delete(reader, theirs)
    assert permissions.may_read_history(reader, mine)
    assert not permissions.may_read_history(reader, theirs)


@pytest.mark.parametrize("state", ["visible", "removed", "deleted"])
def test_moderators_edit_anything_not_deleted_and_read_every_history(moderator, reader, state):
    theirs = comment(reader, state)
    assert permissions.may_edit(moderator, theirs) == (state != "deleted")
    assert not permissions.may_delete(moderator, theirs)  # removing is not deleting
    assert permissions.may_read_history(moderator, theirs)
    assert permissions.may_moderate(moderator) and permissions.may_lock(moderator)
    assert not permissions.may_moderate(reader)


def test_votes_go_to_someone_elses_visible_comment_in_an_open_thread(reader, other_reader):
    actor = Actor.of(reader)
    assert actor.may_vote(comment(other_reader))
    assert not actor.may_vote(comment(reader))  # your own
    assert not actor.may_vote(comment(other_reader, "removed"))
    assert not Actor.of(reader, locked=True).may_vote(comment(other_reader))


def test_a_locked_thread_stops_readers_but_not_moderators(reader, moderator):
    mine = comment(reader)
    locked = Actor.of(reader, locked=True)
    assert not locked.may_comment() and not locked.may_edit(mine)
    assert locked.may_edit(mine, thread_lock=False)  # services check the lock on their own
    assert Actor.of(moderator, locked=True).may_edit(mine)
    assert Actor.of(reader).may_comment()
