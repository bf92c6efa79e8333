"""Suggestions after they are made: declined with a reason the reader is told, duplicates of one
paper merged into one open suggestion with a count, and readers' +1s."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse

from comments.integrity import check_threads
from comments.models import Comment
from forum.errors import InvalidInput, NotAllowed
from notifications.models import MailPreference, MailTiming, Notification
from papers.models import PaperSuggestion, SuggestionSupport
from papers.services import (
    suggestion_create,
    suggestion_decline,
    suggestion_support,
    suggestion_take,
)
from tests.factories import make_roundup, make_user

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "Attention Is All You Need",
    "url": "https://arxiv.org/abs/1706.03762",
    "blurb": "The transformer paper.",
}


def suggest(roundup, author=None, **fields):
    return suggestion_create(roundup=roundup, author=author or make_user(), **(GOOD | fields))


@pytest.fixture
def draft(author):
    return make_roundup(author=author, published=False, title="Next week")


def fresh(suggestion):
    return PaperSuggestion.objects.get(pk=suggestion.pk)


# --- declining ------------------------------------------------------------------------------


def test_an_author_declines_with_a_reason_and_the_reader_is_told_on_site_and_by_mail(
    client, roundup, author, reader, django_capture_on_commit_callbacks, run_tasks
):
    MailPreference.objects.create(
        user=reader, kind=Notification.Kind.SUGGESTION, delivery=MailTiming.IMMEDIATELY
    )
    suggestion = suggest(roundup, author=reader)
    client.force_login(author)
    url = reverse("papers:decline_suggestion", args=[suggestion.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Covered in March already."}, follow=True)
    run_tasks()
    assert "the reader is told why" in response.content.decode()
    suggestion = fresh(suggestion)
    assert suggestion.status == "declined" and suggestion.declined_by == author
    assert suggestion.declined_reason == "Covered in March already."
    note = Notification.objects.get(user=reader)
    assert note.kind == "suggestion" and "Covered in March already." in note.text
    assert "declined your suggestion" in note.text
    assert [m.to for m in mail.outbox] == [[reader.email]]
    assert "Covered in March already." in mail.outbox[0].subject
    # It leaves the open list; its card in the thread shows the reason.
    assert suggestion not in PaperSuggestion.objects.open()
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert "Paper suggestion · declined by an author" in html
    assert "Declined: Covered in March already." in html


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reader a reason for declining."),
        ("   ", "Give the reader a reason for declining."),
        ("x" * 501, "The reason is too long (at most 500 characters)."),
    ],
)
def test_a_decline_without_a_fitting_reason_says_why_and_writes_nothing(
    client, roundup, author, reason, message
):
    suggestion = suggest(roundup)
    client.force_login(author)
    url = reverse("papers:decline_suggestion", args=[suggestion.pk])
    response = client.post(url, {"reason": reason}, follow=True)
    assert message in response.content.decode()
    assert fresh(suggestion).status == "open" and not Notification.objects.exists()


def test_declining_twice_or_a_taken_one_is_refused_and_writes_nothing(roundup, author, draft):
    declined = suggest(roundup)
    suggestion_decline(suggestion=declined, by=author, reason="Off topic.")
    with pytest.raises(InvalidInput, match="already declined"):
        suggestion_decline(suggestion=declined, by=author, reason="Again.")
    assert fresh(declined).declined_reason == "Off topic."
    taken = suggest(roundup, url="https://arxiv.org/abs/2001.00001")
    suggestion_take(suggestion=taken, by=author, roundup=draft)
    with pytest.raises(InvalidInput, match="already taken"):
        suggestion_decline(suggestion=taken, by=author, reason="Changed my mind.")
    assert fresh(taken).status == "taken" and fresh(taken).declined_reason == ""
    with pytest.raises(InvalidInput, match="already declined"):
        suggestion_take(suggestion=declined, by=author, roundup=draft)


def test_only_authors_decline(client, roundup, reader):
    suggestion = suggest(roundup)
    with pytest.raises(NotAllowed):
        suggestion_decline(suggestion=suggestion, by=reader, reason="No.")
    client.force_login(reader)
    url = reverse("papers:decline_suggestion", args=[suggestion.pk])
    assert client.post(url, {"reason": "No."}).status_code == 403
    assert fresh(suggestion).status == "open"


def test_the_list_offers_decline_to_authors(client, roundup, author):
    suggestion = suggest(roundup)
    client.force_login(author)
    html = client.get(reverse("papers:suggestions")).content.decode()
    assert reverse("papers:decline_suggestion", args=[suggestion.pk]) in html
    assert 'name="reason" rows="2" required maxlength="500"' in html


# --- merging duplicates ---------------------------------------------------------------------


def test_the_same_paper_again_posts_the_comment_and_counts_on_the_open_one(client, author):
    first_thread, second_thread = make_roundup(), make_roundup()
    first = suggest(first_thread, author=make_user("ada"))
    # Another spelling of the same arXiv paper, in another roundup's thread.
    again = suggest(second_thread, author=make_user("bo"), url="arxiv.org/pdf/1706.03762v5",
                    blurb="Seconding this.")  # fmt: skip
    assert Comment.objects.filter(pk=again.comment_id, text__body="Seconding this.").exists()
    assert (again.status, again.merged_into) == ("merged", first)
    assert fresh(first).supporter_count == 2
    support = SuggestionSupport.objects.get(suggestion=first)
    assert (support.user.username, support.comment_id) == ("bo", again.comment_id)
    client.force_login(author)
    response = client.get(reverse("papers:suggestions"))
    assert list(response.context["page"].object_list) == [first]
    assert "Suggested by <span data-support-count>2</span> reader<span data-support-plural>s" in (
        response.content.decode()
    )
    html = client.get(second_thread.get_absolute_url()).content.decode()
    assert "already suggested: counted on another suggestion of this paper" in html


def test_the_same_reader_twice_is_counted_once(roundup):
    reader = make_user()
    first = suggest(roundup, author=reader)
    suggest(make_roundup(), author=reader)
    assert fresh(first).supporter_count == 1 and not SuggestionSupport.objects.exists()


def test_a_closed_suggestion_does_not_absorb_a_new_one(roundup, author):
    declined = suggest(roundup)
    suggestion_decline(suggestion=declined, by=author, reason="Not now.")
    again = suggest(roundup)
    assert again.status == "open" and again.merged_into is None


def test_the_data_migration_merges_existing_duplicates_without_losing_any(roundup):
    migration = importlib.import_module("papers.migrations.0005_suggestion_decline_merge_support")
    readers = [make_user(f"r{n}") for n in range(4)]
    urls = [
        "https://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762v2",
        "https://arxiv.org/abs/1706.03762", "https://example.org/other",
    ]  # fmt: skip
    rows = []
    for n, (reader, url) in enumerate(zip(readers, urls, strict=True)):
        comment = Comment.objects.create(roundup=roundup, author=reader)
        rows.append(PaperSuggestion.objects.create(comment=comment, title=f"T{n}", url=url,
                                                   blurb="b"))  # fmt: skip
    # The third reader's row is by the first reader's account too: counted once.
    Comment.objects.filter(pk=rows[2].comment_id).update(author=readers[0])
    migration.merge_duplicates(django_apps, None)
    assert PaperSuggestion.objects.count() == 4  # nothing deleted
    states = {row.title: (row.status, row.merged_into_id, row.supporter_count)
              for row in PaperSuggestion.objects.all()}  # fmt: skip
    assert states == {
        "T0": ("open", None, 2),
        "T1": ("merged", rows[0].pk, 1),
        "T2": ("merged", rows[0].pk, 1),
        "T3": ("open", None, 1),
    }
    assert list(SuggestionSupport.objects.values_list("user__username", "comment_id")) == [
        ("r1", rows[1].comment_id)
    ]
    assert PaperSuggestion.objects.get(title="T3").paper_key == "example.org/other"


def test_when_the_open_suggestions_comment_goes_the_oldest_visible_merged_one_takes_over(
    client, author, moderator
):
    """Removing (or deleting) the first suggestion's comment does not take the later readers'
    wish off the list: the oldest merged suggestion still visible becomes the open one, with
    every supporter (the withdrawn suggester among them, as any merged suggester is)."""
    from comments.services import comment_delete, comment_remove

    ada, bo, cy, di = (make_user(name) for name in ("ada", "bo", "cy", "di"))
    first = suggest(make_roundup(), author=ada)
    gone = suggest(make_roundup(), author=bo, url="arxiv.org/pdf/1706.03762v5")
    second = suggest(make_roundup(), author=cy, url="https://arxiv.org/abs/1706.03762v2")
    comment_delete(comment=gone.comment, by=bo)  # merged already: nothing moves
    suggestion_support(suggestion=first, user=di)
    assert fresh(first).supporter_count == 4
    comment_remove(comment=first.comment, by=moderator, reason="Spam link farm.")
    first, gone, second = fresh(first), fresh(gone), fresh(second)
    assert (second.status, second.merged_into) == ("open", None)
    assert (first.status, first.merged_into) == ("merged", second)
    assert (gone.status, gone.merged_into) == ("merged", second)
    supporters = set(
        SuggestionSupport.objects.filter(suggestion=second).values_list("user__username", flat=True)
    )
    assert supporters == {"ada", "bo", "di"} and second.supporter_count == 4
    assert not SuggestionSupport.objects.filter(suggestion=first).exists()
    client.force_login(author)
    assert list(client.get(reverse("papers:suggestions")).context["page"].object_list) == [second]
    # Taking it over is an ordinary open suggestion: it can be taken, and a new suggestion of
    # the paper counts on it.
    again = suggest(make_roundup(), author=make_user("ed"))
    assert again.merged_into == second and fresh(second).supporter_count == 5
    assert check_threads().ok  # every kept count agrees with its rows


def test_suggesting_again_after_the_open_suggestions_comment_went_counts_its_readers(moderator):
    """No visible suggestion took over (none was merged): the next suggestion of the paper opens,
    and the readers of the one whose comment went are counted on it."""
    from comments.services import comment_remove

    first = suggest(make_roundup(), author=make_user("ada"))
    suggestion_support(suggestion=first, user=make_user("di"))
    comment_remove(comment=first.comment, by=moderator, reason="Checking the link.")
    assert fresh(first).status == "open"  # nobody to take over: it stays, unseen
    later = suggest(make_roundup(), author=make_user("bo"))
    first, later = fresh(first), fresh(later)
    assert (later.status, later.merged_into) == ("open", None)
    assert (first.status, first.merged_into) == ("merged", later)
    supporters = SuggestionSupport.objects.filter(suggestion=later)
    assert set(supporters.values_list("user__username", flat=True)) == {"ada", "di"}
    assert later.supporter_count == 3
    assert list(PaperSuggestion.objects.open().filter(paper_key=later.paper_key)) == [later]
    assert check_threads().ok


def test_an_open_suggestion_restored_beside_another_open_one_merges_into_it(moderator):
    """Rows from before the hand-over existed can hold a hidden open suggestion beside a visible
    one: restoring the hidden one's comment merges it into the visible one."""
    from comments.services import comment_remove, comment_restore

    first = suggest(make_roundup(), author=make_user("ada"))
    comment_remove(comment=first.comment, by=moderator, reason="Checking the link.")
    other = Comment.objects.create(roundup=make_roundup(), author=make_user("bo"))
    later = PaperSuggestion.objects.create(
        comment=other, title="T", url=GOOD["url"], blurb="b", paper_key=first.paper_key
    )
    comment_restore(comment=Comment.objects.get(pk=first.comment_id), by=moderator,
                    reason="The link is fine.")  # fmt: skip
    first, later = fresh(first), fresh(later)
    assert (first.status, first.merged_into, later.status) == ("merged", later, "open")
    assert later.supporter_count == 2
    assert list(PaperSuggestion.objects.open().filter(paper_key=later.paper_key)) == [later]
    assert not [p for p in check_threads().problems if p.kind == "supporter_count"]


def test_a_taken_suggestions_comment_going_changes_no_suggestion(author, draft):
    from comments.services import comment_delete

    reader = make_user()
    first = suggest(make_roundup(), author=reader)
    merged = suggest(make_roundup(), url="arxiv.org/abs/1706.03762")
    suggestion_take(suggestion=first, by=author, roundup=draft)
    before = list(PaperSuggestion.objects.order_by("pk").values_list("status", "merged_into"))
    comment_delete(comment=first.comment, by=reader)
    after = list(PaperSuggestion.objects.order_by("pk").values_list("status", "merged_into"))
    assert after == before == [("taken", None), ("merged", first.pk)]
    assert fresh(merged).merged_into == first


def test_check_threads_finds_and_repairs_a_wrong_supporter_count(roundup):
    from io import StringIO

    from django.core.management import CommandError, call_command

    first = suggest(roundup)
    suggest(make_roundup(), url="arxiv.org/abs/1706.03762")
    other = suggest(make_roundup(), url="https://example.org/other")
    assert check_threads().ok
    PaperSuggestion.objects.filter(pk=first.pk).update(supporter_count=7)
    report = check_threads(roundup=roundup)
    assert [problem.kind for problem in report.problems] == ["supporter_count"]
    assert "supporter_count is 7 but 2 reader(s)" in report.problems[0].message
    assert check_threads(roundup=other.comment.roundup).ok  # another roundup's thread
    with pytest.raises(CommandError):
        call_command("check_threads", stdout=StringIO())
    out = StringIO()
    call_command("check_threads", "--repair", stdout=out)
    assert f"paper suggestion {first.pk}: supporter_count 7 -> 2" in out.getvalue()
    assert "Checked again: OK." in out.getvalue()
    assert fresh(first).supporter_count == 2


# --- +1 -------------------------------------------------------------------------------------


def test_a_reader_supports_then_takes_it_back_without_js(client, roundup, reader):
    suggestion = suggest(roundup)
    client.force_login(reader)
    url = reverse("papers:support_suggestion", args=[suggestion.pk])
    response = client.post(url, {"next": reverse("papers:suggestions") + "?cursor=x"})
    assert response.status_code == 302 and response["Location"].endswith("?cursor=x")
    assert fresh(suggestion).supporter_count == 2
    html = client.get(reverse("papers:suggestions")).content.decode()
    assert 'aria-pressed="true"' in html
    client.post(url)
    assert fresh(suggestion).supporter_count == 1 and not SuggestionSupport.objects.exists()
    assert 'aria-pressed="false"' in client.get(reverse("papers:suggestions")).content.decode()


def test_support_answers_json_for_the_in_place_button(client, roundup, reader):
    suggestion = suggest(roundup)
    client.force_login(reader)
    url = reverse("papers:support_suggestion", args=[suggestion.pk])
    response = client.post(url, headers={"Accept": "application/json"})
    assert response.json() == {"supported": True, "count": 2}
    own = client.post(
        reverse("papers:support_suggestion", args=[suggest(roundup, author=reader,
                url="https://example.org/mine").pk]),
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert own.status_code == 400 and "you are counted already" in own.json()["error"]


def test_support_rules(roundup, author, draft):
    reader = make_user()
    suggestion = suggest(roundup, author=reader)
    with pytest.raises(InvalidInput, match="counted already"):
        suggestion_support(suggestion=suggestion, user=reader)
    other = make_user()
    assert suggestion_support(suggestion=suggestion, user=other) == (True, 2)
    assert suggestion_support(suggestion=suggestion, user=other) == (False, 1)
    suggestion_take(suggestion=suggestion, by=author, roundup=draft)
    with pytest.raises(InvalidInput, match="already taken"):
        suggestion_support(suggestion=suggestion, user=other)
    assert fresh(suggestion).supporter_count == 1


def test_anonymous_support_goes_to_log_in(client, roundup):
    suggestion = suggest(roundup)
    response = client.post(reverse("papers:support_suggestion", args=[suggestion.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert fresh(suggestion).supporter_count == 1


def test_one_support_row_per_reader_is_a_constraint(roundup):
    from django.db import IntegrityError, transaction

    suggestion, reader = suggest(roundup), make_user()
    SuggestionSupport.objects.create(suggestion=suggestion, user=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        SuggestionSupport.objects.create(suggestion=suggestion, user=reader)


def test_supporters_are_told_when_the_paper_is_taken(
    roundup, author, draft, django_capture_on_commit_callbacks
):
    suggester, supporter = make_user(), make_user()
    suggestion = suggest(roundup, author=suggester)
    suggestion_support(suggestion=suggestion, user=supporter)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_take(suggestion=suggestion, by=author, roundup=draft)
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {suggester.pk, supporter.pk}


def test_supporters_hear_when_the_roundup_with_their_paper_is_published(
    roundup, author, draft, django_capture_on_commit_callbacks
):
    from roundups.services import roundup_publish

    suggester, supporter = make_user(), make_user()
    suggestion = suggest(roundup, author=suggester)
    suggestion_support(suggestion=suggestion, user=supporter)
    suggestion_take(suggestion=suggestion, by=author, roundup=draft)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=draft, by=author)
    told = Notification.objects.filter(kind="suggestion", text__contains="is published")
    assert set(told.values_list("user_id", flat=True)) == {suggester.pk, supporter.pk}


def test_the_thread_card_counts_the_readers_who_want_the_paper(client, roundup):
    suggestion = suggest(roundup)
    suggestion_support(suggestion=suggestion, user=make_user())
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert "Paper suggestion · open · suggested by 2 readers" in html


@pytest.mark.parametrize("items", [1, 50])
def test_a_readers_list_costs_the_same_for_1_or_50(client, items, django_assert_num_queries):
    """Intended to prevent an n+1 issue: counts are a column, the reader's +1 a subquery.
    A reader's page: the user, their user and group permissions (one query: is_author), the open
    page with comment, author, roundup and the reader's +1, the header's unread count (4 +
    session)."""
    from django.conf import settings

    roundup = make_roundup()
    for n in range(items):
        suggest(roundup, url=f"https://example.org/{n}")
    reader = make_user("list-reader")
    for suggestion in PaperSuggestion.objects.all()[:2]:
        suggestion_support(suggestion=suggestion, user=reader)
    client.force_login(reader)
    session = 0 if settings.SESSION_ENGINE == "forum.sessions" else 1
    with django_assert_num_queries(4 + session):
        response = client.get(reverse("papers:suggestions"))
    assert response.content.count(b'class="suggestion-item"') == min(items, 25)  # a page
    assert response.content.count(b'aria-pressed="true"') == min(items, 2)


def test_the_suggest_form_points_readers_to_the_open_list(client, roundup, reader):
    client.force_login(reader)
    html = client.get(roundup.get_absolute_url()).content.decode()
    assert f'<a href="{reverse("papers:suggestions")}">+1 the open suggestions</a>' in html


def test_supporters_are_told_in_their_own_words(
    roundup, author, django_capture_on_commit_callbacks
):
    suggester, supporter = make_user(), make_user()
    suggestion = suggest(roundup, author=suggester, title="Adam {0}")
    suggestion_support(suggestion=suggestion, user=supporter)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_decline(suggestion=suggestion, by=author, reason="Done in {week} 3.")
    texts = dict(Notification.objects.values_list("user_id", "text"))
    assert texts == {
        suggester.pk: "author declined your suggestion “Adam {0}”: Done in {week} 3.",
        supporter.pk: "author declined the suggestion “Adam {0}” you supported: Done in {week} 3.",
    }


def test_going_back_a_migration_reopens_merged_and_declined_rows(roundup, author):
    migration = importlib.import_module("papers.migrations.0005_suggestion_decline_merge_support")
    first = suggest(roundup)
    merged = suggest(roundup)
    declined = suggest(roundup, url="https://example.org/other")
    suggestion_decline(suggestion=declined, by=author, reason="No.")
    migration.reopen(django_apps, None)
    rows = PaperSuggestion.objects.filter(pk__in=[first.pk, merged.pk, declined.pk])
    assert set(rows.values_list("status", "merged_into")) == {("open", None)}
