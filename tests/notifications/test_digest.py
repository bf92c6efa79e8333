"""The daily digest: grouped by roundup with counts, once per reader per day, never for
"never" kinds, and ``manage.py send_digests`` enqueuing one task per reader."""

import email
from datetime import date, timedelta
from email import policy
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from notifications import mailing, preferences
from notifications.models import DigestRun, MailState, MailTiming, Notification
from tests import factories

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
SITE = "https://roundups.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def note(user, kind=Kind.FOLLOW, **fields):
    fields.setdefault("text", f"a {kind} notification")
    return Notification.objects.create(user=user, kind=kind, **fields)


@pytest.fixture
def send_digests(django_capture_on_commit_callbacks, run_tasks):
    """The command as cron runs it (its enqueues happen on commit), then the worker."""

    def send_digests(*args) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_digests", *args, stdout=out)
        run_tasks()
        return out.getvalue()

    return send_digests


def test_digest_groups_by_roundup_with_counts(send_digests, author, reader, other_reader):
    first = factories.make_roundup(author=author, title="Week one")
    second = factories.make_roundup(author=author, title="Week two")
    comments = [factories.make_comment(roundup=first, author=other_reader) for _ in range(3)]
    for comment in comments:
        note(reader, roundup=first, comment=comment, text=f"reader2 commented #{comment.pk}")
    note(reader, roundup=second, text="reader2 commented on week two")
    note(reader, kind=Kind.SUGGESTION, text="author took your suggestion “X”")
    note(reader, kind=Kind.REPLY, roundup=first, text="a reply: immediately, not in the digest")
    output = send_digests()
    assert "1 enqueued" in output
    assert len(django_mail.outbox) == 1
    message = django_mail.outbox[0]
    assert (
        message.to == [reader.email] and message.subject == "Your Roundups digest: 5 notifications"
    )
    msg = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    # Sections, biggest first, each with its count by kind; the rest under "Other news".
    assert text.index("== Week one (3: 3 new comment") < text.index("== Week two (1:")
    assert "== Other news (1: 1 your paper suggestion)" in text
    assert f"{SITE}{first.get_absolute_url()}#c{comments[0].pk}" in text
    assert "a reply: immediately" not in text
    assert f'<a href="{SITE}{first.get_absolute_url()}"' in html and "Week two" in html
    states = Notification.objects.filter(user=reader).values_list("kind", "mail_state")
    assert sorted(states) == sorted(
        [(Kind.FOLLOW, MailState.SENT)] * 4
        + [(Kind.SUGGESTION, MailState.SENT), (Kind.REPLY, MailState.PENDING)]
    )
    run = DigestRun.objects.get(user=reader)
    assert (run.state, run.notifications, run.day) == ("sent", 5, timezone.now().date())


def test_digest_groups_function(author, reader, other_reader):
    roundup = factories.make_roundup(author=author, title="Week")
    notes = [note(reader, roundup=roundup), note(reader, roundup=roundup, kind=Kind.MENTION)]
    notes.append(note(reader, kind=Kind.SUGGESTION))
    sections = mailing.digest_groups(
        Notification.objects.filter(pk__in=[n.pk for n in notes]).select_related("roundup")
    )
    assert [(s["title"], s["count"]) for s in sections] == [("Week", 2), ("Other news", 1)]
    assert sorted(sections[0]["counts"]) == [
        ("Mention", 1), ("New comment in a discussion you follow", 1),
    ]  # fmt: skip


def test_once_per_reader_per_day_however_often_it_runs(send_digests, roundup, reader, other_reader):
    note(reader, roundup=roundup)
    assert "1 enqueued" in send_digests()
    note(reader, roundup=roundup, text="later the same day")
    assert "0 enqueued" in send_digests()  # cron twice, or a second host
    assert len(django_mail.outbox) == 1
    # The next day, what came since.
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert "1 enqueued" in send_digests("--day", tomorrow)
    assert len(django_mail.outbox) == 2
    assert "later the same day" in django_mail.outbox[1].body
    assert "a follow notification" not in django_mail.outbox[1].body  # mailed already


def test_a_claimed_run_is_never_sent_twice(roundup, reader):
    note(reader, roundup=roundup)
    [run_id] = mailing.schedule_digests(date(2026, 1, 5))
    assert mailing.schedule_digests(date(2026, 1, 5)) == []  # the insert is the claim
    assert mailing.send_digest(run_id) == "sent 1"
    assert mailing.send_digest(run_id) == "done already"  # a retried task or a second worker
    assert len(django_mail.outbox) == 1


def test_a_failed_digest_is_retried_and_sent_once(roundup, reader, monkeypatch):
    note(reader, roundup=roundup)
    [run_id] = mailing.schedule_digests(date(2026, 1, 5))

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        with pytest.raises(ConnectionRefusedError):
            mailing.send_digest(run_id)
    assert DigestRun.objects.get(pk=run_id).state == "queued"
    assert Notification.objects.get().mail_state == MailState.PENDING
    assert mailing.send_digest(run_id) == "sent 1"
    assert len(django_mail.outbox) == 1


def test_never_kinds_read_ones_and_invisible_comments_are_not_in_it(
    send_digests, roundup, reader, other_reader
):
    preferences.preferences_set(user=reader, choices={"follow": MailTiming.NEVER})
    note(reader, roundup=roundup, text="never mailed")
    note(reader, kind=Kind.SUGGESTION, read_at=timezone.now(), text="read already")
    removed = factories.make_comment(
        roundup=roundup, author=other_reader, state=Comment.State.REMOVED
    )
    preferences.preferences_set(user=reader, choices={"mention": MailTiming.DIGEST})
    note(reader, kind=Kind.MENTION, roundup=roundup, comment=removed, text="removed since")
    old = note(reader, kind=Kind.SUGGESTION, text="too old")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert "0 enqueued" in send_digests()
    assert django_mail.outbox == [] and not DigestRun.objects.exists()
    assert Notification.objects.filter(user=reader).count() == 4  # all still on the site


def test_readers_without_an_address_get_none(send_digests, roundup, reader):
    reader.email = ""
    reader.save()
    note(reader, roundup=roundup)
    assert "0 enqueued" in send_digests()
    assert django_mail.outbox == []


def test_one_click_unsubscribe_from_the_digest_stops_its_kinds(send_digests, roundup, reader):
    note(reader, roundup=roundup)
    send_digests()
    message = django_mail.outbox[0]
    url = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)[
        "List-Unsubscribe"
    ].strip()[1:-1]
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200 and "daily digest" in response.content.decode()
    prefs = preferences.preferences_for(reader.pk)
    assert prefs["follow"] == prefs["suggestion"] == MailTiming.NEVER
    assert prefs["reply"] == MailTiming.IMMEDIATELY


def test_stale_queued_runs_are_enqueued_again(send_digests, roundup, reader):
    note(reader, roundup=roundup)
    [run_id] = mailing.schedule_digests(timezone.now().date())  # its task was lost
    DigestRun.objects.filter(pk=run_id).update(created_at=timezone.now() - timedelta(hours=1))
    assert "1 stale ones enqueued again" in send_digests()
    assert len(django_mail.outbox) == 1


def test_bad_day_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_digests", "--day", "yesterday")
