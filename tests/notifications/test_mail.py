"""Notification mail: one per notification for "immediately" kinds, claimed so never twice,
with a one-click unsubscribe of its kind; nothing for "never" kinds, own actions or comments
readers cannot see."""

import email
from email import policy
from urllib.parse import urlsplit

import pytest
from django.core import mail as django_mail
from django.test import Client

from comments import services as comment_services
from comments.models import Comment
from notifications import mailing, preferences
from notifications.models import MailPreference, MailState, MailTiming, Notification
from papers import services as paper_services
from tests import factories

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
SITE = "https://roundups.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def act(django_capture_on_commit_callbacks, run_tasks):
    """Run a write as a request would (its on-commit work too), then every task it enqueued."""

    def act(write, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = write(**kwargs)
        run_tasks()
        return result

    return act


def parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def parts(message):
    msg = parsed(message)
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def reply(post_as, parent, body="I disagree."):
    return dict(
        roundup=parent.roundup, author=post_as, body=body, parent=parent, enforce_rate_limit=False
    )


def test_a_reply_is_mailed_at_once_with_both_parts_headers_and_an_absolute_link(
    act, roundup, reader, other_reader
):
    parent = factories.make_comment(roundup=roundup, author=reader)
    comment = act(comment_services.comment_create, **reply(other_reader, parent, "**Nope.**"))
    assert len(django_mail.outbox) == 1
    message = django_mail.outbox[0]
    assert message.to == [reader.email]
    msg = parsed(message)
    assert message.subject == f"reader2 replied to your comment on “{roundup.title}”"
    unsubscribe = msg["List-Unsubscribe"].strip()[1:-1]
    assert unsubscribe.startswith(f"{SITE}/unsubscribe/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    link = f"{SITE}{roundup.get_absolute_url()}#c{comment.pk}"
    for part in (text, html):
        assert link in part and unsubscribe in part and "Nope." in part
    assert "<strong>" not in html  # the excerpt is the reader's text, escaped, never markup
    note = Notification.objects.get(user=reader)
    assert note.mail_state == MailState.SENT and note.mailed_at is not None


def test_each_kind_is_mailed_when_chosen_immediately(
    act, roundup, author, reader, other_reader, moderator
):
    for kind in preferences.DEFAULTS:
        MailPreference.objects.create(user=reader, kind=kind, delivery=MailTiming.IMMEDIATELY)
    mine = act(comment_services.comment_create, roundup=roundup, author=reader, body="Mine.",
               enforce_rate_limit=False)  # fmt: skip
    act(comment_services.comment_create, **reply(other_reader, mine))  # reply
    # A mention, then a new root: a follow (reader follows, having posted).
    for body in ("Ask @reader.", "A new root."):
        act(comment_services.comment_create, roundup=roundup, author=other_reader, body=body,
            enforce_rate_limit=False)  # fmt: skip
    act(comment_services.comment_remove, comment=mine, by=moderator, reason="Off topic")
    suggestion = act(
        paper_services.suggestion_create, roundup=roundup, author=reader, title="Attention",
        url="https://arxiv.org/abs/1706.03762", blurb="Classic.",
    )  # fmt: skip
    draft = factories.make_roundup(author=author, published=False, entries=1)
    act(paper_services.suggestion_take, suggestion=suggestion, by=author, roundup=draft)
    kinds = {note.kind for note in Notification.objects.filter(user=reader)}
    assert kinds == set(preferences.DEFAULTS)
    subjects = sorted(m.subject for m in django_mail.outbox if m.to == [reader.email])
    assert subjects == sorted(
        Notification.objects.filter(user=reader).values_list("text", flat=True)
    )
    assert not Notification.objects.filter(user=reader).exclude(mail_state=MailState.SENT).exists()


def test_defaults_replies_and_moderation_now_follows_in_the_digest(
    act, roundup, reader, other_reader, moderator
):
    assert preferences.preferences_for(reader.pk) == {
        "reply": "immediately", "mention": "immediately", "moderation": "immediately",
        "follow": "digest", "suggestion": "digest",
    }  # fmt: skip
    assert not MailPreference.objects.exists()  # no row until changed
    mine = factories.make_comment(roundup=roundup, author=reader)
    act(comment_services.comment_create, roundup=roundup, author=reader, body="I follow now.",
        enforce_rate_limit=False)  # fmt: skip
    act(comment_services.comment_create, roundup=roundup, author=other_reader, body="A root.",
        enforce_rate_limit=False)  # fmt: skip
    assert Notification.objects.get(user=reader).kind == Kind.FOLLOW
    assert django_mail.outbox == []  # a follow waits for the digest
    act(comment_services.comment_remove, comment=mine, by=moderator, reason="Spam")
    assert [m.subject for m in django_mail.outbox] == [
        f"A moderator removed your comment on “{roundup.title}”: Spam"
    ]


def test_never_is_never_mailed_but_still_on_the_site(act, roundup, reader, other_reader):
    preferences.preferences_set(user=reader, choices={"reply": "never"})
    parent = factories.make_comment(roundup=roundup, author=reader)
    act(comment_services.comment_create, **reply(other_reader, parent))
    assert Notification.objects.get(user=reader).kind == Kind.REPLY
    assert django_mail.outbox == []


def test_no_address_no_mail(act, roundup, reader, other_reader):
    reader.email = ""
    reader.save()
    parent = factories.make_comment(roundup=roundup, author=reader)
    act(comment_services.comment_create, **reply(other_reader, parent))
    assert Notification.objects.filter(user=reader).exists()
    assert django_mail.outbox == []


def test_no_mail_for_own_actions(act, roundup, reader):
    parent = factories.make_comment(roundup=roundup, author=reader)
    act(comment_services.comment_create, **reply(reader, parent, "Me again, @reader."))
    assert not Notification.objects.exists() and django_mail.outbox == []


def test_a_comment_removed_before_the_task_runs_notifies_nobody(
    roundup, reader, other_reader, moderator, django_capture_on_commit_callbacks, run_tasks
):
    parent = factories.make_comment(roundup=roundup, author=reader)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_services.comment_create(**reply(other_reader, parent, "@reader rude"))
        comment_services.comment_remove(comment=comment, by=moderator, reason="Rude")
    run_tasks()
    assert list(Notification.objects.values_list("user__username", "kind")) == [
        ("reader2", Kind.MODERATION)
    ]
    assert [m.to for m in django_mail.outbox] == [[other_reader.email]]


def test_a_comment_removed_before_its_mail_is_not_mailed(
    roundup, reader, other_reader, moderator, django_capture_on_commit_callbacks, run_tasks
):
    parent = factories.make_comment(roundup=roundup, author=reader)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_services.comment_create(**reply(other_reader, parent))
    run_tasks(max_tasks=1)  # the fan-out: the notification exists, its mail task waits
    note = Notification.objects.get(user=reader)
    Comment.objects.filter(pk=comment.pk).update(state=Comment.State.REMOVED)
    run_tasks()
    note.refresh_from_db()
    assert note.mail_state == MailState.SKIPPED and django_mail.outbox == []


def test_never_twice_a_claimed_notification_is_not_sent_again(roundup, reader, other_reader):
    parent = factories.make_comment(roundup=roundup, author=reader)
    comment = factories.make_comment(roundup=roundup, author=other_reader, parent=parent)
    note = Notification.objects.create(
        user=reader, kind=Kind.REPLY, actor=other_reader, roundup=roundup, comment=comment,
        text="reader2 replied",
    )  # fmt: skip
    assert mailing.send_one(note.pk) == "sent"
    assert mailing.send_one(note.pk) == "done already"  # a retried task, or a second worker
    assert len(django_mail.outbox) == 1
    # A worker that died after claiming leaves "sending": its mail may have gone out.
    Notification.objects.filter(pk=note.pk).update(mail_state=MailState.SENDING)
    assert mailing.send_one(note.pk) == "done already"
    assert len(django_mail.outbox) == 1


def test_a_failed_send_is_retried_and_sent_once(roundup, reader, other_reader, monkeypatch):
    parent = factories.make_comment(roundup=roundup, author=reader)
    note = Notification.objects.create(
        user=reader, kind=Kind.REPLY, roundup=roundup, comment=parent, text="x"
    )
    calls = []

    def refuse(self, *args, **kwargs):
        calls.append(1)
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        with pytest.raises(ConnectionRefusedError):
            mailing.send_one(note.pk)
    note.refresh_from_db()
    assert note.mail_state == MailState.FAILED and calls == [1]
    assert mailing.send_one(note.pk) == "sent"
    assert mailing.send_one(note.pk) == "done already"
    assert len(django_mail.outbox) == 1


def test_one_click_unsubscribe_turns_that_kind_to_never_without_a_session(
    act, roundup, reader, other_reader
):
    parent = factories.make_comment(roundup=roundup, author=reader)
    act(comment_services.comment_create, **reply(other_reader, parent))
    url = parsed(django_mail.outbox[0])["List-Unsubscribe"].strip()[1:-1]
    path = urlsplit(url).path
    client = Client(enforce_csrf_checks=True)  # a mail client: no session, no CSRF token
    page = client.get(path)
    assert "Stop emails about replies to your comments to reader?" in page.content.decode()
    assert not MailPreference.objects.exists()  # a GET changes nothing
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert MailPreference.objects.get(user=reader).kind == Kind.REPLY
    assert preferences.preferences_for(reader.pk)[Kind.REPLY] == MailTiming.NEVER
    assert preferences.preferences_for(reader.pk)[Kind.MODERATION] == MailTiming.IMMEDIATELY
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: fine
    act(comment_services.comment_create, **reply(other_reader, parent, "Again."))
    assert len(django_mail.outbox) == 1


def test_an_unsubscribe_link_for_an_unknown_kind_or_reader_is_refused(reader):
    from forum import mail

    bad_kind = urlsplit(mail.unsubscribe_url("notify", reader.pk, "gossip")).path
    gone = urlsplit(mail.unsubscribe_url("notify", 99999, "reply")).path
    assert Client().post(bad_kind).status_code == 400
    assert Client().post(gone).status_code == 404
    assert not MailPreference.objects.exists()


def test_an_edit_that_adds_a_mention_tells_only_the_newly_mentioned(
    act, roundup, reader, other_reader
):
    third = factories.make_user("reader3")
    comment = act(comment_services.comment_create, roundup=roundup, author=other_reader,
                  body="Hello @reader.", enforce_rate_limit=False)  # fmt: skip
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["reader"]
    act(comment_services.comment_edit, comment=comment, by=other_reader,
        body="Hello @reader and @reader3.")  # fmt: skip
    notes = Notification.objects.order_by("id").values_list("user__username", "kind")
    assert list(notes) == [("reader", Kind.MENTION), ("reader3", Kind.MENTION)]
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted([reader.email, third.email])
    act(comment_services.comment_edit, comment=comment, by=other_reader,
        body="Hello again @reader and @reader3.")  # fmt: skip
    assert Notification.objects.count() == 2  # nobody new
