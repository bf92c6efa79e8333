"""Series subscriptions: one click for readers, double opt-in for addresses, unsubscribe."""

import pytest
from django.core import mail
from django.test import Client

from notifications import subscriptions
from notifications.models import Delivery, Subscription
from tests import factories
from tests.notifications.mailhelp import links, outbox_to, parsed, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def series():
    return factories.make_series("Weekly ML", slug="weekly-ml")


def ask(client, series, address, capture):
    with capture(execute=True):
        return client.post(f"/series/{series.slug}/subscribe/", {"email": address, "next": "/"})


def confirm_link(address):
    (message,) = outbox_to(address)[-1:]
    return next(link for link in links(message.body) if "/confirm/" in link)


def test_address_gets_one_confirmation_and_nothing_else_until_it_confirms(
    client, series, author, run_tasks, django_capture_on_commit_callbacks
):
    response = ask(client, series, " Ada@Example.org ", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    row = Subscription.objects.get()
    assert (row.email, row.confirmed_at) == ("ada@example.org", None)
    assert mail.outbox == []  # not in the request: the worker sends it
    run_tasks()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["ada@example.org"] and "Confirm" in confirmation.subject
    assert parsed(confirmation)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Unconfirmed: a published roundup sends it nothing.
    publish(author, series, django_capture_on_commit_callbacks)
    run_tasks()
    assert Delivery.objects.count() == 0 and len(mail.outbox) == 1

    # The link's GET only asks (link scanners open links); the POST confirms, without a session.
    path = confirm_link("ada@example.org").split("127.0.0.1:8000", 1)[1]
    page = Client().get(path)
    assert page.status_code == 200 and b"Confirm" in page.content
    row.refresh_from_db()
    assert row.confirmed_at is None
    assert Client(enforce_csrf_checks=False).post(path).status_code == 200
    row.refresh_from_db()
    assert row.is_active

    roundup = publish(author, series, django_capture_on_commit_callbacks)
    run_tasks()
    (sent,) = [m for m in outbox_to("ada@example.org") if m.subject == roundup.title]
    assert Delivery.objects.get(roundup=roundup).status == Delivery.Status.SENT


def test_asking_again_resends_the_confirmation_but_at_most_three_a_day(
    client, series, run_tasks, django_capture_on_commit_callbacks
):
    for _ in range(5):
        response = ask(client, series, "bob@example.org", django_capture_on_commit_callbacks)
        assert response.status_code == 302
    run_tasks()
    assert len(outbox_to("bob@example.org")) == subscriptions.ADDRESS_RATE.limit
    assert Subscription.objects.count() == 1


def test_the_answer_never_tells_whether_an_address_is_subscribed(
    series, run_tasks, django_capture_on_commit_callbacks
):
    Subscription.objects.create(
        series=series, email="known@example.org", confirmed_at="2026-01-01T00:00Z"
    )
    answers = []
    for address in ("known@example.org", "new@example.org"):
        client = Client()
        ask(client, series, address, django_capture_on_commit_callbacks)
        answers.append([str(m) for m in client.get("/").context["messages"]])
    assert answers[0] == answers[1] == [subscriptions.ADDRESS_DONE]
    run_tasks()
    assert outbox_to("known@example.org") == []  # a confirmed address gets no confirmation


def test_one_client_asking_for_many_addresses_is_refused_with_429(
    client, series, django_capture_on_commit_callbacks
):
    for n in range(subscriptions.CLIENT_RATE.limit):
        assert (
            ask(client, series, f"x{n}@example.org", django_capture_on_commit_callbacks).status_code
            == 302
        )
    refused = ask(client, series, "one-more@example.org", django_capture_on_commit_callbacks)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert not Subscription.objects.filter(email="one-more@example.org").exists()


@pytest.mark.parametrize("bad", ["", "not-an-address", "a@b@c", "x" * 250 + "@example.org"])
def test_bad_address_is_a_400_with_the_form_and_writes_nothing(client, series, bad):
    response = client.post(f"/series/{series.slug}/subscribe/", {"email": bad})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert Subscription.objects.count() == 0


def test_forged_or_stale_confirmation_link_is_refused(client, series):
    row = Subscription.objects.create(series=series, email="c@example.org")
    token = subscriptions.confirm_token(row)
    assert client.post(f"/series/{series.slug}/confirm/{token}x/").status_code == 400
    row.email = "other@example.org"
    row.save()  # the link was for another address
    assert client.post(f"/series/{series.slug}/confirm/{token}/").status_code == 400
    row.refresh_from_db()
    assert row.confirmed_at is None


def test_signed_in_reader_subscribes_in_one_click_and_stops_with_the_button(
    client, series, reader, author, run_tasks, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    page = client.get(f"/series/{series.slug}/")
    assert b"Subscribe by email</button>" in page.content
    client.post(f"/series/{series.slug}/subscribe/", {"next": f"/series/{series.slug}/"})
    row = Subscription.objects.get()
    assert row.user == reader and row.is_active and row.email == reader.email
    client.post(f"/series/{series.slug}/subscribe/")  # twice: still one row
    assert Subscription.objects.count() == 1
    client.post(f"/series/{series.slug}/unsubscribe/")
    row.refresh_from_db()
    assert not row.is_active
    publish(author, series, django_capture_on_commit_callbacks)
    run_tasks()
    assert mail.outbox == []


def test_anonymous_unsubscribe_button_asks_to_log_in(client, series):
    response = client.post(f"/series/{series.slug}/unsubscribe/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_roundup_page_of_a_series_has_the_form(client, series, author):
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    page = client.get(roundup.get_absolute_url())
    assert f'action="/series/{series.slug}/subscribe/"'.encode() in page.content
    alone = factories.make_roundup(author=author, entries=1)
    assert b"/subscribe/" not in client.get(alone.get_absolute_url()).content


def test_one_click_unsubscribe_from_the_mail_without_a_session(
    series, reader, author, run_tasks, django_capture_on_commit_callbacks
):
    subscriptions.reader_subscribe(user=reader, series=series)
    first = publish(author, series, django_capture_on_commit_callbacks)
    run_tasks()
    (message,) = outbox_to(reader.email)
    header = parsed(message)["List-Unsubscribe"].strip().strip("<>")
    path = header.split("127.0.0.1:8000", 1)[1]
    # As a mail client sends it (RFC 8058): no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no more roundups" in response.content.decode().lower()
    assert not Subscription.objects.get().is_active
    publish(author, series, django_capture_on_commit_callbacks)
    run_tasks()
    assert [m.subject for m in outbox_to(reader.email)] == [first.title]


def test_an_unsubscribed_address_typed_again_must_confirm_again(
    client, series, run_tasks, django_capture_on_commit_callbacks
):
    row = Subscription.objects.create(
        series=series, email="d@example.org", confirmed_at="2026-01-01T00:00Z",
        unsubscribed_at="2026-02-01T00:00Z",
    )  # fmt: skip
    ask(client, series, "d@example.org", django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert (row.confirmed_at, row.unsubscribed_at, row.is_active) == (None, None, False)
    run_tasks()
    assert len(outbox_to("d@example.org")) == 1
