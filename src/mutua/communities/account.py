"""The communities app's part of a member's export and of deleting their account."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mutua.communities.models import (
    ApplicationStatus,
    Invitation,
    JoinApplication,
    Membership,
    MembershipStatus,
)
from mutua.core.permissions import forget_memberships
from mutua.people.account_data import register_account_anonymise, register_account_export
from mutua.people.models import User


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_memberships(user: User) -> list[dict[str, Any]]:
    rows = (
        Membership.objects.filter(user=user)
        .select_related("community", "service_area")
        .prefetch_related("custom_roles")
        .order_by("created_at", "id")
    )
    return [
        {
            "community": m.community.slug,
            "role": m.role,
            "status": m.status,
            "since": m.created_at.isoformat(),
            "area": m.service_area.name if m.service_area else None,
            "approximate_location": (
                {"lat": m.approx_lat, "lon": m.approx_lon} if m.approx_lat is not None else None
            ),
            "listed_in_directory": m.listed_in_directory,
            "would_like_extra_care": m.is_vulnerable,
            "vetted_until": _iso(m.vetted_until),
            "custom_roles": [r.name for r in m.custom_roles.all()],
            "ended_at": _iso(m.ended_at),
            "ended_reason": m.ended_reason,
        }
        for m in rows
    ]


def export_applications(user: User) -> list[dict[str, Any]]:
    rows = JoinApplication.objects.filter(user=user).select_related("community")
    return [
        {
            "community": a.community.slug,
            "status": a.status,
            "answers": a.answers,
            "applied": a.created_at.isoformat(),
            "decided": _iso(a.decided_at),
            "reason": a.reason,
        }
        for a in rows.order_by("created_at", "id")
    ]


def export_invitations_sent(user: User) -> list[dict[str, Any]]:
    # Whom they invited is the invitee's data: only when, where and what became of it.
    rows = Invitation.objects.filter(created_by=user).select_related("community")
    return [
        {
            "community": i.community.slug,
            "by_email": bool(i.email),
            "created": i.created_at.isoformat(),
            "expires": i.expires_at.isoformat(),
            "used": _iso(i.used_at),
            "withdrawn": _iso(i.revoked_at),
        }
        for i in rows.order_by("created_at", "id")
    ]


def anonymise_memberships(user: User) -> None:
    """Leave every community; forget the place, the care flag, vetting and applications."""
    now = timezone.now()
    Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).update(
        status=MembershipStatus.LEFT, ended_at=now, ended_reason="account deleted"
    )
    Membership.objects.filter(user=user).update(
        approx_lat=None,
        approx_lon=None,
        service_area=None,
        listed_in_directory=False,
        is_vulnerable=False,
        vetted_until=None,
    )
    Membership.custom_roles.through.objects.filter(membership__user=user).delete()
    JoinApplication.objects.filter(user=user, status=ApplicationStatus.PENDING).update(
        status=ApplicationStatus.WITHDRAWN
    )
    JoinApplication.objects.filter(user=user).update(answers=[])
    Invitation.objects.filter(email__iexact=user.email).update(email="")
    forget_memberships(user)


def register() -> None:
    register_account_export("memberships", export_memberships)
    register_account_export("join_applications", export_applications)
    register_account_export("invitations_sent", export_invitations_sent)
    register_account_anonymise("communities", anonymise_memberships)
