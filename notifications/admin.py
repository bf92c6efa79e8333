from django.contrib import admin
from django.utils.html import format_html_join

from roundups.admin import RoundupAdmin
from roundups.models import Roundup

from . import delivery
from .models import (
    Delivery,
    DigestRun,
    Follow,
    Mailing,
    MailPreference,
    MutedSubthread,
    Notification,
    Subscription,
)


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


# --- series mail ---------------------------------------------------------------------------------


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "series", "user", "created_at", "confirmed_at", "unsubscribed_at")
    list_filter = ("series",)
    raw_id_fields = ("user",)
    search_fields = ("email", "user__username")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """A record of what was sent: read-only (the worker writes it; resend from the edit page)."""

    list_display = ("roundup", "address", "status", "attempts", "sent_at", "error")
    list_filter = ("status",)
    list_select_related = ("roundup",)
    search_fields = ("address", "roundup__title")
    raw_id_fields = ("roundup", "subscription")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """Who a published roundup goes to (fixed at publishing); the worker writes its deliveries."""

    list_display = ("roundup", "as_of", "expanded")
    raw_id_fields = ("roundup",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The roundup's admin page, with its delivery counts (roundups cannot import this app).
admin.site.unregister(Roundup)


@admin.register(Roundup)
class RoundupWithDeliveriesAdmin(RoundupAdmin):
    readonly_fields = [*RoundupAdmin.readonly_fields, "deliveries"]
    fieldsets = [*RoundupAdmin.fieldsets, ("Mail to subscribers", {"fields": ["deliveries"]})]

    @admin.display(description="Deliveries")
    def deliveries(self, obj):
        if obj.pk is None:
            return "—"
        return format_html_join(", ", "{} {}", ((n, s) for s, n in delivery.counts(obj.pk).items()))
