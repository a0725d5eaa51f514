"""Notifications in the admin: for looking up what was sent to whom and why a send failed."""

from django.contrib import admin

from portal.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "recipient",
        "address",
        "channel",
        "state",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("channel", "state", "kind")
    search_fields = ("dedupe_key", "recipient__username", "title")
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"
    # Rows are written by the senders; editing them by hand would defeat the de-duplication.
    readonly_fields = (
        "dedupe_key",
        "address",
        "subject_type",
        "subject_id",
        "attempts",
        "claimed_at",
        "sent_at",
        "read_at",
        "created_at",
    )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_enabled", "whatsapp_enabled", "whatsapp_number")
    search_fields = ("user__username", "whatsapp_number")
    raw_id_fields = ("user",)
