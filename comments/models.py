"""Comments on roundups, stored as one django-mptt tree per root comment.

Every write goes through ``comments/services.py``; nothing here holds a business rule.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

# The heaviest vote (a strong vote at 500,000 karma): comments/karma.py, VOTE_TIERS.
MAX_VOTE_WEIGHT = 16


class CommentQuerySet(TreeQuerySet):
    def for_thread(self, roundup):
        """Every comment of a roundup in tree order: one query for the whole thread."""
        return self.filter(roundup=roundup).order_by("tree_id", "lft")

    def visible(self):
        return self.filter(state=Comment.State.VISIBLE)


class Comment(MPTTModel):
    class State(models.TextChoices):
        VISIBLE = "visible", "Visible"
        DELETED = "deleted", "Deleted by its author"
        REMOVED = "removed", "Removed by a moderator"

    # No index holds ``lft`` or ``rght``, so a reply's shift of half its tree writes no index
    # entry (see docs/benchmarks.md, "Round 2"); reads narrow by (roundup, tree_id) instead.
    # The thread and karma indexes (Meta) cover lookups by roundup and by author: no twins.
    roundup = models.ForeignKey(
        "roundups.Roundup", on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = TreeForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments", db_index=False
    )
    # The text is in CommentText (``comment.text``), beside the tree row rather than on it.
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    # Approval ("a good contribution"): the weighted sum of the approval votes, which drives
    # karma and the sorts, and how many approval votes went up and down.
    score = models.IntegerField(default=0)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    # Agreement ("I think this is true"): voted apart, never moves karma or the six sorts
    # (only ``controversial`` reads it). Kept by vote_cast like the approval counters.
    agreement = models.IntegerField(default=0)
    agree_votes = models.PositiveIntegerField(default=0)
    disagree_votes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The paper of the roundup a root comment discusses; its replies carry the same one
    # (comment_create copies it), so filtering by paper keeps whole trees.
    paper_entry = models.ForeignKey(
        "roundups.PaperEntry", models.SET_NULL, null=True, blank=True, related_name="comments"
    )

    objects = TreeManager.from_queryset(CommentQuerySet)()

    class MPTTMeta:
        # No order_insertion_by: a reply goes last among its siblings, so an insert shifts only
        # the nodes to its right in its own tree. Display order is chosen by the sort, not here.
        order_insertion_by = []

    class Meta:
        indexes = [
            models.Index(fields=["roundup", "tree_id"], name="comment_thread_tree_idx"),
            models.Index(fields=["author", "score"], name="comment_karma_idx"),
            # A profile's newest comments: read from the index, 50 rows, however many they wrote.
            models.Index(fields=["author", "-created_at", "-id"], name="comment_author_time_idx"),
            # Threads in parts (comments/thread/parts.py) rank a roundup's top-level comments:
            # these read them in "top" and in time order ("new" backwards, "old") from the index
            # alone, without visiting the replies. Neither holds lft or rght (see above).
            models.Index(
                fields=["roundup", "-score", "created_at", "id", "tree_id"],
                condition=Q(parent__isnull=True),
                name="comment_roots_top_idx",
            ),
            models.Index(
                fields=["roundup", "created_at", "id", "tree_id"],
                condition=Q(parent__isnull=True),
                name="comment_roots_time_idx",
            ),
            # check_threads counts the comments about each paper (PaperEntry.comment_count).
            models.Index(
                fields=["roundup", "paper_entry", "state"],
                condition=Q(paper_entry__isnull=False),
                name="comment_paper_count_idx",
            ),
        ]
        permissions = [
            ("moderate_comment", "Can edit, remove and restore any comment and lock threads"),
        ]
        constraints = [
            # Two new roots that raced past the table lock would share a tree_id and corrupt
            # both trees; this turns that into an IntegrityError instead.
            models.UniqueConstraint(
                fields=["tree_id"], condition=Q(parent__isnull=True), name="comment_root_tree_id"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["visible", "deleted", "removed"]),
                name="comment_state_valid",
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_id} on {self.roundup_id}"

    def get_absolute_url(self):
        return reverse("comments:permalink", args=[self.pk])

    @property
    def anchor(self):
        return f"c{self.pk}"

    @property
    def is_visible(self):
        return self.state == self.State.VISIBLE


# django-mptt adds an index on (tree_id, lft) to every tree model; take it back (see above).
Comment._meta.indexes = [
    index for index in Comment._meta.indexes if tuple(index.fields) != ("tree_id", "lft")
]


class CommentText(models.Model):
    """A comment's text, one row per comment: written by ``comment_create`` with the comment
    and by ``comment_edit``, read through a join (``text__body_html``). Kept off the tree row
    because a reply rewrites about half its tree's rows (see docs/benchmarks.md, "Round 2")."""

    comment = models.OneToOneField(
        Comment, primary_key=True, on_delete=models.CASCADE, related_name="text"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False)

    def __str__(self):
        return f"Text of comment {self.comment_id}"


class Vote(models.Model):
    """One reader's vote on one axis of a comment: up or down, normal or strong, with the weight
    it was cast with (``comments/karma.py``: by the voter's karma then). Taking a vote back
    deletes its row; the comment's counters are the sums of these rows (``check_threads``)."""

    class Value(models.IntegerChoices):
        UP = 1, "Up"
        DOWN = -1, "Down"

    class Axis(models.TextChoices):
        APPROVAL = "approval", "Approval"
        AGREEMENT = "agreement", "Agreement"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The comment's roundup, copied here so a page finds the viewer's votes on its thread by
    # (user, roundup) instead of reading every vote the viewer ever cast (see viewer_votes).
    roundup = models.ForeignKey(
        "roundups.Roundup", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    axis = models.CharField(max_length=9, choices=Axis.choices, default=Axis.APPROVAL)
    value = models.SmallIntegerField(choices=Value.choices)
    strong = models.BooleanField(default=False)
    # What the vote adds to (or takes from) its axis: kept as cast, so a voter's later karma
    # never rewrites the scores their old votes made.
    weight = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user", "axis"], name="vote_one_per_axis"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_valid"),
            models.CheckConstraint(
                condition=Q(axis__in=["approval", "agreement"]), name="vote_axis_valid"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=MAX_VOTE_WEIGHT), name="vote_weight_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "roundup"], name="vote_user_roundup_idx")]

    def __str__(self):
        strong = " strong" if self.strong else ""
        weighted = self.value * self.weight
        return f"{self.user_id} {weighted:+d}{strong} {self.axis} on {self.comment_id}"


class Karma(models.Model):
    """A user's karma: the sum of the scores of their comments, kept up to date by every vote.

    ``services.vote_cast`` adds each vote's change in the vote's own transaction (see
    ``comments/karma.py``), so a thread page reads every author's karma through the join it
    already makes (``author__karma__value``) instead of summing each author's history;
    ``check_threads`` checks it against the comments' scores and ``--repair`` recounts it. No
    row means no vote yet: 0. The table keeps the name it had when the model lived in accounts.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="karma"
    )
    value = models.IntegerField(default=0)

    class Meta:
        db_table = "accounts_karma"
        verbose_name_plural = "karma"

    def __str__(self):
        return f"{self.user_id}: {self.value} karma"


class CommentRevision(models.Model):
    """The text of a comment before one edit."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["comment", "-edited_at", "-pk"]

    def __str__(self):
        return f"Revision of comment {self.comment_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class ModerationAction(models.Model):
    """One row of the public moderation log."""

    class Action(models.TextChoices):
        EDIT = "edit", "Edited a comment"
        REMOVE = "remove", "Removed a comment"
        RESTORE = "restore", "Restored a comment"
        LOCK = "lock", "Locked a thread"
        UNLOCK = "unlock", "Unlocked a thread"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    roundup = models.ForeignKey(
        "roundups.Roundup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Whose content the action concerned.",
    )  # fmt: skip
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The log's keyset order, with its tiebreaker: any page is a walk from the cursor.
        indexes = [models.Index(fields=["-created_at", "-id"], name="modlog_time_idx")]

    def __str__(self):
        return f"{self.moderator_id} {self.action} at {self.created_at:%Y-%m-%d %H:%M}"


# A reader's views of a thread that come closer together than this are one visit: the "new"
# markers stay as they were when the visit began, so reloading, replying or opening a later
# part does not clear them. 30 minutes is the usual web-analytics session timeout: longer than
# reading a long thread and writing a reply, shorter than going away and coming back later.
VISIT_GAP = timedelta(minutes=30)


class ReadMarker(models.Model):
    """When a reader last saw a roundup's thread, and since when comments are new during the
    current visit: drives "new since your last visit" (see ``new_since``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    roundup = models.ForeignKey("roundups.Roundup", on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField()
    # The previous visit's last view, kept for the whole of the current visit (None: the current
    # visit is the first). Moved forward by ``services.read_marker_touch`` when a visit begins.
    visit_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "roundup"], name="readmarker_one_per_user")
        ]

    def __str__(self):
        return f"{self.user_id} saw {self.roundup_id} at {self.last_seen_at:%Y-%m-%d %H:%M}"

    def new_since(self, now):
        """Comments after this are new to the reader viewing the thread at ``now``."""
        return new_since(self.last_seen_at, self.visit_since, now)


def new_since(last_seen_at, visit_since, now):
    """The "new" marker for a view at ``now``: within a visit (the last view less than
    ``VISIT_GAP`` ago) the one the visit began with, else the last view: a new visit."""
    if last_seen_at is None:
        return None
    if now - last_seen_at > VISIT_GAP:
        return last_seen_at
    return visit_since
