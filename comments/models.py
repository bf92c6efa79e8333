"""Comments on roundups, stored as one django-mptt tree per root comment.

Every write goes through ``comments/services.py``; nothing here holds a business rule.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet


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

    # A reply shifts ``lft``/``rght`` of about half its tree, so no index holds either column:
    # then PostgreSQL can write each shifted row as a heap-only tuple (HOT) next to the old one,
    # with no index entry written at all (the table keeps free room for that: migration 0004
    # sets its fillfactor), and SQLite rewrites only the row. One index on ``lft`` would send
    # every shifted row through every index, the comment search's GIN index included: about
    # 10x slower on a 10,000-comment tree. Reads go by (roundup, tree_id) and sort within a tree.
    # The thread index covers lookups by roundup and the karma index lookups by author, with no
    # single-column twins.
    roundup = models.ForeignKey(
        "roundups.Roundup", on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = TreeForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments", db_index=False
    )
    # The text lives in CommentText (one row per comment, see there): a reply rewrites about
    # half its tree's rows, and with ~700 bytes of markdown and HTML on each row that rewrite
    # cost ~20x what it does on these narrow rows. ``body`` and ``body_html`` below read it.
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    score = models.IntegerField(default=0)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The paper of the roundup a root comment discusses; its replies carry the same one
    # (comment_create copies it), so filtering by paper keeps whole trees.
    paper_entry = models.ForeignKey(
        "roundups.PaperEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
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

    # --- the text, stored in CommentText ---------------------------------------------------
    # ``comment.body`` and ``comment.body_html`` read ``comment.text`` (one query unless the
    # queryset had ``select_related("text")``; code that reads many comments' text joins it or
    # reads ``text__body`` as a column). Assigning either, or passing it to ``Comment(...)``,
    # keeps the value until ``save()``, which writes the CommentText row in the same
    # transaction. That is persistence only: business writes go through comments/services.py.

    def _text_value(self, name):
        pending = self.__dict__.get("_text_pending")
        if pending and name in pending:
            return pending[name]
        return getattr(self.text, name)

    def _set_text_value(self, name, value):
        self.__dict__.setdefault("_text_pending", {})[name] = value
        text = Comment.text.related.get_cached_value(self, None)
        if text is not None:
            setattr(text, name, value)

    body = property(
        lambda self: self._text_value("body"),
        lambda self, value: self._set_text_value("body", value),
        doc="The markdown source (stored in CommentText).",
    )
    body_html = property(
        lambda self: self._text_value("body_html"),
        lambda self, value: self._set_text_value("body_html", value),
        doc="The sanitized HTML rendered from ``body`` when it was saved (in CommentText).",
    )

    def save(self, *args, **kwargs):
        """Save the tree row, then the text row in the same transaction (inserted with a new
        comment, updated when ``body``/``body_html`` were assigned since)."""
        pending = dict(self.__dict__.get("_text_pending") or {})
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            pending = {name: v for name, v in pending.items() if name in update_fields}
            kwargs["update_fields"] = [f for f in update_fields if f not in TEXT_FIELDS]
        adding = self._state.adding
        # No savepoint: inside the caller's transaction this adds no query.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if adding:
                text = CommentText(comment=self, **pending)
                text.save(force_insert=True, using=self._state.db)
            elif pending:
                text_rows = CommentText.objects.using(self._state.db).filter(pk=self.pk)
                if not text_rows.update(**pending):
                    CommentText(comment=self, **pending).save(force_insert=True)
        remaining = self.__dict__.get("_text_pending")
        if remaining:
            for name in pending:
                remaining.pop(name, None)

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_text_pending", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def is_visible(self):
        return self.state == self.State.VISIBLE


# django-mptt adds an index on (tree_id, lft) to every tree model it registers; take it back
# (see the comment on the fields above: an index on ``lft`` costs every reply far more than it
# saves any read here, since every read of ours narrows by tree_id first).
Comment._meta.indexes = [
    index for index in Comment._meta.indexes if tuple(index.fields) != ("tree_id", "lft")
]


TEXT_FIELDS = ("body", "body_html")


class CommentText(models.Model):
    """A comment's text, beside its tree row rather than on it.

    A reply shifts ``lft``/``rght`` of about half its tree, and every shifted row is rewritten
    whole. With ``body`` (~320 characters) and ``body_html`` (~370) on the tree row, that shift
    of ~5,000 rows in a 10,000-comment tree took ~68 ms on SQLite; on the narrow tree row alone,
    ~3.5 ms. The text is written once per post or edit and read through a join
    (``text__body_html``), so pages keep their query counts.
    """

    comment = models.OneToOneField(
        Comment, primary_key=True, on_delete=models.CASCADE, related_name="text"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False)

    def __str__(self):
        return f"Text of comment {self.comment_id}"


class Vote(models.Model):
    class Value(models.IntegerChoices):
        UP = 1, "Up"
        DOWN = -1, "Down"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The comment's roundup, copied here so a page finds the viewer's votes on its thread by
    # (user, roundup) instead of reading every vote the viewer ever cast (see viewer_votes).
    roundup = models.ForeignKey(
        "roundups.Roundup", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="vote_one_per_user"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_valid"),
        ]
        indexes = [models.Index(fields=["user", "roundup"], name="vote_user_roundup_idx")]

    def __str__(self):
        return f"{self.user_id} {self.value:+d} on {self.comment_id}"

    def save(self, *args, **kwargs):
        if self.roundup_id is None and self.comment_id is not None:
            self.roundup_id = Comment.objects.values_list("roundup_id", flat=True).get(
                pk=self.comment_id
            )
        super().save(*args, **kwargs)


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
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose content the action concerned.",
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.moderator_id} {self.action} at {self.created_at:%Y-%m-%d %H:%M}"


class ReadMarker(models.Model):
    """When a reader last saw a roundup's thread: drives "new since your last visit"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    roundup = models.ForeignKey("roundups.Roundup", on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "roundup"], name="readmarker_one_per_user")
        ]

    def __str__(self):
        return f"{self.user_id} saw {self.roundup_id} at {self.last_seen_at:%Y-%m-%d %H:%M}"
