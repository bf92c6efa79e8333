"""Who hears about a new comment, a moderator's action, a publish and a taken suggestion."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from comments import services as comment_services
from comments.models import Comment
from forum.errors import InvalidInput, NotAllowed, NotFound
from notifications import fanout, services
from notifications.models import Follow, MutedSubthread, Notification
from papers import services as paper_services
from roundups import services as roundup_services
from tests import factories

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def kinds(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_reply_tells_the_parents_author(post, roundup, reader, other_reader):
    parent = post(roundup=roundup, author=reader, body="First.")
    reply = post(roundup=roundup, author=other_reader, body="Second.", parent=parent)
    note = Notification.objects.get(user=reader)
    assert (note.kind, note.actor, note.roundup, note.comment) == (
        Kind.REPLY, other_reader, roundup, reply,
    )  # fmt: skip
    assert note.text == f"reader2 replied to your comment on “{roundup.title}”"
    assert note.read_at is None


def test_never_the_actor(post, roundup, reader):
    parent = post(roundup=roundup, author=reader, body="First.")
    post(roundup=roundup, author=reader, body="Talking to myself, @reader.", parent=parent)
    assert kinds(reader) == []


def test_posting_follows_and_followers_hear_of_new_comments(post, roundup, reader, other_reader):
    post(roundup=roundup, author=reader, body="First.")
    assert Follow.objects.get(user=reader, roundup=roundup).level == Follow.Level.WATCHING
    post(roundup=roundup, author=other_reader, body="A new root.")
    assert kinds(reader) == [Kind.FOLLOW]
    assert Notification.objects.get(user=reader).text == (f"reader2 commented on “{roundup.title}”")


def test_one_notification_per_post_and_reader_of_the_most_specific_kind(
    post, roundup, reader, other_reader
):
    parent = post(roundup=roundup, author=reader, body="I follow this thread now.")
    # A reply to reader that mentions reader, in a thread reader follows: one reply.
    post(roundup=roundup, author=other_reader, body="Yes @reader.", parent=parent)
    assert kinds(reader) == [Kind.REPLY]
    # Mention beats follow.
    post(roundup=roundup, author=other_reader, body="And @READER again.")
    assert sorted(kinds(reader)) == [Kind.MENTION, Kind.REPLY]


def test_a_mention_tells_the_user_and_links_to_their_profile(post, roundup, reader, other_reader):
    comment = post(roundup=roundup, author=other_reader, body="Ask @Reader or @nobody.")
    assert kinds(reader) == [Kind.MENTION]
    html = comment.text.body_html
    assert '<a href="/users/reader/" rel="nofollow ugc noopener">@Reader</a>' in html
    assert "@nobody" in html and "/users/nobody/" not in html


def test_mentions_in_code_are_plain_text(post, roundup, reader, other_reader):
    comment = post(roundup=roundup, author=other_reader, body="`@reader`\n\n    @reader")
    assert "/users/" not in comment.text.body_html
    # The name is in the text, so the rendering's lookup found them: they hear of it.
    assert kinds(reader) == [Kind.MENTION]


def test_rendering_mentions_costs_one_query(
    roundup, reader, other_reader, django_assert_num_queries
):
    with django_assert_num_queries(1):
        html, ids = comment_services.render_body("@reader @reader2 @ghost @reader")
    assert ids == {"reader": reader.pk, "reader2": other_reader.pk}
    assert html.count("<a ") == 3
    with django_assert_num_queries(0):
        comment_services.render_body("no names here")


def test_muting_the_roundup_stops_everything_from_it(post, roundup, reader, other_reader):
    parent = post(roundup=roundup, author=reader, body="First.")
    services.follow_set(user=reader, roundup=roundup, level=Follow.Level.MUTED)
    post(roundup=roundup, author=other_reader, body="Reply @reader.", parent=parent)
    post(roundup=roundup, author=other_reader, body="A root.")
    assert kinds(reader) == []
    # Posting again does not undo the mute.
    post(roundup=roundup, author=reader, body="Still here.")
    assert Follow.objects.get(user=reader, roundup=roundup).level == Follow.Level.MUTED


def test_unfollow_leaves_replies_and_mentions(post, roundup, reader, other_reader):
    parent = post(roundup=roundup, author=reader, body="First.")
    services.follow_set(user=reader, roundup=roundup, level="normal")
    assert not Follow.objects.filter(user=reader).exists()
    post(roundup=roundup, author=other_reader, body="A root.")
    post(roundup=roundup, author=other_reader, body="Reply.", parent=parent)
    assert kinds(reader) == [Kind.REPLY]


def test_muting_a_subthread_stops_replies_below_it(post, roundup, reader, other_reader):
    #  root (reader)                muted by reader
    #  └── a (reader2)              reply to reader: not told
    #      └── b (reader)
    #          └── c (reader2)      reply to reader, below the mute: not told
    #  other (reader)
    #  └── d (reader2)              another tree: told
    root = post(roundup=roundup, author=reader, body="Root.")
    other = post(roundup=roundup, author=reader, body="Other root.")
    Notification.objects.all().delete()
    services.subthread_mute(user=reader, comment=root)
    a = post(roundup=roundup, author=other_reader, body="a", parent=root)
    b = post(roundup=roundup, author=reader, body="b", parent=a)
    post(roundup=roundup, author=other_reader, body="c", parent=b)
    post(roundup=roundup, author=other_reader, body="d", parent=other)
    notes = Notification.objects.filter(user=reader)
    assert [n.comment.text.body for n in notes] == ["d"]
    services.subthread_mute(user=reader, comment=root, muted=False)
    assert not MutedSubthread.objects.exists()


def test_no_notification_about_a_draft(author, reader):
    # The services refuse comments on drafts; a comment left from before an unpublish is the
    # case that remains, so the receiver checks on its own.
    draft = factories.make_roundup(author=author, published=False, entries=1)
    parent = factories.make_comment(roundup=draft, author=reader)
    reply = factories.make_comment(roundup=draft, author=author, parent=parent, body="@reader")
    assert fanout.fan_out(reply.pk, [reader.pk]) == []
    assert kinds(reader) == []


def test_a_comment_no_reader_can_see_enqueues_nothing_but_its_poster_follows(author, reader):
    from django_tasks_db.models import DBTaskResult

    draft = factories.make_roundup(author=author, published=False, entries=1)
    comment = factories.make_comment(roundup=draft, author=reader)
    DBTaskResult.objects.all().delete()
    Follow.objects.all().delete()  # whatever posting it did: the receiver alone from here
    with transaction.atomic():
        services.on_comment_posted(comment=comment, mentioned_ids=[author.pk])
    assert Follow.objects.filter(user=reader, roundup=draft).exists()
    assert not DBTaskResult.objects.exists()


def test_a_rolled_back_post_tells_nobody(
    roundup, reader, other_reader, django_capture_on_commit_callbacks, run_tasks
):
    parent = factories.make_comment(roundup=roundup, author=reader)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            comment_services.comment_create(
                roundup=roundup, author=other_reader, body="@reader hi", parent=parent,
                enforce_rate_limit=False,
            )  # fmt: skip
            raise RuntimeError("the request failed after the write")
    assert run_tasks() == 0  # the fan-out task rolled back with the post
    assert not Notification.objects.exists()
    assert not Follow.objects.exists()


def test_a_failing_receiver_does_not_fail_the_writer(post, roundup, reader, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr("comments.hooks.comment_posted", [broken])
    comment = post(roundup=roundup, author=reader, body="Still posted.")
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_reply_whose_notification_cannot_be_recorded_is_not_posted(
    post, roundup, reader, monkeypatch
):
    """The notification work is part of the write (forum.hooks.part_of_the_write): were its
    row not written, the reply fails whole instead of posting with its notifications lost."""
    parent = post(roundup=roundup, author=reader, body="Root.")

    def database_down(*args, **kwargs):
        raise DatabaseError("the task row could not be written")

    monkeypatch.setattr(services, "enqueue_with_write", database_down)
    with pytest.raises(DatabaseError):
        post(roundup=roundup, author=factories.make_user(), body="Lost?", parent=parent)
    assert Comment.objects.count() == 1  # the root alone


def test_the_hook_adds_no_savepoint_to_a_reply(roundup, reader, other_reader):
    """Fired as the comment services fire it: the notification receiver's statements alone,
    no SAVEPOINT/RELEASE around them (two round trips per reply on PostgreSQL)."""
    from comments import hooks as comment_hooks
    from forum.hooks import fire

    parent = factories.make_comment(roundup=roundup, author=reader)
    reply = factories.make_comment(roundup=roundup, author=other_reader, parent=parent)
    with CaptureQueriesContext(connection) as queries:  # in the test's transaction
        fire(comment_hooks.comment_posted, comment=reply, mentioned_ids=[])
    statements = [q["sql"].upper() for q in queries.captured_queries]
    assert not [s for s in statements if "SAVEPOINT" in s and "INSERT" not in s]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)


def test_the_request_does_a_fixed_minimum(roundup, reader, other_reader, django_assert_num_queries):
    parent = factories.make_comment(roundup=roundup, author=reader)
    followers = [factories.make_user() for _ in range(20)]
    Follow.objects.bulk_create(
        Follow(user=u, roundup=roundup, level=Follow.Level.WATCHING) for u in followers
    )
    reply = factories.make_comment(roundup=roundup, author=other_reader, parent=parent)
    # In the post's transaction: the poster follows (an INSERT that ignores a conflict) and the
    # fan-out task is enqueued with the write (an INSERT): on PostgreSQL one statement (the
    # follow a WITH clause of the task's INSERT), two on SQLite. Nothing grows with the followers.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        services.on_comment_posted(comment=reply, mentioned_ids=[reader.pk])
    assert Follow.objects.filter(user=other_reader, roundup=roundup).exists()
    assert not Notification.objects.exists()  # the worker's job


def test_the_fan_out_costs_a_fixed_number_of_queries(
    post, roundup, reader, django_assert_num_queries
):
    parent = post(roundup=roundup, author=reader, body="Root.")
    followers = [factories.make_user() for _ in range(20)]
    Follow.objects.bulk_create(
        Follow(user=u, roundup=roundup, level=Follow.Level.WATCHING) for u in followers
    )
    poster = followers[0]
    reply = factories.make_comment(roundup=roundup, author=poster, parent=parent)
    # Intended to prevent a query per follower: the comment (roundup, author and parent joined),
    # the levels, the mutes, one INSERT, and the new rows' ids (for their mail).
    with django_assert_num_queries(5):
        ids = fanout.fan_out(reply.pk, [])
    assert Notification.objects.filter(comment=reply).count() == 20  # reader + 19 followers
    assert sorted(ids) == sorted(
        Notification.objects.filter(comment=reply).values_list("pk", flat=True)
    )


def test_a_retried_fan_out_creates_nothing_twice(roundup, reader, other_reader):
    parent = factories.make_comment(roundup=roundup, author=reader)
    reply = factories.make_comment(roundup=roundup, author=other_reader, parent=parent)
    fanout.fan_out(reply.pk, [])
    fanout.fan_out(reply.pk, [])
    assert kinds(reader) == [Kind.REPLY]


def test_a_moderators_edit_and_removal_tell_the_author_with_the_reason(
    roundup, reader, moderator, django_capture_on_commit_callbacks
):
    comment = factories.make_comment(roundup=roundup, author=reader, body="Rude words.")
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.comment_edit(
            comment=comment, by=moderator, body="Words.", reason="Civility"
        )
        comment_services.comment_remove(comment=comment, by=moderator, reason="Off topic")
    texts = list(
        Notification.objects.filter(user=reader).order_by("id").values_list("kind", "text")
    )
    assert texts == [
        (Kind.MODERATION, f"A moderator edited your comment on “{roundup.title}”: Civility"),
        (Kind.MODERATION, f"A moderator removed your comment on “{roundup.title}”: Off topic"),
    ]


def test_an_authors_own_edit_tells_nobody(roundup, reader, django_capture_on_commit_callbacks):
    comment = factories.make_comment(roundup=roundup, author=reader)
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.comment_edit(comment=comment, by=reader, body="Better.")
    assert not Notification.objects.exists()


def test_a_removed_comments_replies_tell_nobody(post, roundup, reader, other_reader):
    comment = factories.make_comment(
        roundup=roundup, author=other_reader, state=Comment.State.REMOVED, body="@reader"
    )
    assert fanout.fan_out(comment.pk, [reader.pk]) == []
    assert not Notification.objects.exists()


def test_the_author_follows_on_publish(author, django_capture_on_commit_callbacks):
    draft = factories.make_roundup(author=author, published=False, entries=1)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_services.roundup_publish(roundup=draft, by=author)
    assert Follow.objects.get(user=author, roundup=draft).level == Follow.Level.WATCHING


def test_suggestion_taken_then_published(
    roundup, author, reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = paper_services.suggestion_create(
            roundup=roundup, author=reader, title="Attention", url="https://arxiv.org/abs/1706.03762",
            blurb="A classic.",
        )  # fmt: skip
    Notification.objects.all().delete()
    draft = factories.make_roundup(author=author, published=False, entries=1, title="Next week")
    with django_capture_on_commit_callbacks(execute=True):
        paper_services.suggestion_take(suggestion=suggestion, by=author, roundup=draft)
    note = Notification.objects.get(user=reader)
    assert (note.kind, note.roundup, note.actor) == (Kind.SUGGESTION, None, author)
    assert note.text == "author took your suggestion “Attention” into an upcoming roundup"
    with django_capture_on_commit_callbacks(execute=True):
        roundup_services.roundup_publish(roundup=draft, by=author)
    note = Notification.objects.filter(user=reader).latest("id")
    assert (note.kind, note.roundup) == (Kind.SUGGESTION, draft)
    assert note.text == "“Next week”, with a paper you suggested, is published"


def test_follow_refusals(roundup, author, reader):
    with pytest.raises(NotAllowed):
        services.follow_set(user=None, roundup=roundup, level="watching")
    with pytest.raises(InvalidInput):
        services.follow_set(user=reader, roundup=roundup, level="loud")
    draft = factories.make_roundup(author=author, published=False)
    with pytest.raises(NotFound):
        services.follow_set(user=reader, roundup=draft, level="watching")
    assert not Follow.objects.exists()


def test_mark_read_by_ids_touches_only_the_readers_own(roundup, reader, other_reader):
    mine = Notification.objects.create(user=reader, kind=Kind.FOLLOW, text="x")
    theirs = Notification.objects.create(user=other_reader, kind=Kind.FOLLOW, text="y")
    assert services.mark_read(user=reader, ids=[mine.pk, theirs.pk]) == 1
    assert services.mark_read(user=reader, ids=[mine.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    for bad in ([], ["1"], [True], [-1], list(range(1, 502)), "1"):
        with pytest.raises(InvalidInput):
            services.mark_read(user=reader, ids=bad)
