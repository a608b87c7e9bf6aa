"""Operator admin for accounts. Sensitive details are deliberately not registered here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from mutua.people.models import ApiToken, Profile, Skill, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "public_id", "is_active", "is_staff", "is_anonymised", "date_joined")
    search_fields = ("email", "public_id", "profile__display_name")
    list_filter = ("is_active", "is_staff", "is_anonymised")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "is_anonymised")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined", "is_anonymised")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "capacity_status", "preferred_language")
    search_fields = ("display_name", "user__email")
    list_select_related = ("user",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "community")
    list_filter = ("category",)
    search_fields = ("name", "slug")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "token_hash", "last_used_at")
    list_select_related = ("user",)
