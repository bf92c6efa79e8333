"""The "New roundup" link follows the same rule as the form: Authors and staff."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LINK = f'<a href="{reverse("roundups:create")}">New roundup</a>'


@pytest.mark.parametrize(
    "who, shown",
    [("author", True), ("staff", True), ("reader", False), ("anonymous", False)],
)
def test_new_roundup_link_shows_to_who_may_write(client, who, shown):
    users = {
        "author": lambda: factories.make_author("writer"),
        "staff": lambda: factories.make_user("staffer", staff=True),
        "reader": lambda: factories.make_user("someone"),
    }
    if who in users:
        client.force_login(users[who]())
    html = client.get(reverse("home")).content.decode()
    assert (LINK in html) is shown
    if who != "anonymous":
        status = client.get(reverse("roundups:create")).status_code
        assert (status == 200) is shown
