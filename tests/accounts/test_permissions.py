"""The backend reads a user's permissions in one query (accounts/backends.py) with ModelBackend's
answers: their own, their groups', everything for a superuser, nothing for an inactive user."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission, User

from accounts.backends import SessionEpochBackend
from accounts.roles import is_author, is_moderator
from tests.factories import make_author, make_moderator, make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)  # no permissions kept on it yet


def test_own_and_group_permissions_in_one_query(django_assert_num_queries):
    user = make_author("both")
    own = Permission.objects.get(codename="moderate_comment")
    user.user_permissions.add(own)
    user = fresh(user)
    with django_assert_num_queries(1):
        perms = SessionEpochBackend().get_all_permissions(user)
    assert perms == ModelBackend().get_all_permissions(fresh(user))
    assert {"comments.moderate_comment", "roundups.add_roundup"} <= perms
    with django_assert_num_queries(0):  # kept on the user for the request
        assert is_author(user) and is_moderator(user)


@pytest.mark.parametrize(
    "make, author, moderator",
    [(make_user, False, False), (make_author, True, False), (make_moderator, False, True)],
)
def test_the_roles_read_as_before(make, author, moderator):
    user = fresh(make())
    assert (is_author(user), is_moderator(user)) == (author, moderator)
    assert SessionEpochBackend().get_all_permissions(user) == ModelBackend().get_all_permissions(
        fresh(user)
    )


def test_a_superuser_has_every_permission_and_an_inactive_user_none():
    root = fresh(make_user("root", superuser=True))
    assert SessionEpochBackend().get_all_permissions(root) == {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    gone = make_author("gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    gone = fresh(gone)
    assert SessionEpochBackend().get_all_permissions(gone) == set()
    assert not is_author(gone)
