from django.contrib import admin

from forum.text import CleanTextModelForm

from .models import PaperSuggestion


@admin.register(PaperSuggestion)
class PaperSuggestionAdmin(admin.ModelAdmin):
    """Read-mostly: suggestions are written by readers through the site and taken by authors
    on /suggestions/, so the admin only browses them and can fix a typo in a title or link."""

    form = CleanTextModelForm
    list_display = ["title", "status", "suggested_by", "created_at", "taken_entry"]
    list_filter = ["status"]
    search_fields = ["title", "url", "blurb"]
    list_select_related = ["comment__author", "taken_entry"]
    fields = ["title", "url", "blurb", "status", "comment", "taken_entry", "taken_by", "taken_at"]
    readonly_fields = ["blurb", "status", "comment", "taken_entry", "taken_by", "taken_at"]

    def has_add_permission(self, request):
        return False  # a suggestion is a comment first: readers post them on the roundup page

    @admin.display(description="Suggested by", ordering="comment__author__username")
    def suggested_by(self, obj):
        return obj.comment.author.get_username()
