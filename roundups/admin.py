from django.contrib import admin
from django.db import models
from django.db.models import Count

from forum.text import CleanTextModelForm

from .models import PaperEntry, Roundup, Series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    form = CleanTextModelForm  # the admin is the only writer of series
    list_display = ["name", "slug", "roundup_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_roundups=Count("roundups"))

    @admin.display(description="Roundups", ordering="n_roundups")
    def roundup_count(self, obj):
        return obj.n_roundups


# Links typed without a scheme are taken as https, as on the authoring form (Django 6's default).
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class PaperEntryInline(admin.StackedInline):
    model = PaperEntry
    form = CleanTextModelForm
    formfield_overrides = URL_AS_HTTPS
    extra = 0
    ordering = ["position", "pk"]
    fields = [
        "position",
        ("title", "year"),
        ("url", "code_url"),
        "authors",
        "abstract",
        "opinion",
        "related",
        "paper_key",
    ]
    readonly_fields = ["paper_key"]


@admin.register(Roundup)
class RoundupAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["title", "series", "number", "author", "status", "published_at", "updated_at"]
    list_filter = ["status", "series", "author"]
    list_select_related = ["series", "author"]
    search_fields = ["title", "entries__title"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    raw_id_fields = ["author"]
    inlines = [PaperEntryInline]
    formfield_overrides = URL_AS_HTTPS
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", ("series", "number")]}),
        ("Text", {"fields": ["intro", "outro", "crosspost_url"]}),
        ("Publishing", {"fields": ["status", "published_at", "comments_locked", "comment_count"]}),
        ("Schedule", {"fields": ["publish_at", "publish_error", "publish_error_at"]}),
    ]
    # comment_count is kept by the comment services; the schedule by roundup_schedule and its
    # task (a time typed here would have no task to publish it).
    readonly_fields = ["comment_count", "publish_at", "publish_error", "publish_error_at"]
