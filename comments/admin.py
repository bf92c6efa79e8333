"""Admin for comments: a tree to read and moderate, never a way around the services.

Every change goes through ``comments/services.py`` (so it is checked, locked and logged like the
same action on the site): the bulk actions call ``comment_remove``/``comment_restore`` and an edit
of the body calls ``comment_edit`` with a required reason. Nothing here can hard-delete a comment,
add one, or save a Comment with ``save()``, which for an MPTT node could move it in its tree.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from mptt.admin import MPTTModelAdmin

from forum.errors import ServiceError

from .models import Comment, CommentRevision, Karma, ModerationAction, ReadMarker, Vote
from .permissions import may_moderate
from .services import comment_edit, comment_edit_check, comment_remove, comment_restore

# The list fits a 1366 px screen with state, score and date in view (tests/browser/
# test_moderation.py): a short excerpt, an indent capped at MAX_INDENT levels, a short title.
EXCERPT_LENGTH = 60  # enough to recognise a comment in a list row
INDENT = "\u2003\u2003"  # per level, as text: the site's CSP blocks mptt's inline padding style
MAX_INDENT = 6  # deeper replies say their depth instead of indenting further
TITLE_LENGTH = 40


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services: shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    fields = ("edited_at", "edited_by", "reason", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-edited_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommentAdminForm(forms.ModelForm):
    """The body is the only editable field; changing it needs a reason for the public log.

    The body is stored in CommentText, not on the Comment row, so it is a form field of its own
    (filled from ``comment.text.body``); ``save_model`` hands it to ``comment_edit``.
    """

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8, "cols": 80}), strip=False)
    edit_reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Required when you change the text: it is shown in the public moderation log "
        "(for another user's comment) and in the comment's history.",
    )

    class Meta:
        model = Comment
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("body", self.instance.text.body)

    def clean(self):
        cleaned = super().clean()
        if "body" not in self.changed_data or self.errors:
            return cleaned
        reason = cleaned.get("edit_reason", "")
        if not reason.strip():
            raise ValidationError({"edit_reason": "Give a reason for changing the text."})
        try:
            # The same checks comment_edit makes, run now so they show on the form.
            comment_edit_check(
                comment=self.instance, by=self.user, body=cleaned["body"], reason=reason
            )
        except ServiceError as error:
            raise ValidationError(error.message) from None
        return cleaned


class ModerationReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown in the public moderation log next to each comment.",
    )


@admin.register(Comment)
class CommentAdmin(MPTTModelAdmin):
    form = CommentAdminForm
    list_display = ("thread_excerpt", "author", "roundup_title", "state", "score", "created_at")
    mptt_indent_field = "thread_excerpt"
    # Django's own list template: mptt's writes a style="padding-left" on every row, which the
    # CSP blocks (a console error per row). Rows stay in tree order (MPTTModelAdmin's ordering)
    # and thread_excerpt indents them as text.
    change_list_template = "admin/change_list.html"
    list_filter = (
        ("roundup", admin.RelatedOnlyFieldListFilter),
        "state",
        ("author", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("text__body",)
    list_select_related = ("author", "roundup", "text")
    list_per_page = 100
    # show_full_result_count would count the whole table again on every filtered page.
    show_full_result_count = False
    actions = ("remove_comments", "restore_comments")
    inlines = (CommentRevisionInline,)
    readonly_fields = (
        "roundup", "parent", "author", "state", "score", "upvotes", "downvotes", "agreement",
        "agree_votes", "disagree_votes", "created_at", "edited_at", "edited_by", "tree_id", "level",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("roundup", "parent", "author", "state", "body", "edit_reason")}),
        (
            "Votes",
            {
                "fields": (
                    "score",
                    "upvotes",
                    "downvotes",
                    "agreement",
                    "agree_votes",
                    "disagree_votes",
                )
            },
        ),
        ("History", {"fields": ("created_at", "edited_at", "edited_by")}),
        ("Tree", {"fields": ("tree_id", "level"), "classes": ("collapse",)}),
    )

    @admin.display(description="comment", ordering="tree_id")
    def thread_excerpt(self, comment):
        excerpt = Truncator(" ".join(comment.text.body.split())).chars(EXCERPT_LENGTH)
        marker = "\u21b3 " if comment.level else ""
        if comment.level > MAX_INDENT:
            marker = f"\u21b3 (depth {comment.level}) "
        return f"{INDENT * min(comment.level, MAX_INDENT)}{marker}#{comment.pk} {excerpt}"

    @admin.display(description="roundup", ordering="roundup__title")
    def roundup_title(self, comment):
        return Truncator(comment.roundup.title).chars(TITLE_LENGTH)

    def has_add_permission(self, request):
        # A comment is posted on the site, where the rate limit and the tree lock apply.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deletes are soft: the author deletes, a moderator removes. Rows are never erased.
        return False

    def has_moderate_permission(self, request):
        return may_moderate(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Apply a body change through ``comment_edit``; never ``obj.save()``."""
        if "body" not in form.changed_data:
            return
        current = Comment.objects.select_related("roundup", "author").get(pk=obj.pk)
        comment_edit(
            comment=current,
            by=request.user,
            body=form.cleaned_data["body"],
            reason=form.cleaned_data["edit_reason"],
        )

    @admin.action(
        description="Remove selected comments (asks for a reason)", permissions=["moderate"]
    )
    def remove_comments(self, request, queryset):
        return self._moderate(request, queryset, "remove_comments", comment_remove, "Removed")

    @admin.action(
        description="Restore selected comments (asks for a reason)", permissions=["moderate"]
    )
    def restore_comments(self, request, queryset):
        return self._moderate(request, queryset, "restore_comments", comment_restore, "Restored")

    def _moderate(self, request, queryset, action, service, verb):
        """Ask for the reason on a confirmation page, then call ``service`` per comment."""
        form = ModerationReasonForm(request.POST if "apply" in request.POST else None)
        comments = list(
            queryset.select_related("roundup", "author", "text").order_by("tree_id", "lft")
        )
        if form.is_valid():
            done, refused = 0, []
            for comment in comments:
                try:
                    service(comment=comment, by=request.user, reason=form.cleaned_data["reason"])
                    done += 1
                except ServiceError as error:
                    refused.append(f"#{comment.pk}: {error.message}")
            self.message_user(request, f"{verb} {done} comment(s).", messages.SUCCESS)
            if refused:
                self.message_user(request, "Not changed: " + " ".join(refused), messages.WARNING)
            return None  # back to the change list
        return TemplateResponse(
            request,
            "admin/comments/comment/confirm_moderation.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{verb[:-1]} comments: give a reason",
                "opts": self.model._meta,
                "comments": comments,
                "form": form,
                "action": action,
                "verb": verb[:-1].lower(),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("comment", "user", "axis", "value", "strong", "weight", "created_at")
    list_filter = ("axis", "value", "strong")
    list_select_related = ("comment", "user")
    search_fields = ("user__username",)
    raw_id_fields = ("comment", "user")


@admin.register(Karma)
class KarmaAdmin(ReadOnlyAdmin):
    """Kept by every vote (comments/karma.py); ``check_threads --repair`` recounts it."""

    list_display = ("user", "value")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    ordering = ("-value",)

    def get_object(self, request, object_id, from_field=None):
        # The key is a one-to-one link to the user, which Django does not range-check as it does
        # integer columns: on SQLite an id past 2**63 in the address raised OverflowError (500).
        try:
            return super().get_object(request, object_id, from_field)
        except OverflowError:
            return None


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "moderator", "action", "comment", "roundup", "user", "reason")
    list_filter = ("action", ("moderator", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("moderator", "comment", "roundup", "user")
    search_fields = ("reason",)


@admin.register(ReadMarker)
class ReadMarkerAdmin(ReadOnlyAdmin):
    list_display = ("user", "roundup", "last_seen_at", "visit_since")
    list_select_related = ("user", "roundup")
