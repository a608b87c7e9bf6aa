"""Operators' view of each community's exchange settings (coordinators use their own page)."""

from __future__ import annotations

from django.contrib import admin

from mutua.exchange.models import ExchangeSettings


@admin.register(ExchangeSettings)
class ExchangeSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "community",
        "auto_confirm_days",
        "dispute_window_days",
        "stale_grace_hours",
        "offer_reminder_days",
    )
    search_fields = ("community__name", "community__slug")
    readonly_fields = ("created_at", "updated_at")
