import pytest


@pytest.mark.django_db
def test_roles_exist_after_migrate():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Authors", "Moderators"} <= names
