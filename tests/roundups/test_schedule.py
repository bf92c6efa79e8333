"""Scheduled publishing: roundup_schedule / roundup_unschedule, the task that publishes at the
time (run by django-tasks-db's own worker in this process, the ``run_tasks`` fixture), and the
pages: the edit page's field, the preview's schedule form, /drafts/ with its unschedule button.

"Time passes" in these tests by moving the task rows' ``run_after`` to now: the worker only
takes rows that are due, and the task itself compares the roundup's stored time with the time
it was enqueued for, never with the clock.
"""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from forum.errors import Conflict, InvalidInput, NotAllowed
from roundups import hooks
from roundups.models import Roundup
from roundups.services import (
    MAX_SCHEDULE_AHEAD,
    NO_PAPERS,
    roundup_publish,
    roundup_publish_due,
    roundup_schedule,
    roundup_unschedule,
    roundup_update,
)
from tests import factories

TASK = "roundups.tasks.publish_scheduled"


def in_hours(hours: float) -> datetime:
    """A whole-minute time ``hours`` from now (the services keep publish times to the minute)."""
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def draft(author):
    return factories.make_roundup(author=author, published=False, entries=2)


@pytest.fixture
def published_hook(monkeypatch):
    """Every roundup the roundup_published hook was fired for, in order."""
    fired = []
    monkeypatch.setattr(
        hooks,
        "roundup_published",
        [*hooks.roundup_published, lambda *, roundup: fired.append(roundup.pk)],
    )
    return fired


def schedule(draft, by, when, capture):
    """Schedule through the service and commit, so the task is enqueued as in production."""
    with capture(execute=True):
        return roundup_schedule(roundup=draft, by=by, publish_at=when)


def time_passes():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def task_rows():
    return list(DBTaskResult.objects.filter(task_path=TASK).order_by("enqueued_at"))


# --- the service and the task -------------------------------------------------------------------


def test_scheduling_stores_the_time_and_enqueues_one_task_for_it(
    draft, author, django_capture_on_commit_callbacks
):
    when = in_hours(5)
    schedule(draft, author, when, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.publish_at == when and draft.is_scheduled
    assert draft.status == Roundup.Status.DRAFT
    (row,) = task_rows()
    assert row.status == "READY" and row.run_after == when
    assert row.args_kwargs["args"] == [draft.pk, when.isoformat()]


def test_nothing_is_enqueued_before_the_commit_or_when_it_rolls_back(draft, author):
    # No on-commit callbacks run inside the test's transaction: the row is there, no task yet.
    roundup_schedule(roundup=draft, by=author, publish_at=in_hours(5))
    assert task_rows() == []


def test_the_worker_publishes_it_at_the_time_exactly_once(
    draft, author, run_tasks, published_hook, django_capture_on_commit_callbacks
):
    schedule(draft, author, in_hours(2), django_capture_on_commit_callbacks)
    assert run_tasks() == 0  # not due yet: the worker leaves it
    draft.refresh_from_db()
    assert draft.status == Roundup.Status.DRAFT

    time_passes()
    assert run_tasks() == 1
    draft.refresh_from_db()
    assert draft.is_published and draft.publish_at is None
    assert published_hook == [draft.pk]
    first_date = draft.published_at
    assert task_rows()[0].return_value == "published"

    # The same task again (a worker that died after publishing, a duplicate): nothing happens.
    row = task_rows()[0]
    assert roundup_publish_due(roundup_id=draft.pk, publish_at=row.run_after) == "skipped"
    draft.refresh_from_db()
    assert draft.published_at == first_date and published_hook == [draft.pk]


def test_rescheduling_moves_the_time_and_the_old_task_does_nothing(
    draft, author, run_tasks, published_hook, django_capture_on_commit_callbacks
):
    first, second = in_hours(2), in_hours(30)
    schedule(draft, author, first, django_capture_on_commit_callbacks)
    schedule(draft, author, second, django_capture_on_commit_callbacks)
    old, new = task_rows()
    assert (old.run_after, new.run_after) == (first, second)

    DBTaskResult.objects.filter(pk=old.pk).update(run_after=timezone.now())
    assert run_tasks() == 1  # only the old one is due
    old.refresh_from_db()
    assert old.return_value == "skipped"
    draft.refresh_from_db()
    assert draft.status == Roundup.Status.DRAFT and draft.publish_at == second

    time_passes()
    assert run_tasks() == 1
    draft.refresh_from_db()
    assert draft.is_published and published_hook == [draft.pk]


def test_the_same_time_again_enqueues_nothing_new(
    draft, author, django_capture_on_commit_callbacks
):
    when = in_hours(3)
    schedule(draft, author, when, django_capture_on_commit_callbacks)
    schedule(draft, author, when + timedelta(seconds=30), django_capture_on_commit_callbacks)
    assert len(task_rows()) == 1  # the same minute: the same schedule


def test_unscheduling_keeps_the_draft_and_its_task_does_nothing(
    draft, author, run_tasks, published_hook, django_capture_on_commit_callbacks
):
    schedule(draft, author, in_hours(2), django_capture_on_commit_callbacks)
    roundup_unschedule(roundup=draft, by=author)
    roundup_unschedule(roundup=draft, by=author)  # twice: still fine
    draft.refresh_from_db()
    assert draft.publish_at is None and not draft.is_scheduled
    time_passes()
    assert run_tasks() == 1
    assert task_rows()[0].return_value == "skipped"
    draft.refresh_from_db()
    assert draft.status == Roundup.Status.DRAFT and published_hook == []


def test_publishing_by_hand_clears_the_schedule_and_the_task_then_does_nothing(
    draft, author, run_tasks, published_hook, django_capture_on_commit_callbacks
):
    schedule(draft, author, in_hours(2), django_capture_on_commit_callbacks)
    roundup_publish(roundup=draft, by=author)
    draft.refresh_from_db()
    published_at = draft.published_at
    assert draft.is_published and draft.publish_at is None
    time_passes()
    run_tasks()
    assert task_rows()[0].return_value == "skipped"
    draft.refresh_from_db()
    assert draft.published_at == published_at and published_hook == [draft.pk]


@pytest.mark.parametrize(
    "when, message",
    [
        (lambda: timezone.now() - timedelta(minutes=1), "Choose a time in the future."),
        (lambda: timezone.now(), "Choose a time in the future."),
        (lambda: timezone.now() + MAX_SCHEDULE_AHEAD + timedelta(days=1), "Choose a time within"),
        (lambda: datetime(2099, 1, 1, 12, 0), "with its time zone"),
        (lambda: "tomorrow", "with its time zone"),
        (
            lambda: datetime(1, 1, 1, tzinfo=zoneinfo.ZoneInfo("Pacific/Kiritimati")),
            "Choose a time in the future.",
        ),
    ],
    ids=["past", "now", "too-far", "naive", "not-a-time", "before-utc-begins"],
)
def test_bad_times_are_refused_and_write_nothing(
    draft, author, when, message, django_capture_on_commit_callbacks
):
    before = Roundup.objects.get(pk=draft.pk).updated_at
    with pytest.raises(InvalidInput) as refused, django_capture_on_commit_callbacks(execute=True):
        roundup_schedule(roundup=draft, by=author, publish_at=when())
    assert message in refused.value.fields["publish_at"][0]
    draft.refresh_from_db()
    assert draft.publish_at is None and draft.updated_at == before
    assert task_rows() == []


def test_a_published_roundup_or_an_empty_draft_cannot_be_scheduled(
    author, django_capture_on_commit_callbacks
):
    published = factories.make_roundup(author=author, entries=1)
    with pytest.raises(Conflict):
        schedule(published, author, in_hours(2), django_capture_on_commit_callbacks)
    empty = factories.make_roundup(author=author, published=False)
    with pytest.raises(InvalidInput, match="at least one paper"):
        schedule(empty, author, in_hours(2), django_capture_on_commit_callbacks)
    assert Roundup.objects.filter(publish_at__isnull=False).count() == 0
    assert task_rows() == []


def test_only_the_author_or_staff_schedule_and_unschedule(
    draft, author, reader, admin_user, django_capture_on_commit_callbacks
):
    other_author = factories.make_author("other")
    for who in (reader, other_author):
        with pytest.raises(NotAllowed):
            schedule(draft, who, in_hours(2), django_capture_on_commit_callbacks)
    assert task_rows() == []
    schedule(draft, admin_user, in_hours(2), django_capture_on_commit_callbacks)
    for who in (reader, other_author):
        with pytest.raises(NotAllowed):
            roundup_unschedule(roundup=draft, by=who)
    draft.refresh_from_db()
    assert draft.is_scheduled
    roundup_unschedule(roundup=draft, by=admin_user)
    draft.refresh_from_db()
    assert not draft.is_scheduled


def test_publishing_is_checked_again_when_the_time_comes(
    draft, author, run_tasks, published_hook, django_capture_on_commit_callbacks
):
    """The draft lost its papers after it was scheduled: it stays a draft, unscheduled, and
    says why (the drafts page shows it)."""
    when = in_hours(2)
    schedule(draft, author, when, django_capture_on_commit_callbacks)
    roundup_update(roundup=draft, by=author, entries=[])
    time_passes()
    assert run_tasks() == 1
    assert task_rows()[0].return_value == "refused"
    draft.refresh_from_db()
    assert draft.status == Roundup.Status.DRAFT and draft.published_at is None
    assert draft.publish_at is None and draft.publish_error == NO_PAPERS
    assert draft.publish_error_at == when
    assert published_hook == []
    # Scheduling again (after adding a paper) clears the failure.
    factories.make_entry(draft)
    schedule(draft, author, in_hours(3), django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.publish_error == "" and draft.publish_error_at is None


def test_an_author_who_lost_the_authors_role_is_not_published_for(
    draft, author, run_tasks, django_capture_on_commit_callbacks
):
    schedule(draft, author, in_hours(2), django_capture_on_commit_callbacks)
    author.groups.clear()
    time_passes()
    run_tasks()
    draft.refresh_from_db()
    assert draft.status == Roundup.Status.DRAFT
    assert "Only the author" in draft.publish_error


def test_update_schedules_and_unschedules_in_the_same_transaction(
    draft, author, django_capture_on_commit_callbacks
):
    when = in_hours(4)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_update(roundup=draft, by=author, title="New title", publish_at=when)
    draft.refresh_from_db()
    assert draft.title == "New title" and draft.publish_at == when
    # A refused time refuses the whole update: the title change is not kept either.
    with pytest.raises(InvalidInput):
        roundup_update(
            roundup=draft, by=author, title="Lost", publish_at=timezone.now() - timedelta(hours=1)
        )
    draft.refresh_from_db()
    assert draft.title == "New title" and draft.publish_at == when
    # Removing every paper while scheduling a new time is refused too.
    with pytest.raises(InvalidInput, match="at least one paper"):
        roundup_update(roundup=draft, by=author, entries=[], publish_at=in_hours(6))
    assert draft.entries.count() == 2
    roundup_update(roundup=draft, by=author, publish_at=None)
    draft.refresh_from_db()
    assert draft.publish_at is None
    with pytest.raises(InvalidInput):
        roundup_update(roundup=draft, by=author, publish=True, publish_at=in_hours(6))


# --- pages --------------------------------------------------------------------------------------


def edit_data(roundup, **extra):
    """The edit form as the page sends it, for a roundup with its saved entries."""
    entries = list(roundup.entries.order_by("position"))
    data = {
        "title": roundup.title,
        "slug": roundup.slug,
        "intro": roundup.intro,
        "outro": roundup.outro,
        "crosspost_url": "",
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": str(len(entries)),
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
        "references": "",
        "time_zone": "UTC",
        "publish_at": "",
        "action": "save",
    }
    for i, entry in enumerate(entries):
        data |= {
            f"entries-{i}-id": str(entry.pk),
            f"entries-{i}-position": str(entry.position),
            f"entries-{i}-title": entry.title,
            f"entries-{i}-url": entry.url,
            f"entries-{i}-authors": entry.authors,
            f"entries-{i}-abstract": entry.abstract,
            f"entries-{i}-opinion": entry.opinion,
        }
    return data | extra


def local(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def test_the_edit_page_schedules_in_the_authors_time_zone(
    client, draft, author, django_capture_on_commit_callbacks
):
    client.force_login(author)
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    wall = (
        (timezone.now() + timedelta(days=2))
        .astimezone(berlin)
        .replace(hour=9, minute=30, second=0, microsecond=0)
    )
    url = reverse("roundups:edit", args=[draft.slug])
    data = edit_data(draft, publish_at=wall.strftime("%Y-%m-%dT%H:%M"), time_zone="Europe/Berlin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.publish_at == wall  # 09:30 in Berlin, whatever that is in UTC
    page = client.get(url).content.decode()
    # The field shows the stored time in UTC with time_zone "UTC" (site.js converts both).
    assert f'value="{local(wall)}"' in page
    assert f'datetime="{draft.publish_at.astimezone(UTC).isoformat()}"' in page
    # Sent back unchanged, the schedule stays and no second task is made.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, edit_data(draft, publish_at=local(wall)))
    assert len(task_rows()) == 1
    # Cleared, it unschedules.
    client.post(url, edit_data(draft, publish_at=""))
    draft.refresh_from_db()
    assert draft.publish_at is None


def test_the_edit_page_refuses_a_past_time_on_the_field_and_saves_nothing(client, draft, author):
    client.force_login(author)
    url = reverse("roundups:edit", args=[draft.slug])
    past = local(timezone.now() - timedelta(hours=1))
    response = client.post(url, edit_data(draft, title="Changed", publish_at=past))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page and "Choose a time in the future." in page
    draft.refresh_from_db()
    assert draft.title != "Changed" and draft.publish_at is None
    bad_zone = client.post(
        url, edit_data(draft, publish_at=local(in_hours(5)), time_zone="Mars/Base")
    )
    assert "Unknown time zone" in bad_zone.content.decode()
    draft.refresh_from_db()
    assert draft.publish_at is None


def test_preview_schedules_then_the_drafts_page_shows_the_time_and_unschedules(
    client, draft, author, django_capture_on_commit_callbacks
):
    client.force_login(author)
    preview = client.get(reverse("roundups:preview", args=[draft.slug])).content.decode()
    assert reverse("roundups:schedule", args=[draft.slug]) in preview
    when = in_hours(26)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("roundups:schedule", args=[draft.slug]),
            {"publish_at": local(when), "time_zone": "UTC"},
        )
    assert response.status_code == 302 and response["Location"] == reverse("roundups:drafts")
    page = client.get(reverse("roundups:drafts")).content.decode()
    assert draft.title in page
    assert f'<time datetime="{when.isoformat()}" data-local-time>' in page
    assert when.strftime("%H:%M") + " UTC" in page
    unschedule = reverse("roundups:unschedule", args=[draft.slug])
    assert f'action="{unschedule}"' in page
    response = client.post(unschedule)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.publish_at is None and draft.status == Roundup.Status.DRAFT
    assert "Not scheduled." in client.get(reverse("roundups:drafts")).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"publish_at": ""}, "Choose a date and time."),
        ({"publish_at": "2020-01-01T10:00"}, "Choose a time in the future."),
        ({"publish_at": "not a time"}, "Enter a valid date/time."),
    ],
)
def test_the_preview_schedule_form_shows_refusals(client, draft, author, data, message):
    client.force_login(author)
    response = client.post(reverse("roundups:schedule", args=[draft.slug]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.publish_at is None
    assert DBTaskResult.objects.count() == 0


def test_an_empty_draft_cannot_be_scheduled_from_the_preview(client, author):
    empty = factories.make_roundup(author=author, published=False)
    client.force_login(author)
    response = client.post(
        reverse("roundups:schedule", args=[empty.slug]), {"publish_at": local(in_hours(3))}
    )
    assert response.status_code == 400
    assert "Add at least one paper before publishing." in response.content.decode()


def test_schedule_pages_are_for_the_author_and_staff_only(client, draft, reader, admin_user):
    schedule_url = reverse("roundups:schedule", args=[draft.slug])
    unschedule_url = reverse("roundups:unschedule", args=[draft.slug])
    data = {"publish_at": local(in_hours(3))}
    assert client.post(schedule_url, data).status_code == 302  # to the login page
    assert client.get(reverse("roundups:drafts")).status_code == 302
    client.force_login(factories.make_author("other"))
    assert client.post(schedule_url, data).status_code == 404  # another author's draft
    assert client.post(unschedule_url).status_code == 404
    client.force_login(reader)
    assert client.post(schedule_url, data).status_code == 403
    assert client.get(reverse("roundups:drafts")).status_code == 403
    client.force_login(admin_user)
    assert client.get(schedule_url).status_code == 405
    assert client.post(schedule_url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_scheduled


def test_the_drafts_page_lists_only_the_readers_drafts_scheduled_first(
    client, author, django_assert_num_queries, session_queries
):
    plain = factories.make_roundup(author=author, published=False, entries=1, title="Plain one")
    later = factories.make_roundup(author=author, published=False, entries=1, title="Later one")
    sooner = factories.make_roundup(author=author, published=False, entries=1, title="Sooner one")
    failed = factories.make_roundup(
        author=author,
        published=False,
        title="Failed one",
        publish_error=NO_PAPERS,
        publish_error_at=timezone.now() - timedelta(hours=1),
    )
    Roundup.objects.filter(pk=later.pk).update(publish_at=in_hours(48))
    Roundup.objects.filter(pk=sooner.pk).update(publish_at=in_hours(2))
    factories.make_roundup(author=author, title="Published one", entries=1)
    factories.make_roundup(published=False, title="Someone else's")
    client.force_login(author)
    # Intended to prevent an n+1: the user, their permissions (one: is_author), the page count,
    # the drafts with their paper counts (one query), the header's unread count and, for an
    # author, the header's count of open suggestions (papers/context_processors.py).
    with django_assert_num_queries(6 + session_queries):
        page = client.get(reverse("roundups:drafts")).content.decode()
    titles = ["Sooner one", "Later one", "Failed one", "Plain one"]
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Published one" not in page and "Someone else" not in page
    assert "Not published at its scheduled time" in page and NO_PAPERS in page
    assert page.count("Unschedule</button>") == 2
    assert plain.title in page and failed.title in page


def test_authors_see_a_drafts_link_in_the_header(client, author, reader):
    client.force_login(author)
    assert f'href="{reverse("roundups:drafts")}"' in client.get("/").content.decode()
    client.force_login(reader)
    assert f'href="{reverse("roundups:drafts")}"' not in client.get("/").content.decode()


def test_a_scheduled_publish_mails_the_series_subscribers_as_any_publish(
    author, run_tasks, django_capture_on_commit_callbacks
):
    from django.core import mail

    from notifications.models import Subscription

    series = factories.make_series("Weekly ML", slug="weekly-ml")
    now = timezone.now()
    for address in ("a@example.org", "b@example.org"):
        Subscription.objects.create(series=series, email=address, confirmed_at=now)
    draft = factories.make_roundup(author=author, series=series, published=False, entries=1)
    schedule(draft, author, in_hours(1), django_capture_on_commit_callbacks)
    time_passes()
    with django_capture_on_commit_callbacks(execute=True):
        ran = run_tasks()
    while ran:  # the publish enqueues the mailing's tasks; run them as a worker would
        with django_capture_on_commit_callbacks(execute=True):
            ran = run_tasks()
    draft.refresh_from_db()
    assert draft.is_published
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "a@example.org",
        "b@example.org",
    ]
    assert all(draft.title in message.subject for message in mail.outbox)
