from django.contrib import admin

from .models import DigestRun, Follow, MailPreference, MutedSubthread, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "text", "created_at", "read_at", "mail_state")
    list_filter = ("kind", "mail_state")
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


@admin.register(MailPreference)
class MailPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "delivery")
    list_filter = ("kind", "delivery")
    raw_id_fields = ("user",)


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "state", "notifications", "sent_at")
    list_filter = ("state", "day")
    raw_id_fields = ("user",)
