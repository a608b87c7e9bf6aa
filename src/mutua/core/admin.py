"""Operators see the audit log and the worker heartbeat; neither can be edited here."""

from django.contrib import admin

from mutua.core.models import AuditEntry, OutgoingMail, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "community", "actor", "action", "target_label", "is_safeguarding")
    list_filter = ("action", "is_safeguarding", "community")
    search_fields = ("action", "target_label", "target_id")
    list_select_related = ("community", "actor__profile")
    date_hierarchy = "created_at"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "beat_at")


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """What was sent, what is waiting and what failed (with the last error)."""

    list_display = ("created_at", "to_address", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("to_address", "subject")
    exclude = ("body",)
