"""Look-alike usernames are refused (accounts/usernames.py): sign-up, the admin, and races."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.models import UsernameSkeleton
from accounts.usernames import skeleton
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-fresh-long-passphrase-42"


@pytest.fixture
def famous(db):
    for name in ["admin", "moderator", "author"]:
        factories.make_user(name)


def signup(client, username, email=None):
    data = {
        "username": username,
        "email": email or f"{abs(hash(username))}@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(reverse("signup"), data)


@pytest.mark.parametrize(
    "username, existing",
    [
        ("\u0430dmin", "admin"),  # Cyrillic а
        ("moderat\u043er", "moderator"),  # Cyrillic о
        ("auth\u03bfr", "author"),  # Greek ο
        ("ADM\u0130N", "admin"),  # Turkish dotted capital İ
        ("adrnin", "admin"),  # rn for m
    ],
)
def test_look_alike_usernames_are_refused_at_sign_up(client, famous, username, existing):
    before = User.objects.count()
    response = signup(client, username)
    assert response.status_code == 200
    assert (
        f"This username looks too much like an existing one ({existing}); choose another."
        in response.content.decode()
    )
    assert User.objects.count() == before


@pytest.mark.parametrize("username", ["administrator", "mod", "authors", "reader", "josh"])
def test_distinct_usernames_are_accepted(client, famous, username):
    response = signup(client, username)
    assert response.status_code == 302
    user = User.objects.get(username=username)
    assert UsernameSkeleton.objects.get(user=user).skeleton == skeleton(username)


def test_every_saved_user_gets_its_skeleton_and_a_rename_moves_it(db):
    user = factories.make_user("original")
    assert user.username_skeleton.skeleton == "original"
    user.username = "renamed"
    user.save()
    assert UsernameSkeleton.objects.get(user=user).skeleton == "renarned"  # m looks like rn


def test_the_unique_index_refuses_a_look_alike_that_skipped_the_form_check(famous):
    # Two sign-ups at once both pass the form's check; the index lets only one write.
    with pytest.raises(ValidationError), transaction.atomic():
        User.objects.create_user("\u0430dmin", password=PASSWORD)
    assert not User.objects.filter(username="\u0430dmin").exists()


def test_a_race_lost_at_sign_up_shows_the_form_error(client, famous, monkeypatch):
    from django.contrib.auth.forms import UserCreationForm

    from accounts.forms import SignupForm

    # As if the look-alike was claimed between the form's check and the write.
    monkeypatch.setattr(SignupForm, "clean_username", UserCreationForm.clean_username)
    response = signup(client, "\u0430dmin")
    assert response.status_code == 200
    assert "looks too much like an existing one (admin)" in response.content.decode()
    assert not User.objects.filter(username="\u0430dmin").exists()


def test_the_admin_refuses_look_alike_usernames(client, famous):
    staff = factories.make_user("boss", superuser=True)
    client.force_login(staff)
    data = {"username": "\u0430dmin", "password1": PASSWORD, "password2": PASSWORD}
    data["usable_password"] = "true"
    response = client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 200
    assert "looks too much like an existing one (admin)" in response.content.decode()
    assert not User.objects.filter(username="\u0430dmin").exists()


def test_migration_backfill_keeps_the_older_of_two_colliding_names(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0003_username_skeleton_session_epoch")
    older = factories.make_user("admin")
    newer = factories.make_user("other")
    User.objects.filter(pk=newer.pk).update(username="\u0430dmin")  # as if made before the check
    UsernameSkeleton.objects.all().delete()
    migration.backfill_skeletons(apps, None)
    assert list(UsernameSkeleton.objects.values_list("user_id", flat=True)) == [older.pk]
