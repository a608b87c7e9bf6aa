"""Operator admin for communities. Role changes belong in the app, where they are audit-logged."""

from django.contrib import admin

from mutua.communities.models import (
    Community,
    CustomRole,
    Invitation,
    JoinApplication,
    Membership,
    ServiceArea,
)


class AreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0
    fields = ("name", "slug", "parent", "centre_lat", "centre_lon")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "join_policy", "time_zone", "is_listed", "created_at")
    search_fields = ("name", "slug")
    inlines = [AreaInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "role", "status", "created_at")
    list_filter = ("role", "status", "community")
    search_fields = ("user__email", "user__profile__display_name", "public_id")
    list_select_related = ("user__profile", "community")
    readonly_fields = ("role", "public_id")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("community", "email", "expires_at", "used_at", "revoked_at")
    readonly_fields = ("token_hash",)
    list_select_related = ("community",)


@admin.register(JoinApplication)
class JoinApplicationAdmin(admin.ModelAdmin):
    list_display = ("community", "user", "status", "created_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("community", "user")


admin.site.register(CustomRole)
