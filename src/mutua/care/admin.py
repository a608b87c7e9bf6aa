from django.contrib import admin

from mutua.care.models import Alert, AlertEvent, CarePlan, CircleContact, OnCallShift


@admin.register(CarePlan)
class CarePlanAdmin(admin.ModelAdmin):
    list_display = ("public_id", "community", "status", "state", "next_due_at", "is_drill")
    list_filter = ("status", "state", "is_drill", "is_flagged")
    raw_id_fields = ("person", "created_by", "current_alert")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("public_id", "plan", "reason", "opened_at", "held_by", "outcome", "is_drill")
    raw_id_fields = ("plan", "held_by", "resolved_by")


admin.site.register(CircleContact)
admin.site.register(OnCallShift)
admin.site.register(AlertEvent)
