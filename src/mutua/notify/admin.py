from django.contrib import admin

from mutua.notify.models import DeliveryAttempt, InboundMessage, Notification, OutboxMessage


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "ok", "detail")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("kind", "channel", "recipient", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "channel", "kind", "is_critical")
    readonly_fields = ("public_id", "created_at", "sent_at", "claimed_at")
    inlines = [DeliveryAttemptInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "title", "created_at", "read_at")
    list_filter = ("kind",)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("from_address", "reply_kind", "reply_code", "sender", "created_at")
    list_filter = ("reply_kind",)
