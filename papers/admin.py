from django.contrib import admin

from forum.text import CleanTextModelForm
from roundups.papers import paper_key

from .models import PaperSuggestion


@admin.register(PaperSuggestion)
class PaperSuggestionAdmin(admin.ModelAdmin):
    """Read-mostly: suggestions are written by readers through the site and taken by authors
    on /suggestions/, so the admin only browses them and can fix a typo in a title or link."""

    form = CleanTextModelForm
    list_display = [
        "title",
        "status",
        "supporter_count",
        "suggested_by",
        "created_at",
        "taken_entry",
    ]
    list_filter = ["status"]
    search_fields = ["title", "url", "blurb"]
    list_select_related = ["comment__author", "taken_entry"]
    fields = [
        "title", "url", "blurb", "status", "comment", "taken_entry", "taken_by", "taken_at",
        "paper_key", "supporter_count", "merged_into", "declined_reason", "declined_by",
        "declined_at",
    ]  # fmt: skip
    readonly_fields = fields[2:]

    def save_model(self, request, obj, form, change):
        # A corrected link may be another paper: keep the key that merges duplicates true.
        obj.paper_key = paper_key(obj.url)
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        return False  # a suggestion is a comment first: readers post them on the roundup page

    @admin.display(description="Suggested by", ordering="comment__author__username")
    def suggested_by(self, obj):
        return obj.comment.author.get_username()
