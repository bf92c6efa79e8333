"""The comment write path: every rule, every refusal, and the tree each insert leaves behind."""

import pytest
from django.db import IntegrityError, transaction

from comments.models import Comment, CommentRevision, ModerationAction, ReadMarker, Vote
from comments.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_remove,
    comment_restore,
    read_marker_touch,
    roundup_lock,
    vote_cast,
)
from forum import ratelimit
from forum.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from roundups.models import Roundup
from tests import factories

pytestmark = pytest.mark.django_db


def post(roundup, author, body="A comment.", parent=None):
    return comment_create(
        roundup=roundup, author=author, body=body, parent=parent, enforce_rate_limit=False
    )


def db_state():
    """Everything a refused write could have touched, to compare before and after."""
    return {
        "comments": list(
            Comment.objects.order_by("pk").values_list(
                "pk",
                "parent_id",
                "tree_id",
                "lft",
                "rght",
                "level",
                "text__body",
                "state",
                "score",
                "upvotes",
                "downvotes",
                "edited_at",
            )
        ),  # fmt: skip
        "votes": list(Vote.objects.order_by("pk").values_list("comment_id", "user_id", "value")),
        "revisions": CommentRevision.objects.count(),
        "log": ModerationAction.objects.count(),
        "locked": list(Roundup.objects.order_by("pk").values_list("pk", "comments_locked")),
    }


@pytest.fixture
def unchanged():
    """``with unchanged(): ...`` fails if the block wrote anything."""

    class _Unchanged:
        def __enter__(self):
            self.before = db_state()

        def __exit__(self, *exc):
            assert db_state() == self.before
            return False

    return _Unchanged


@pytest.fixture
def thread(roundup, author, reader, other_reader):
    """A root by ``reader`` with one reply by ``other_reader``."""
    root = post(roundup, reader, "Root comment")
    reply = post(roundup, other_reader, "A reply", parent=root)
    return root, reply


# --- bad input writes nothing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "The comment is empty."),
        ("   \n\t  \r\n ", "The comment is empty."),
        ("\x00\x00", "The comment is empty."),
        ("x" * 10_001, "The comment is 10,001 characters long; the limit is 10,000."),
        (None, "The comment must be text."),
        (42, "The comment must be text."),
    ],
)
def test_bad_body_is_refused(roundup, reader, unchanged, body, message):
    with unchanged(), pytest.raises(InvalidInput) as exc:
        post(roundup, reader, body)
    assert exc.value.status == 400
    assert exc.value.message == message


def test_body_at_the_limit_is_accepted_and_stripped(roundup, reader):
    comment = post(roundup, reader, "  " + "x" * 10_000 + "\r\n")
    assert comment.text.body == "x" * 10_000


def test_body_loses_invisible_control_characters(roundup, reader):
    # Pasted terminal output: the escape codes go, the text and its line breaks stay.
    comment = post(roundup, reader, "\x1b[1mbold\x1b[0m\r\nnext\x0b line\x07\x7f\x85")
    comment.refresh_from_db()
    assert comment.text.body == "[1mbold[0m\nnext line"


def test_a_body_of_control_characters_alone_is_empty(roundup, reader, unchanged):
    with unchanged(), pytest.raises(InvalidInput, match="The comment is empty."):
        post(roundup, reader, "\x01\x1b\x08 \ufffe")


def test_moderation_reasons_are_one_clean_line(thread, moderator):
    root, _ = thread
    comment_remove(comment=root, by=moderator, reason="  spam\x1b[0m\r\n  again\x00 ")
    assert ModerationAction.objects.get(comment=root).reason == "spam[0m   again"


def test_body_is_rendered_and_sanitized_once(roundup, reader):
    comment = post(roundup, reader, "**bold** <script>alert(1)</script>")
    comment.refresh_from_db()
    assert "<strong>bold</strong>" in comment.text.body_html
    assert "<script>" not in comment.text.body_html


def test_parent_from_another_roundup(roundup, author, reader, unchanged):
    other = factories.make_roundup(author=author)
    foreign = post(other, reader)
    with unchanged(), pytest.raises(InvalidInput, match="belongs to another roundup"):
        post(roundup, reader, parent=foreign)


@pytest.mark.parametrize("parent", [999_999, "999999", "abc", True, [], 10**30])
def test_parent_that_does_not_exist(roundup, reader, unchanged, parent):
    with unchanged(), pytest.raises(InvalidInput) as exc:
        post(roundup, reader, parent=parent)
    assert exc.value.message == "The comment you are replying to does not exist."


def test_parent_given_by_id(thread, roundup, reader):
    root, _ = thread
    reply = post(roundup, reader, parent=str(root.pk))
    assert reply.parent_id == root.pk


def test_removed_or_deleted_parent(thread, roundup, reader, other_reader, moderator, unchanged):
    root, reply = thread
    comment_remove(comment=root, by=moderator, reason="off topic")
    comment_delete(comment=reply, by=other_reader)
    with unchanged():
        with pytest.raises(InvalidInput, match="removed by a moderator"):
            post(roundup, reader, parent=root)
        with pytest.raises(InvalidInput, match="was deleted"):
            post(roundup, reader, parent=reply)


def test_stale_parent_copy_is_checked_again_under_the_lock(thread, roundup, reader, moderator):
    root, _ = thread
    stale = Comment.objects.get(pk=root.pk)
    comment_remove(comment=root, by=moderator, reason="spam")
    with pytest.raises(InvalidInput, match="removed by a moderator"):
        post(roundup, reader, parent=stale)


def test_locked_roundup_refuses_comments_and_votes(thread, roundup, reader, moderator, unchanged):
    root, reply = thread
    roundup_lock(roundup=roundup, by=moderator, reason="heated")
    with unchanged():
        with pytest.raises(NotAllowed, match="locked") as exc:
            post(roundup, reader)
        assert exc.value.status == 403
        with pytest.raises(NotAllowed, match="locked"):
            post(roundup, reader, parent=root)
        with pytest.raises(NotAllowed, match="locked"):
            vote_cast(comment=reply, user=reader, value=1)


def test_moderator_may_still_post_in_a_locked_thread(roundup, moderator):
    roundup_lock(roundup=roundup, by=moderator, reason="cooling off")
    note = post(roundup, moderator, "Locked for a day; please read the rules.")
    assert note.pk


def test_draft_refuses_comments_and_votes(author, reader, other_reader, unchanged):
    draft = factories.make_roundup(author=author, published=False)
    # A comment that exists from before the roundup went back to draft.
    comment = factories.make_comment(roundup=draft, author=other_reader, body="x")
    with unchanged():
        with pytest.raises(NotFound, match="No such roundup") as exc:
            post(draft, reader)
        assert exc.value.status == 404
        with pytest.raises(NotFound):
            vote_cast(comment=comment, user=reader, value=1)


def test_anonymous_and_inactive_users_are_refused(roundup, reader, unchanged):
    from django.contrib.auth.models import AnonymousUser

    with unchanged():
        with pytest.raises(NotAllowed, match="Log in"):
            post(roundup, AnonymousUser())
        reader.is_active = False
        with pytest.raises(NotAllowed, match="disabled"):
            post(roundup, reader)


# --- rate limit --------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Holds the rate limiter's clock still (at the start of a window) until moved."""
    now = {"t": 1_800_000_000.0 - 1_800_000_000.0 % 60}
    monkeypatch.setattr(ratelimit, "clock", lambda: now["t"])
    return now


def test_eleventh_comment_in_a_minute_is_rate_limited(roundup, reader, clock, unchanged):
    for n in range(10):
        comment_create(roundup=roundup, author=reader, body=f"comment {n}")
    with unchanged(), pytest.raises(RateLimited) as exc:
        comment_create(roundup=roundup, author=reader, body="one too many")
    assert exc.value.status == 429
    assert exc.value.message == (
        "You are posting too fast: at most 10 comments every 60 seconds. "
        "Wait a minute and try again."
    )


def test_rate_limit_is_per_user(roundup, reader, other_reader, clock):
    for n in range(10):
        comment_create(roundup=roundup, author=reader, body=f"comment {n}")
    assert comment_create(roundup=roundup, author=other_reader, body="mine").pk


def test_rate_limit_slides_instead_of_resetting_at_a_window_boundary(roundup, reader, clock):
    for n in range(10):
        comment_create(roundup=roundup, author=reader, body=f"comment {n}")
    # Just past the boundary, the previous window's ten still count almost fully.
    clock["t"] += 61
    with pytest.raises(RateLimited):
        comment_create(roundup=roundup, author=reader, body="too soon")
    # Half-way through the next window, half of them have slid out.
    clock["t"] += 29
    for n in range(5):
        comment_create(roundup=roundup, author=reader, body=f"later {n}")
    with pytest.raises(RateLimited):
        comment_create(roundup=roundup, author=reader, body="still too many")
    # Two windows later everything has slid out.
    clock["t"] += 120
    assert comment_create(roundup=roundup, author=reader, body="fine again").pk


def test_rate_limit_comes_from_settings(roundup, reader, clock, settings):
    settings.COMMENT_RATE_LIMIT = 2
    settings.COMMENT_RATE_WINDOW = 300
    comment_create(roundup=roundup, author=reader, body="one")
    comment_create(roundup=roundup, author=reader, body="two")
    with pytest.raises(RateLimited, match="at most 2 comments every 300 seconds"):
        comment_create(roundup=roundup, author=reader, body="three")


def test_refused_posts_do_not_use_up_the_limit(thread, roundup, reader, moderator, clock):
    root, _ = thread
    comment_remove(comment=root, by=moderator, reason="spam")
    for _ in range(20):
        with pytest.raises(InvalidInput):
            comment_create(roundup=roundup, author=reader, body="reply", parent=root)
    for n in range(10):
        comment_create(roundup=roundup, author=reader, body=f"comment {n}")
    with pytest.raises(RateLimited):
        comment_create(roundup=roundup, author=reader, body="eleven")


def test_rate_limit_can_be_skipped_by_trusted_callers(roundup, reader, clock):
    for n in range(15):
        post(roundup, reader, f"demo {n}")
    assert Comment.objects.filter(author=reader).count() == 15


# --- votes ----------------------------------------------------------------------------------------


def counts(comment):
    comment.refresh_from_db()
    return comment.score, comment.upvotes, comment.downvotes


def approval(result):
    """The approval axis of a VoteResult: score, up and down votes, and the vote cast."""
    return result.score, result.upvotes, result.downvotes, result.value


def test_vote_up_down_switch_and_take_back(thread, reader, author, moderator):
    _, reply = thread
    assert approval(vote_cast(comment=reply, user=reader, value=1)) == (1, 1, 0, 1)
    assert approval(vote_cast(comment=reply, user=author, value=1)) == (2, 2, 0, 1)
    assert approval(vote_cast(comment=reply, user=moderator, value=-1)) == (1, 2, 1, -1)
    # Switching moves the vote from one counter to the other.
    assert approval(vote_cast(comment=reply, user=reader, value=-1)) == (-1, 1, 2, -1)
    # Voting the same way again changes nothing.
    assert approval(vote_cast(comment=reply, user=reader, value=-1)) == (-1, 1, 2, -1)
    # Taking a vote back removes its row.
    assert approval(vote_cast(comment=reply, user=author, value=0)) == (-2, 0, 2, 0)
    assert approval(vote_cast(comment=reply, user=author, value=0)) == (-2, 0, 2, 0)
    assert counts(reply) == (-2, 0, 2)
    assert sorted(Vote.objects.filter(comment=reply).values_list("user__username", "value")) == [
        ("moderator", -1),
        ("reader", -1),
    ]


@pytest.mark.parametrize("value", [True, False, "1", 2, -2, None, 1.0, "up", [1]])
def test_vote_value_must_be_up_down_or_none(thread, reader, unchanged, value):
    _, reply = thread
    with unchanged(), pytest.raises(InvalidInput) as exc:
        vote_cast(comment=reply, user=reader, value=value)
    assert exc.value.message == "A vote is 1 (up), -1 (down) or 0 (take it back)."


def test_no_vote_on_own_comment(thread, other_reader, unchanged):
    _, reply = thread
    with unchanged(), pytest.raises(NotAllowed, match="your own comment") as exc:
        vote_cast(comment=reply, user=other_reader, value=1)
    assert exc.value.status == 403


def test_no_vote_on_deleted_or_removed_comment(thread, reader, other_reader, moderator, unchanged):
    root, reply = thread
    comment_delete(comment=reply, by=other_reader)
    comment_remove(comment=root, by=moderator, reason="rude")
    with unchanged():
        for target in (root, reply):
            with pytest.raises(InvalidInput, match="deleted or removed"):
                vote_cast(comment=target, user=moderator if target is reply else other_reader,
                          value=1)  # fmt: skip


def test_one_vote_per_user_is_enforced_by_the_database(thread, reader):
    _, reply = thread
    factories.make_vote(comment=reply, user=reader, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_vote(comment=reply, user=reader, value=-1)


# --- edit ---------------------------------------------------------------------------------------


def test_author_edit_keeps_a_revision(thread, reader):
    root, _ = thread
    comment_edit(comment=root, by=reader, body="Root comment, *fixed*")
    root.refresh_from_db()
    assert root.text.body == "Root comment, *fixed*"
    assert "<em>fixed</em>" in root.text.body_html
    assert root.edited_by == reader and root.edited_at is not None
    [revision] = root.revisions.all()
    assert (revision.body, revision.edited_by, revision.reason) == ("Root comment", reader, "")
    # An author's own edit is not a moderator action.
    assert not ModerationAction.objects.exists()


def test_two_edits_keep_both_old_texts(thread, reader):
    root, _ = thread
    stale = Comment.objects.get(pk=root.pk)
    comment_edit(comment=root, by=reader, body="second")
    # Edited from a copy read before the first edit: the revision still holds "second".
    comment_edit(comment=stale, by=reader, body="third")
    assert list(root.revisions.order_by("pk").values_list("body", flat=True)) == [
        "Root comment",
        "second",
    ]


def test_edit_with_same_text_writes_nothing(thread, reader, unchanged):
    root, _ = thread
    with unchanged():
        comment_edit(comment=root, by=reader, body="  Root comment  ")


def test_moderator_edit_needs_a_reason_and_is_logged(thread, reader, moderator, unchanged):
    root, _ = thread
    with unchanged(), pytest.raises(InvalidInput, match="Give a reason"):
        comment_edit(comment=root, by=moderator, body="Tidied", reason="   ")
    comment_edit(comment=root, by=moderator, body="Tidied", reason="removed a phone number")
    root.refresh_from_db()
    assert root.edited_by == moderator
    assert root.revisions.get().reason == "removed a phone number"
    action = ModerationAction.objects.get()
    assert (action.action, action.moderator, action.comment, action.user, action.reason) == (
        "edit", moderator, root, reader, "removed a phone number"
    )  # fmt: skip


def test_non_moderator_cannot_edit_someone_elses_comment(thread, other_reader, unchanged):
    root, _ = thread
    with unchanged(), pytest.raises(NotAllowed) as exc:
        comment_edit(comment=root, by=other_reader, body="hijacked")
    assert exc.value.status == 403
    assert exc.value.message == "You can only edit your own comments."


def test_edit_refused_for_deleted_comment_and_bad_body(thread, reader, other_reader, unchanged):
    root, reply = thread
    comment_delete(comment=reply, by=other_reader)
    with unchanged():
        with pytest.raises(InvalidInput, match="can no longer be edited"):
            comment_edit(comment=reply, by=other_reader, body="back")
        with pytest.raises(InvalidInput, match="empty"):
            comment_edit(comment=root, by=reader, body="  ")
        with pytest.raises(InvalidInput, match="reason is too long"):
            comment_edit(comment=root, by=reader, body="new", reason="x" * 501)


# --- delete, remove, restore ----------------------------------------------------------------


def test_author_deletes_own_comment_and_nothing_is_erased(thread, reader, other_reader, unchanged):
    root, reply = thread
    with unchanged(), pytest.raises(NotAllowed, match="your own comments"):
        comment_delete(comment=reply, by=reader)
    comment_delete(comment=root, by=reader)
    root.refresh_from_db()
    assert root.state == Comment.State.DELETED
    assert root.text.body == "Root comment"
    assert Comment.objects.count() == 2
    with pytest.raises(InvalidInput, match="already deleted"):
        comment_delete(comment=root, by=reader)


def test_remove_and_restore_are_logged(thread, reader, moderator):
    root, reply = thread
    comment_remove(comment=root, by=moderator, reason="personal attack")
    root.refresh_from_db()
    assert root.state == Comment.State.REMOVED
    assert Comment.objects.get(pk=reply.pk).parent_id == root.pk  # replies stay in place
    with pytest.raises(InvalidInput, match="already gone"):
        comment_remove(comment=root, by=moderator, reason="again")
    comment_restore(comment=root, by=moderator, reason="appeal accepted")
    root.refresh_from_db()
    assert root.state == Comment.State.VISIBLE
    assert list(ModerationAction.objects.order_by("pk").values_list("action", "reason")) == [
        ("remove", "personal attack"),
        ("restore", "appeal accepted"),
    ]
    with pytest.raises(InvalidInput, match="Only a removed comment"):
        comment_restore(comment=root, by=moderator, reason="again")


def test_non_moderator_cannot_remove_or_restore(thread, reader, other_reader, unchanged):
    root, _ = thread
    with unchanged():
        with pytest.raises(NotAllowed) as exc:
            comment_remove(comment=root, by=other_reader, reason="I disagree")
        assert exc.value.status == 403
        # Not even their own: authors delete, moderators remove.
        with pytest.raises(NotAllowed):
            comment_remove(comment=root, by=reader, reason="mine")
        with pytest.raises(NotAllowed):
            comment_restore(comment=root, by=reader, reason="mine")


def test_moderator_needs_a_reason_to_remove(thread, moderator, unchanged):
    root, _ = thread
    with unchanged(), pytest.raises(InvalidInput, match="Give a reason"):
        comment_remove(comment=root, by=moderator, reason="")


def test_an_authors_deletion_cannot_be_undone_by_remove_then_restore(
    thread, reader, moderator, unchanged
):
    root, _ = thread
    comment_delete(comment=root, by=reader)
    with unchanged(), pytest.raises(InvalidInput):
        comment_remove(comment=root, by=moderator, reason="tidy")


def test_delete_from_a_stale_copy_cannot_overwrite_a_removal(thread, reader, moderator):
    root, _ = thread
    stale = Comment.objects.get(pk=root.pk)
    comment_remove(comment=root, by=moderator, reason="spam")
    with pytest.raises(InvalidInput):
        comment_delete(comment=stale, by=reader)
    assert Comment.objects.get(pk=root.pk).state == Comment.State.REMOVED


# --- lock ----------------------------------------------------------------------------------------


def test_lock_and_unlock_are_logged(roundup, author, moderator, reader, unchanged):
    with unchanged():
        with pytest.raises(NotAllowed):
            roundup_lock(roundup=roundup, by=reader, reason="stop")
        with pytest.raises(InvalidInput, match="Give a reason"):
            roundup_lock(roundup=roundup, by=moderator, reason="")
        with pytest.raises(InvalidInput, match="already unlocked"):
            roundup_lock(roundup=roundup, by=moderator, reason="x", locked=False)
    roundup_lock(roundup=roundup, by=moderator, reason="flame war")
    assert Roundup.objects.get(pk=roundup.pk).comments_locked
    with pytest.raises(InvalidInput, match="already locked"):
        roundup_lock(roundup=roundup, by=moderator, reason="again")
    roundup_lock(roundup=roundup, by=moderator, reason="calm again", locked=False)
    assert not Roundup.objects.get(pk=roundup.pk).comments_locked
    log = ModerationAction.objects.order_by("pk")
    rows = log.values_list("action", "roundup", "user", "reason")
    assert list(rows) == [
        ("lock", roundup.pk, author.pk, "flame war"),
        ("unlock", roundup.pk, author.pk, "calm again"),
    ]


# --- read markers -------------------------------------------------------------------------------


def test_read_marker_is_created_then_moved(roundup, reader):
    from datetime import timedelta

    from django.utils import timezone

    first = timezone.now() - timedelta(hours=1)
    read_marker_touch(user=reader, roundup=roundup, seen_at=first)
    read_marker_touch(user=reader, roundup=roundup)
    marker = ReadMarker.objects.get()
    assert marker.last_seen_at > first


# --- tree shape ----------------------------------------------------------------------------------


def tree_table(names):
    """(name, parent name, tree, lft, rght, level) per comment, trees numbered from 1 in order."""
    by_pk = {c.pk: name for name, c in names.items()}
    rows = list(
        Comment.objects.filter(pk__in=by_pk)
        .order_by("tree_id", "lft")
        .values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )
    trees = {tree_id: n for n, tree_id in enumerate(dict.fromkeys(r[2] for r in rows), start=1)}
    return [
        (by_pk[pk], by_pk.get(parent_id, "-"), trees[tree_id], lft, rght, level)
        for pk, parent_id, tree_id, lft, rght, level in rows
    ]


def test_tree_shape_after_inserts(roundup, reader, other_reader):
    c = {}
    c["a"] = post(roundup, reader, "a")
    c["b"] = post(roundup, other_reader, "b")
    c["a1"] = post(roundup, other_reader, "a1", parent=c["a"])
    c["a2"] = post(roundup, reader, "a2", parent=c["a"])
    c["a1x"] = post(roundup, reader, "a1x", parent=c["a1"])
    c["b1"] = post(roundup, reader, "b1", parent=c["b"])
    c["a1x1"] = post(roundup, other_reader, "a1x1", parent=c["a1x"])
    c["a3"] = post(roundup, other_reader, "a3", parent=c["a"])
    # A reply goes last among its siblings and shifts only its own tree: "b" keeps 1..4.
    #
    #   name    parent  tree  lft  rght  level
    expected = [
        ("a",    "-",    1,    1,   12,   0),
        ("a1",   "a",    1,    2,    7,   1),
        ("a1x",  "a1",   1,    3,    6,   2),
        ("a1x1", "a1x",  1,    4,    5,   3),
        ("a2",   "a",    1,    8,    9,   1),
        ("a3",   "a",    1,   10,   11,   1),
        ("b",    "-",    2,    1,    4,   0),
        ("b1",   "b",    2,    2,    3,   1),
    ]  # fmt: skip
    assert tree_table(c) == expected

    # Step 2: a second reply to "a1" lands after "a1x"'s subtree; everything right of it in
    # tree 1 moves by 2, tree 2 does not move.
    c["a1y"] = post(roundup, reader, "a1y", parent=c["a1"])
    #   name    parent  tree  lft  rght  level
    expected = [
        ("a",    "-",    1,    1,   14,   0),
        ("a1",   "a",    1,    2,    9,   1),
        ("a1x",  "a1",   1,    3,    6,   2),
        ("a1x1", "a1x",  1,    4,    5,   3),
        ("a1y",  "a1",   1,    7,    8,   2),
        ("a2",   "a",    1,   10,   11,   1),
        ("a3",   "a",    1,   12,   13,   1),
        ("b",    "-",    2,    1,    4,   0),
        ("b1",   "b",    2,    2,    3,   1),
    ]  # fmt: skip
    assert tree_table(c) == expected


def test_every_root_is_its_own_tree(roundup, author, reader):
    other = factories.make_roundup(author=author)
    roots = [post(roundup, reader, "one"), post(other, reader, "two"), post(roundup, reader, "3")]
    tree_ids = [r.tree_id for r in roots]
    assert len(set(tree_ids)) == 3
    assert all((r.lft, r.rght, r.level) == (1, 2, 0) for r in roots)


def test_every_write_that_can_reorder_a_thread_moves_its_version(
    roundup, reader, other_reader, moderator
):
    """``Roundup.thread_version``, under which a first part keeps its ranking (comments/thread/
    parts.py): moved by posts at any level, votes on both axes, deletes, removals and restores;
    not by an edit (no sort reads the text) nor by a vote cast again unchanged."""

    def version():
        return Roundup.objects.values_list("thread_version", flat=True).get(pk=roundup.pk)

    steps = []
    root = post(roundup, reader, "root")
    steps.append(version())
    reply = post(roundup, other_reader, "reply", parent=root)
    steps.append(version())
    vote_cast(comment=root, user=other_reader, value=1)
    steps.append(version())
    vote_cast(comment=root, user=other_reader, value=1)  # the same vote: nothing changes
    steps.append(version())
    vote_cast(comment=root, user=other_reader, value=-1, axis="agreement")
    steps.append(version())
    comment_edit(comment=reply, by=other_reader, body="reply, edited")
    steps.append(version())
    comment_remove(comment=reply, by=moderator, reason="Off topic.")
    steps.append(version())
    comment_restore(comment=reply, by=moderator, reason="On topic after all.")
    steps.append(version())
    comment_delete(comment=reply, by=other_reader)
    steps.append(version())
    assert steps == [1, 2, 3, 3, 4, 4, 5, 6, 7]


def test_a_roundup_saved_from_a_stale_copy_keeps_its_thread_version(roundup, reader):
    """The version only ever moves forward: a save() of a copy read before a post leaves it
    alone (a version moved back could meet a ranking kept for another state of the thread)."""
    stale = Roundup.objects.get(pk=roundup.pk)
    post(roundup, reader)
    stale.title = "Retitled"
    stale.save()
    assert Roundup.objects.values_list("thread_version", flat=True).get(pk=roundup.pk) == 1
