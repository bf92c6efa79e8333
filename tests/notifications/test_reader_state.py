"""The subscribe box and the follow buttons show the signed-in reader's current state, read in
one query (notifications/reader_state.py), and each state offers the form that changes it."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Follow, Subscription
from tests import factories

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def series():
    return factories.make_series("Weekly ML", slug="weekly-ml")


@pytest.fixture
def in_series(author, series):
    return factories.make_roundup(author=author, series=series, entries=1)


def box(html: str) -> str:
    """The subscribe box's markup, from its opening tag to the next closing </div>."""
    start = html.index('<div class="series-subscribe"')
    return html[start : html.index("</div>", start)]


def state_of(html: str) -> str:
    found = re.search(r'class="subscription-state" data-state="(\w+)"', box(html))
    return found.group(1) if found else "form"


def buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" class="link-button">([^<]+)</button>', box(html))


def subscribe_row(series, reader, **fields):
    return Subscription.objects.create(series=series, email=reader.email, **fields)


STATES = [
    # (the reader's row, if any; what the box says; the buttons it offers)
    ({}, "none", ["Subscribe by email"]),
    ({"user": True, "confirmed_at": NOW}, "subscribed", ["Unsubscribe"]),
    ({"confirmed_at": NOW}, "subscribed", ["Unsubscribe"]),  # their address, confirmed by link
    ({"confirmed_at": None}, "pending", ["Confirm and subscribe by email", "Cancel"]),
    ({"confirmed_at": NOW, "unsubscribed_at": NOW}, "none", ["Subscribe by email"]),
]


@pytest.mark.parametrize("fields, state, offered", STATES)
@pytest.mark.parametrize("where", ["series", "roundup"])
def test_the_box_states_the_readers_subscription(
    client, reader, series, in_series, fields, state, offered, where
):
    if fields:
        fields = dict(fields)
        if fields.pop("user", False):
            fields["user"] = reader
        subscribe_row(series, reader, **fields)
    client.force_login(reader)
    url = f"/series/{series.slug}/" if where == "series" else in_series.get_absolute_url()
    html = client.get(url).content.decode()
    assert state_of(html) == state
    assert buttons(html) == offered
    if state == "subscribed":
        assert "Subscribed by email to Weekly ML</span> — <button" in box(html)
        assert 'action="/series/weekly-ml/unsubscribe/"' in box(html)
    if state == "pending":
        assert f"A confirmation link was mailed to {reader.email}" in box(html)


def test_another_readers_subscription_is_not_yours(client, reader, other_reader, series):
    Subscription.objects.create(
        series=series, user=other_reader, email=other_reader.email, confirmed_at=NOW
    )
    client.force_login(reader)
    assert state_of(client.get(f"/series/{series.slug}/").content.decode()) == "none"


def test_anonymous_readers_get_the_address_form_and_no_query_for_it(
    client, series, django_assert_num_queries
):
    # The series page anonymous: the series, then its page (tests/forum/test_list_pages.py).
    with django_assert_num_queries(2):
        html = client.get(f"/series/{series.slug}/").content.decode()
    assert state_of(html) == "form" and 'type="email"' in box(html)


def test_a_reader_without_an_address_gets_the_form(client, series):
    user = factories.make_user("noaddress")
    User.objects.filter(pk=user.pk).update(email="")
    client.force_login(user)
    assert state_of(client.get(f"/series/{series.slug}/").content.decode()) == "form"


def test_the_series_page_reads_the_state_in_one_more_query(
    client, reader, series, django_assert_num_queries, session_queries
):
    """Intended to prevent a query per roundup: signed in, the series page is the anonymous
    page's 2, the session's and the user, the user's and their groups' permissions (one query,
    for the "New roundup" link), the header's unread count, and one for the subscription state."""
    for _ in range(3):
        factories.make_roundup(series=series)
    subscribe_row(series, reader, confirmed_at=NOW)
    client.force_login(reader)
    with django_assert_num_queries(2 + session_queries + 1 + 1 + 1 + 1):
        html = client.get(f"/series/{series.slug}/").content.decode()
    assert state_of(html) == "subscribed"


def test_on_a_roundup_page_level_and_subscription_are_one_query(client, reader, series, in_series):
    Follow.objects.create(user=reader, roundup=in_series, level=Follow.Level.MUTED)
    subscribe_row(series, reader, confirmed_at=None)
    client.force_login(reader)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(in_series.get_absolute_url()).content.decode()
    assert 'data-level="muted"' in html and state_of(html) == "pending"
    touching = [q["sql"] for q in queries if "notifications_" in q["sql"]]
    # The header's unread count, and the follow level with the subscription in one statement.
    assert len(touching) == 2
    (state_query,) = [sql for sql in touching if "notifications_follow" in sql]
    assert "notifications_subscription" in state_query


def test_subscribing_and_unsubscribing_flip_the_box(client, reader, series):
    client.force_login(reader)
    url = f"/series/{series.slug}/"
    client.post(f"/series/{series.slug}/subscribe/", {"next": url})
    assert state_of(client.get(url).content.decode()) == "subscribed"
    client.post(f"/series/{series.slug}/unsubscribe/", {"next": url})
    assert state_of(client.get(url).content.decode()) == "none"


def test_confirming_a_pending_address_signed_in_subscribes_it(client, reader, series):
    row = subscribe_row(series, reader, confirmed_at=None)
    client.force_login(reader)
    client.post(f"/series/{series.slug}/subscribe/", {"next": "/"})
    row.refresh_from_db()
    assert row.is_active and Subscription.objects.count() == 1


@pytest.mark.parametrize("level", ["watching", "normal", "muted"])
def test_the_follow_buttons_state_the_level_and_press_its_button(client, reader, roundup, level):
    if level != "normal":
        Follow.objects.create(user=reader, roundup=roundup, level=level)
    client.force_login(reader)
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert f'data-level="{level}"' in html
    pressed = re.findall(r'aria-pressed="true">([^<]+)</button>', html)
    labels = {"watching": "Follow discussion", "normal": "Unfollow", "muted": "Mute"}
    assert pressed == [labels[level]]
