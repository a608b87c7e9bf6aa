"""Writes about people: profiles, skills, availability, sensitive details, tokens, account."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.audit import audit_record
from mutua.core.errors import NotFound, PermissionDenied, ValidationFailed
from mutua.core.permissions import sensitive_access
from mutua.people.models import (
    ApiToken,
    AvailabilityWindow,
    CapacityStatus,
    Channel,
    Gender,
    Profile,
    ProfileSkill,
    SensitiveDetails,
    Skill,
    User,
)

LANGUAGE_CODES = frozenset(
    [
        "ar",
        "bn",
        "de",
        "en",
        "es",
        "fa",
        "fr",
        "hi",
        "it",
        "ja",
        "ko",
        "nl",
        "pl",
        "pt",
        "ro",
        "ru",
        "so",
        "sw",
        "ta",
        "tl",
        "tr",
        "uk",
        "ur",
        "vi",
        "zh",
    ]
)
TOKEN_PREFIX = "mutua_"
MAX_TAGS = 20


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def profile_ensure(*, user: User, display_name: str = "") -> Profile:
    """Every user has exactly one profile; its name defaults to the e-mail's local part."""
    name = (display_name or user.email.split("@")[0]).strip()[:80] or _("Neighbour")
    profile, _created = Profile.objects.get_or_create(user=user, defaults={"display_name": name})
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    languages: list[str] | None = None,
    free_tags: list[str] | None = None,
    capacity_status: str | None = None,
    break_until: dt.date | None = None,
    has_car: bool | None = None,
    has_accessible_vehicle: bool | None = None,
    gender: str | None = None,
    has_pets: bool | None = None,
    preferred_channel: str | None = None,
    quiet_hours_start: dt.time | None = None,
    quiet_hours_end: dt.time | None = None,
    preferred_language: str | None = None,
) -> Profile:
    """Change one's own profile; every field is checked before anything is saved."""
    profile = Profile.objects.select_for_update().get(user=user)
    if display_name is not None:
        display_name = display_name.strip()
        if not display_name:
            raise _invalid("display_name", _("Please enter the name you would like to be called."))
        if len(display_name) > 80:
            raise _invalid("display_name", _("Please use at most 80 characters."))
        profile.display_name = display_name
    if bio is not None:
        if len(bio) > 500:
            raise _invalid("bio", _("Please use at most 500 characters."))
        profile.bio = bio.strip()
    if languages is not None:
        unknown = [code for code in languages if code not in LANGUAGE_CODES]
        if unknown:
            raise _invalid(
                "languages", _("Unknown language code: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        profile.languages = sorted(set(languages))
    if free_tags is not None:
        tags = sorted({t.strip().lower()[:40] for t in free_tags if t.strip()})
        if len(tags) > MAX_TAGS:
            raise _invalid("free_tags", _("Please list at most %(n)d things.") % {"n": MAX_TAGS})
        profile.free_tags = tags
    if capacity_status is not None:
        if capacity_status not in CapacityStatus.values:
            raise _invalid("capacity_status", _("Please choose one of the options."))
        profile.capacity_status = capacity_status
        profile.break_until = break_until if capacity_status == CapacityStatus.BREAK else None
        if profile.break_until and profile.break_until < timezone.localdate():
            raise _invalid("break_until", _("The end of a break cannot be in the past."))
    for field, value in (
        ("has_car", has_car),
        ("has_accessible_vehicle", has_accessible_vehicle),
        ("has_pets", has_pets),
    ):
        if value is not None:
            setattr(profile, field, bool(value))
    if gender is not None:
        if gender and gender not in Gender.values:
            raise _invalid("gender", _("Please choose one of the options."))
        profile.gender = gender
    if preferred_channel is not None:
        if preferred_channel not in Channel.values:
            raise _invalid("preferred_channel", _("Please choose one of the options."))
        profile.preferred_channel = preferred_channel
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        raise _invalid("quiet_hours_end", _("Quiet hours need both a start and an end."))
    if quiet_hours_start is not None:
        profile.quiet_hours_start, profile.quiet_hours_end = quiet_hours_start, quiet_hours_end
    if preferred_language is not None:
        if preferred_language not in dict(settings.LANGUAGES):
            raise _invalid("preferred_language", _("This language is not available yet."))
        profile.preferred_language = preferred_language
    profile.save()
    return profile


def profile_clear_quiet_hours(*, user: User) -> None:
    Profile.objects.filter(user=user).update(quiet_hours_start=None, quiet_hours_end=None)


@transaction.atomic
def profile_set_skills(*, user: User, skill_ids: list[int]) -> list[Skill]:
    """Replace one's skills; only skills of the shared taxonomy or of one's communities count."""
    allowed = Skill.objects.filter(id__in=skill_ids).filter(
        models_q_global_or_member(user, "active")
    )
    skills = list(allowed)
    if len(skills) != len(set(skill_ids)):
        raise _invalid("skills", _("One of the chosen skills does not exist."))
    profile = Profile.objects.get(user=user)
    ProfileSkill.objects.filter(profile=profile).exclude(skill__in=skills).delete()
    existing = set(ProfileSkill.objects.filter(profile=profile).values_list("skill_id", flat=True))
    ProfileSkill.objects.bulk_create(
        [ProfileSkill(profile=profile, skill=s) for s in skills if s.id not in existing]
    )
    return skills


def models_q_global_or_member(user: User, active: str):
    from django.db.models import Q

    return Q(community__isnull=True) | Q(
        community__memberships__user=user, community__memberships__status=active
    )


@dataclass(frozen=True)
class Window:
    weekday: int
    start: dt.time
    end: dt.time


@transaction.atomic
def availability_set(*, user: User, windows: list[Window]) -> list[AvailabilityWindow]:
    """Replace one's weekly windows; each must end after it starts and none may overlap."""
    if len(windows) > 50:
        raise _invalid("windows", _("Please enter at most 50 windows."))
    ordered = sorted(windows, key=lambda w: (w.weekday, w.start))
    for i, w in enumerate(ordered):
        if not 0 <= w.weekday <= 6:
            raise _invalid("windows", _("Days run from Monday (0) to Sunday (6)."))
        if w.end <= w.start:
            raise _invalid("windows", _("Each time window must end after it starts."))
        if i and ordered[i - 1].weekday == w.weekday and ordered[i - 1].end > w.start:
            raise _invalid("windows", _("Two time windows overlap on the same day."))
    profile = Profile.objects.get(user=user)
    AvailabilityWindow.objects.filter(profile=profile).delete()
    return AvailabilityWindow.objects.bulk_create(
        [
            AvailabilityWindow(profile=profile, weekday=w.weekday, start=w.start, end=w.end)
            for w in ordered
        ]
    )


SENSITIVE_FIELDS = ("address", "phone", "access_notes", "health_notes")


@transaction.atomic
def sensitive_update(
    *,
    user: User,
    address: str | None = None,
    phone: str | None = None,
    access_notes: str | None = None,
    health_notes: str | None = None,
    health_consent: bool | None = None,
) -> SensitiveDetails:
    """Keep health notes only with explicit consent; withdrawing consent erases them."""
    details, _created = SensitiveDetails.objects.select_for_update().get_or_create(user=user)
    if phone is not None:
        cleaned = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
        if phone.strip() and not 6 <= len(cleaned) <= 20:
            raise _invalid("phone", _("Please enter a phone number with 6 to 20 digits."))
        details.phone = phone.strip()[:32]
    for field, value, limit in (("address", address, 500), ("access_notes", access_notes, 1000)):
        if value is not None:
            if len(value) > limit:
                raise _invalid(field, _("Please use at most %(n)d characters.") % {"n": limit})
            setattr(details, field, value.strip())
    if health_consent is False:
        details.health_consent_at = None
        details.health_notes = ""
    elif health_consent is True and details.health_consent_at is None:
        details.health_consent_at = timezone.now()
    if health_notes is not None and health_notes.strip():
        if details.health_consent_at is None:
            raise _invalid(
                "health_notes", _("Health notes are kept only with your explicit consent.")
            )
        if len(health_notes) > 2000:
            raise _invalid("health_notes", _("Please use at most 2000 characters."))
        details.health_notes = health_notes.strip()
    elif health_notes is not None:
        details.health_notes = ""
    details.save()
    return details


def sensitive_read(*, viewer: User, person: User, purpose: str = "profile") -> dict[str, str]:
    """Return the fields `viewer` may see; every read by someone else is audit-logged."""
    level = sensitive_access(viewer, person)
    if level == "none":
        raise PermissionDenied(_("You cannot see this person's private details."))
    details = SensitiveDetails.objects.filter(user=person).first()
    values = {f: getattr(details, f) if details else "" for f in SENSITIVE_FIELDS}
    if level == "phone":
        values = {"phone": values["phone"]}
    if viewer.pk != person.pk:
        from mutua.communities.models import Membership, MembershipStatus

        shared = (
            Membership.objects.filter(
                user=person, status=MembershipStatus.ACTIVE, community__memberships__user=viewer
            )
            .values_list("community_id", flat=True)
            .first()
        )
        _audit_sensitive_read(viewer, person, shared, sorted(values), purpose)
    return values


def _audit_sensitive_read(viewer, person, community_id, fields, purpose) -> None:
    from mutua.communities.models import Community

    community = Community.objects.filter(pk=community_id).first() if community_id else None
    audit_record(
        actor=viewer,
        action="sensitive.read",
        community=community,
        subject=person,
        target=person,
        after={"fields": fields, "purpose": purpose[:60]},
        is_safeguarding=True,
    )


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal access token; the secret is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 80:
        raise _invalid("name", _("Please give the token a name of up to 80 characters."))
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= 20:
        raise _invalid("name", _("You already have 20 tokens. Revoke one first."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:12], token_hash=_token_hash(secret)
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, public_id: str) -> ApiToken:
    token = ApiToken.objects.filter(user=user, public_id=public_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(secret: str) -> User | None:
    """The active user owning this token, or None. Records when it was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def account_export(*, user: User) -> dict:
    """Everything Mutua holds about the user, as JSON-ready data."""
    from mutua.core.models import AuditEntry

    profile = Profile.objects.prefetch_related("profile_skills__skill", "availability").get(
        user=user
    )
    details = SensitiveDetails.objects.filter(user=user).first()
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "id": user.public_id,
            "joined": user.date_joined.isoformat(),
        },
        "profile": {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "languages": profile.languages,
            "free_tags": profile.free_tags,
            "capacity_status": profile.capacity_status,
            "break_until": profile.break_until.isoformat() if profile.break_until else None,
            "has_car": profile.has_car,
            "has_accessible_vehicle": profile.has_accessible_vehicle,
            "gender": profile.gender,
            "has_pets": profile.has_pets,
            "preferred_channel": profile.preferred_channel,
            "skills": [ps.skill.name for ps in profile.profile_skills.all()],
            "availability": [
                {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()}
                for w in profile.availability.all()
            ],
        },
        "sensitive_details": {f: getattr(details, f) for f in SENSITIVE_FIELDS} if details else {},
        "memberships": [
            {
                "community": m.community.slug,
                "role": m.role,
                "status": m.status,
                "since": m.created_at.isoformat(),
                "area": m.service_area.name if m.service_area else None,
            }
            for m in user.memberships.select_related("community", "service_area")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "created": t.created_at.isoformat(),
                "revoked": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in user.api_tokens.all()
        ],
        "audit_entries_about_me": [
            {"action": e.action, "at": e.created_at.isoformat(), "reason": e.reason}
            for e in AuditEntry.objects.filter(subject=user)
        ],
    }


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Anonymise: keep the history others rely on, remove everything that identifies the user."""
    from mutua.communities.models import Membership, MembershipStatus

    if Membership.objects.filter(
        user=user,
        role="steward",
        status=MembershipStatus.ACTIVE,
        community__memberships__role="steward",
    ).exists():
        for m in Membership.objects.filter(
            user=user, role="steward", status=MembershipStatus.ACTIVE
        ):
            others = Membership.objects.filter(
                community=m.community, role="steward", status=MembershipStatus.ACTIVE
            ).exclude(user=user)
            if not others.exists():
                raise ValidationFailed(
                    _("You are the last steward of %(community)s. Name another steward first.")
                    % {"community": m.community.name}
                )
    now = timezone.now()
    Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).update(
        status=MembershipStatus.LEFT,
        ended_at=now,
        ended_reason="account deleted",
        approx_lat=None,
        approx_lon=None,
        listed_in_directory=False,
    )
    SensitiveDetails.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    profile = Profile.objects.get(user=user)
    profile.display_name = _("Former member")
    profile.bio = ""
    profile.languages = []
    profile.free_tags = []
    profile.gender = ""
    profile.quiet_hours_start = profile.quiet_hours_end = None
    profile.save()
    ProfileSkill.objects.filter(profile=profile).delete()
    AvailabilityWindow.objects.filter(profile=profile).delete()
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"deleted-{user.public_id}@invalid.mutua"
    user.set_unusable_password()
    user.is_active = False
    user.is_anonymised = True
    user.save()
