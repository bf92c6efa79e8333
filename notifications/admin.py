from django.contrib import admin

from .models import Follow, MutedSubthread, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "text", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "actor", "roundup", "comment")
    search_fields = ("user__username", "text")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "roundup", "level", "created_at")
    list_filter = ("level",)
    raw_id_fields = ("user", "roundup")


@admin.register(MutedSubthread)
class MutedSubthreadAdmin(admin.ModelAdmin):
    list_display = ("user", "comment", "created_at")
    raw_id_fields = ("user", "comment")
