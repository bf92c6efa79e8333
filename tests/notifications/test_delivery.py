"""Publish -> deliveries: snapshot, mail, state machine, dead workers, resend, counts."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from notifications import delivery
from notifications.models import Delivery, Mailing, Subscription
from tests import factories
from tests.notifications.mailhelp import links, outbox_to, parsed, publish

pytestmark = pytest.mark.django_db
Status = Delivery.Status


@pytest.fixture
def series():
    return factories.make_series("Weekly ML", slug="weekly-ml")


def subscribe(series, n, **fields):
    now = timezone.now()
    return Subscription.objects.bulk_create(
        Subscription(series=series, email=f"s{i}@example.org", confirmed_at=now, **fields)
        for i in range(n)
    )


def test_publish_fixes_the_recipients_and_the_worker_writes_a_row_for_each(
    series, author, reader, django_capture_on_commit_callbacks
):
    subscribe(series, 3)
    Subscription.objects.create(series=series, email="pending@example.org")  # not confirmed
    Subscription.objects.create(
        series=series, email="gone@example.org", confirmed_at=timezone.now(),
        unsubscribed_at=timezone.now(),
    )  # fmt: skip
    reader.email = "new-address@example.org"
    reader.save()
    Subscription.objects.create(
        series=series, user=reader, email="old-address@example.org", confirmed_at=timezone.now()
    )
    roundup = publish(author, series, django_capture_on_commit_callbacks)
    mailing = Mailing.objects.get(roundup=roundup)
    assert (mailing.as_of, mailing.expanded) == (roundup.published_at, False)
    assert Delivery.objects.count() == 0  # the request wrote one row, not one per subscriber
    # Confirmed after publishing: not a recipient of this roundup.
    Subscription.objects.create(
        series=series, email="late@example.org", confirmed_at=timezone.now() + timedelta(seconds=1)
    )
    assert delivery.snapshot(roundup) == 4
    rows = Delivery.objects.filter(roundup=roundup)
    assert sorted(rows.values_list("address", flat=True)) == [
        "new-address@example.org",
        "s0@example.org",
        "s1@example.org",
        "s2@example.org",
    ]  # fmt: skip  (a reader's mail goes to the account's current address)
    assert set(rows.values_list("status", flat=True)) == {Status.QUEUED}
    assert mail.outbox == []  # nothing sent inside the request
    assert delivery.snapshot(roundup) == 0  # unique on (roundup, subscriber): never two rows


def test_expansion_goes_in_batches_and_resumes_where_it_stopped(series, author):
    subscribe(series, 5)
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    mailing = Mailing.objects.create(roundup=roundup, as_of=timezone.now())
    first_two = list(Subscription.objects.order_by("pk").values_list("pk", flat=True))[:2]
    # As if a worker died after its first batch of two: the cursor says where it was.
    delivery._insert_deliveries(mailing, first_two[0], first_two[1])
    Mailing.objects.filter(pk=mailing.pk).update(cursor=first_two[1])
    mailing.refresh_from_db()
    assert delivery.expand(mailing, batch=2) == 3
    mailing.refresh_from_db()
    assert mailing.expanded and Delivery.objects.count() == 5
    assert delivery.expand(mailing, batch=2) == 0


def test_publish_costs_the_same_queries_for_1_and_50_subscribers(
    series, author, django_capture_on_commit_callbacks
):
    # Intended to prevent per-subscriber work in the request: it writes one Mailing row.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roundups.services import roundup_publish

    counts = []
    for n in (1, 1, 50):  # the first warms per-process caches (the Authors group)
        Subscription.objects.all().delete()
        subscribe(series, n)
        draft = factories.make_roundup(author=author, series=series, published=False, entries=1)
        with CaptureQueriesContext(connection) as captured:
            with django_capture_on_commit_callbacks(execute=False):
                roundup_publish(roundup=draft, by=author)
        counts.append(len(captured))
        assert Mailing.objects.filter(roundup=draft).exists()
        assert delivery.snapshot(draft) == n
    assert counts[1] == counts[2]


def test_each_subscriber_gets_a_mail_of_their_own(
    series, author, run_tasks, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://roundups.example"
    subscribe(series, 2)
    roundup = publish(
        author, series, django_capture_on_commit_callbacks, title="Attention, again",
        intro="See [the papers page](/papers/) and *this*.",
    )  # fmt: skip
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["s0@example.org", "s1@example.org"]
    message = parsed(outbox_to("s0@example.org")[0])
    assert message["To"] == "s0@example.org" and message["Cc"] is None and message["Bcc"] is None
    assert message["Subject"] == "Attention, again"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    page = f"https://roundups.example/roundups/{roundup.slug}/"
    assert 'href="https://roundups.example/papers/"' in html  # relative links made absolute
    assert f'href="{page}#paper-1"' in html
    assert "<em>this</em>" in html and 'style="' in html and "<style" not in html
    assert f'href="{page}#comments"' in html and f"{page}#comments" in text
    for entry in roundup.entries.all():
        assert entry.title in text and entry.url in text and entry.title in html
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe in html and unsubscribe in text
    other = parsed(outbox_to("s1@example.org")[0])["List-Unsubscribe"]
    assert other.strip().strip("<>") != unsubscribe  # each their own link
    assert all(link.startswith("https://roundups.example/") or "arxiv" in link or "example.org"
               in link for link in links(text))  # fmt: skip
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_retried_task_or_a_second_worker_never_sends_a_sent_row_again(
    series, author, run_tasks, django_capture_on_commit_callbacks
):
    subscribe(series, 3)
    roundup = publish(author, series, django_capture_on_commit_callbacks)
    run_tasks()
    assert len(mail.outbox) == 3
    assert delivery.run(roundup.pk) == {"sent": 0, "next": None}
    from notifications.tasks import send_roundup

    send_roundup.enqueue(roundup.pk)
    run_tasks()
    assert len(mail.outbox) == 3


def test_claims_are_exclusive_batches_in_id_order(series, author, settings):
    settings.MAIL_BATCH_SIZE = 2
    subscribe(series, 5)
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    delivery.snapshot(roundup)
    first = delivery.claim(roundup.pk, worker="w1")
    second = delivery.claim(roundup.pk, worker="w2")
    assert len(first.rows) == len(second.rows) == 2
    assert {r.pk for r in first.rows}.isdisjoint(r.pk for r in second.rows)
    assert [r.pk for r in first.rows] == sorted(r.pk for r in first.rows)
    assert Delivery.objects.filter(status=Status.SENDING).count() == 4


class Refusing(EmailBackend):
    """Refuses one address, like a server that does not know the mailbox."""

    def send_messages(self, messages):
        if messages[0].to == ["s1@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"s1@example.org": (550, b"No such user")})
        return super().send_messages(messages)


def test_a_refused_send_retries_with_backoff_then_fails_with_the_error(
    series, author, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.Refusing"
    settings.MAIL_MAX_ATTEMPTS = 3
    subscribe(series, 3)
    roundup = publish(author, series, django_capture_on_commit_callbacks)
    outcome = delivery.run(roundup.pk)
    assert outcome["sent"] == 2 and outcome["next"]
    row = Delivery.objects.get(address="s1@example.org")
    assert (row.status, row.attempts) == (Status.QUEUED, 1)
    assert row.retry_at > timezone.now() and "No such user" in row.error
    assert delivery.run(roundup.pk)["sent"] == 0  # not due yet
    for _ in range(2):
        Delivery.objects.filter(pk=row.pk).update(retry_at=timezone.now())
        delivery.run(roundup.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3) and "550" in row.error
    assert delivery.counts(roundup.pk) == {
        "queued": 0, "sending": 0, "sent": 2, "failed": 1, "unknown": 0,
    }  # fmt: skip
    assert len(mail.outbox) == 2


class Unreachable(EmailBackend):
    def open(self):
        raise ConnectionRefusedError("no mail server")


def test_an_unreachable_server_puts_the_batch_back_and_the_task_comes_back_later(
    series, author, settings, run_tasks, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.Unreachable"
    subscribe(series, 2)
    publish(author, series, django_capture_on_commit_callbacks)
    run_tasks()
    rows = Delivery.objects.all()
    assert {(r.status, r.attempts) for r in rows} == {(Status.QUEUED, 0)}
    assert all(r.retry_at > timezone.now() and "no mail server" in r.error for r in rows)
    again = DBTaskResult.objects.filter(status="READY").get()
    assert again.run_after >= min(r.retry_at for r in rows) - timedelta(seconds=1)


def _stale(name, ids, *, minutes):
    Delivery.objects.filter(pk__in=ids).update(
        status=Status.SENDING, claim=name, updated_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_dead_workers_in_flight_row_becomes_unknown_and_its_untried_rows_go_back(
    series, author, settings
):
    settings.MAIL_SENDING_LEASE = 300
    subscribe(series, 6)
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    delivery.snapshot(roundup)
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    long_ago = timezone.now() - timedelta(minutes=10)
    Delivery.objects.filter(pk=ids[0]).update(
        status=Status.SENT, claim="dead:1:a", updated_at=long_ago
    )
    _stale("dead:1:a", ids[1:4], minutes=10)  # ids[1] was mid-send when the worker died
    _stale("alive:2:b", ids[4:6], minutes=1)  # a live worker, within its lease
    assert delivery.sweep() == {"unknown": 1, "requeued": 2}
    status = dict(Delivery.objects.values_list("id", "status"))
    assert [status[i] for i in ids] == [
        Status.SENT, Status.UNKNOWN, Status.QUEUED, Status.QUEUED, Status.SENDING, Status.SENDING,
    ]  # fmt: skip
    assert delivery.sweep() == {"unknown": 0, "requeued": 0}  # harmless twice


def test_resume_enqueues_a_send_for_roundups_with_queued_rows(series, author, run_tasks):
    subscribe(series, 2)
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    delivery.snapshot(roundup)
    assert delivery.resume() == [roundup.pk]
    run_tasks()
    assert len(mail.outbox) == 2


def test_unknown_rows_are_resent_only_when_the_author_asks(
    client, series, author, reader, run_tasks, django_capture_on_commit_callbacks
):
    subscribe(series, 3)
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    delivery.snapshot(roundup)
    Delivery.objects.filter(address="s2@example.org").update(status=Status.UNKNOWN)
    run_tasks()
    delivery.run(roundup.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["s0@example.org", "s1@example.org"]

    client.force_login(reader)
    refused = client.post(f"/roundups/{roundup.slug}/deliveries/resend/")
    assert refused.status_code == 302
    assert Delivery.objects.get(address="s2@example.org").status == Status.UNKNOWN

    client.force_login(author)
    edit = client.get(f"/roundups/{roundup.slug}/edit/")
    assert b'data-status="unknown">1<' in edit.content and b"Resend 1 unknown" in edit.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/roundups/{roundup.slug}/deliveries/resend/")
    run_tasks()
    assert outbox_to("s2@example.org") and len(mail.outbox) == 3
    assert delivery.counts(roundup.pk)["sent"] == 3


def test_the_edit_page_and_the_admin_show_the_counts(client, series, author, admin_user):
    subscribe(series, 2)
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    delivery.snapshot(roundup)
    Delivery.objects.filter(address="s0@example.org").update(status=Status.SENT)
    client.force_login(author)
    page = client.get(f"/roundups/{roundup.slug}/edit/").content.decode()
    for status, n in (("queued", 1), ("sending", 0), ("sent", 1), ("failed", 0), ("unknown", 0)):
        assert f'data-status="{status}">{n}<' in page
    assert "Resend" not in page
    client.force_login(admin_user)
    change = client.get(f"/admin/roundups/roundup/{roundup.pk}/change/").content.decode()
    assert "1 queued, 0 sending, 1 sent, 0 failed, 0 unknown" in change
    listing = client.get("/admin/notifications/delivery/?status=sent")
    assert listing.status_code == 200 and "s0@example.org" in listing.content.decode()


def test_counts_include_recipients_not_written_yet(series, author, django_assert_num_queries):
    roundup = factories.make_roundup(author=author, series=series, entries=1)
    with django_assert_num_queries(2):  # the rows by status, the mailing: not one per row
        assert delivery.counts(roundup.pk) == dict.fromkeys(delivery.STATUSES, 0)
    subscribe(series, 3)
    Mailing.objects.create(roundup=roundup, as_of=timezone.now())
    with django_assert_num_queries(3):  # and the recipients left while it is being written
        assert delivery.counts(roundup.pk)["queued"] == 3
    delivery.snapshot(roundup)
    Delivery.objects.filter(address="s0@example.org").update(status=Status.SENT)
    with django_assert_num_queries(2):
        assert delivery.counts(roundup.pk) == {
            "queued": 2, "sending": 0, "sent": 1, "failed": 0, "unknown": 0,
        }  # fmt: skip
