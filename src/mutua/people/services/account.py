"""A member's data: the export of everything held about them, and deleting the account.

Each app adds its own part through `mutua.people.account_data`; this module registers the
people app's part (and the audit log's, which core cannot register without knowing people).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.errors import ValidationFailed
from mutua.people.account_data import (
    anonymise_everywhere,
    export_sections,
    register_account_export,
)
from mutua.people.models import (
    ApiToken,
    AvailabilityWindow,
    Profile,
    ProfileSkill,
    SensitiveDetails,
    User,
)
from mutua.people.services.sensitive import SENSITIVE_FIELDS


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_account(user: User) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "id": user.public_id,
        "joined": user.date_joined.isoformat(),
        "last_login": _iso(user.last_login),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "two_factor": sorted(
            {a.type for a in Authenticator.objects.filter(user=user)}  # never the secrets
        ),
    }


def export_profile(user: User) -> dict[str, Any]:
    profile = Profile.objects.prefetch_related("profile_skills__skill", "availability").get(
        user=user
    )
    return {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "languages": profile.languages,
        "free_tags": profile.free_tags,
        "capacity_status": profile.capacity_status,
        "break_until": _iso(profile.break_until),
        "has_car": profile.has_car,
        "has_accessible_vehicle": profile.has_accessible_vehicle,
        "gender": profile.gender,
        "has_pets": profile.has_pets,
        "preferred_channel": profile.preferred_channel,
        "preferred_language": profile.preferred_language,
        "quiet_hours": (
            {"start": _iso(profile.quiet_hours_start), "end": _iso(profile.quiet_hours_end)}
            if profile.quiet_hours_start is not None
            else None
        ),
        "skills": [ps.skill.name for ps in profile.profile_skills.all()],
        "availability": [
            {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()}
            for w in profile.availability.all()
        ],
    }


def export_sensitive(user: User) -> dict[str, Any]:
    details = SensitiveDetails.objects.filter(user=user).first()
    if details is None:
        return {}
    return {
        **{f: getattr(details, f) for f in SENSITIVE_FIELDS},
        "health_consent_at": _iso(details.health_consent_at),
        "phone_reported_wrong_at": _iso(details.phone_reported_wrong_at),
    }


def export_tokens(user: User) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "created": t.created_at.isoformat(),
            "last_used": _iso(t.last_used_at),
            "revoked": _iso(t.revoked_at),
        }
        for t in user.api_tokens.all()
    ]


def _entry(e) -> dict[str, Any]:
    return {
        "action": e.action,
        "at": e.created_at.isoformat(),
        "community": e.community.slug if e.community_id else None,
        "before": e.before,
        "after": e.after,
        "reason": e.reason,
    }


def export_audit_about(user: User) -> list[dict[str, Any]]:
    """Entries about the user, except those about a concern (they would name the reporter)."""
    from mutua.core.audit import CONCERN_ACTIONS
    from mutua.core.models import AuditEntry

    qs = (
        AuditEntry.objects.filter(subject=user)
        .exclude(action__in=CONCERN_ACTIONS)
        .select_related("community")
    )
    return [_entry(e) for e in qs.order_by("created_at", "id")]


def export_audit_by(user: User) -> list[dict[str, Any]]:
    from mutua.core.models import AuditEntry

    qs = AuditEntry.objects.filter(actor=user).select_related("community")
    return [_entry(e) for e in qs.order_by("created_at", "id")]


def register_people_parts() -> None:
    """The people app's parts of the export (called from PeopleConfig.ready)."""
    register_account_export("account", export_account)
    register_account_export("profile", export_profile)
    register_account_export("sensitive_details", export_sensitive)
    register_account_export("api_tokens", export_tokens)
    register_account_export("audit_entries_about_me", export_audit_about)
    register_account_export("audit_entries_by_me", export_audit_by)


def account_export(*, user: User) -> dict[str, Any]:
    """Everything Mutua holds about the user, as JSON-ready data, one part per app."""
    return {"exported_at": timezone.now().isoformat(), **export_sections(user)}


def _refuse_if_last_steward(user: User) -> None:
    from mutua.communities.models import Membership, MembershipStatus

    for m in Membership.objects.filter(
        user=user, role="steward", status=MembershipStatus.ACTIVE
    ).select_related("community"):
        others = Membership.objects.filter(
            community=m.community, role="steward", status=MembershipStatus.ACTIVE
        ).exclude(user=user)
        if not others.exists():
            raise ValidationFailed(
                _("You are the last steward of %(community)s. Name another steward first.")
                % {"community": m.community.name}
            )


def _anonymise_account(user: User) -> None:
    """The people app's own rows, last: after this nothing names or reaches the person."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from mutua.core.mail import mail_forget_address

    SensitiveDetails.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    profile = Profile.objects.get(user=user)
    profile.display_name = _("Former member")
    profile.bio = ""
    profile.languages = []
    profile.free_tags = []
    profile.gender = ""
    profile.has_car = profile.has_accessible_vehicle = profile.has_pets = False
    profile.break_until = None
    profile.quiet_hours_start = profile.quiet_hours_end = None
    profile.save()
    ProfileSkill.objects.filter(profile=profile).delete()
    AvailabilityWindow.objects.filter(profile=profile).delete()
    addresses = [
        user.email,
        *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
    ]
    mail_forget_address(addresses)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"deleted-{user.public_id}@invalid.mutua"
    user.set_unusable_password()
    user.is_active = False
    user.is_anonymised = True
    user.save()


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Anonymise: keep the history others rely on, remove everything that identifies the user.

    Every app's registered anonymiser runs first, in this transaction; the account itself last.
    """
    _refuse_if_last_steward(user)
    anonymise_everywhere(user)
    _anonymise_account(user)
