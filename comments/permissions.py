"""Who may do what to a comment or a thread: the one answer for render, views, API and services.

``Actor`` is a user's standing worked out once (signed in? moderator? is the thread locked?), so
the thread's markup asks per comment only about the comment's own facts (its author and state).
The module-level functions answer for one user and one comment, for views and services.
Services still raise their own refusals with the messages a reader sees; these say yes or no.

A "comment" here is anything with ``author_id`` and ``state``: a Comment or a thread row.
"""

from dataclasses import dataclass

from accounts.roles import is_moderator

VISIBLE = "visible"
DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Actor:
    """A user's standing on one thread."""

    id: int | None  # None for an anonymous reader
    is_moderator: bool
    locked: bool  # the thread is locked to readers (moderators still act)

    @classmethod
    def of(cls, user, *, locked: bool = False) -> "Actor":
        signed_in = user is not None and user.is_authenticated
        return cls(
            id=user.pk if signed_in else None,
            is_moderator=bool(signed_in and is_moderator(user)),
            locked=bool(locked),
        )

    def may_comment(self) -> bool:
        """Post a comment or reply on the page (the page offers no form on a locked thread)."""
        return self.id is not None and not self.locked

    def may_vote(self, comment) -> bool:
        """Vote on someone else's visible comment in an open thread."""
        return (
            self.id is not None
            and not self.locked
            and comment.author_id != self.id
            and comment.state == VISIBLE
        )

    def may_edit(self, comment, *, thread_lock: bool = True) -> bool:
        """Authors edit their own visible comments; moderators any comment not deleted.

        ``thread_lock=False`` leaves the lock out (services check the lock on their own).
        """
        if self.id is None or comment.state == DELETED:
            return False
        if self.is_moderator:
            return True
        if thread_lock and self.locked:
            return False
        return comment.author_id == self.id and comment.state == VISIBLE

    def may_delete(self, comment) -> bool:
        """Only the author deletes, and only while the comment shows."""
        return self.id is not None and comment.author_id == self.id and comment.state == VISIBLE

    def may_read_history(self, comment) -> bool:
        """A comment's earlier texts: its author and moderators; anyone, once a moderator has
        edited it (moderation in the open: ``comment.edited_by_id`` is not its author)."""
        if self.id is not None and (self.is_moderator or comment.author_id == self.id):
            return True
        return moderator_edited(comment)

    def may_moderate(self) -> bool:
        """Remove, restore, edit anyone's comment with a reason, lock threads."""
        return self.is_moderator


def moderator_edited(comment) -> bool:
    """A visible comment whose last edit was someone else's: a moderator's, public."""
    edited_by = getattr(comment, "edited_by_id", None)
    return comment.state == VISIBLE and edited_by is not None and edited_by != comment.author_id


def may_edit(user, comment) -> bool:
    """Whether ``user`` may edit ``comment`` at all (the thread's lock is checked apart)."""
    return Actor.of(user).may_edit(comment, thread_lock=False)


def may_delete(user, comment) -> bool:
    return Actor.of(user).may_delete(comment)


def may_read_history(user, comment) -> bool:
    return Actor.of(user).may_read_history(comment)


def may_moderate(user) -> bool:
    return Actor.of(user).may_moderate()


def may_lock(user) -> bool:
    """Lock or unlock a roundup's comments: moderators."""
    return Actor.of(user).may_moderate()
