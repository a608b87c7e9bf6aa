"""Writes about one's own profile: name, languages, skills, availability."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.errors import ValidationFailed
from mutua.people.models import (
    AvailabilityWindow,
    CapacityStatus,
    Channel,
    Gender,
    Profile,
    ProfileSkill,
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
MAX_TAGS = 20


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def profile_ensure(*, user: User, display_name: str = "", language: str = "") -> Profile:
    """Every user has exactly one profile; its name defaults to the e-mail's local part, its
    language to the one the person signed up in (e-mails follow it)."""
    name = (display_name or user.email.split("@")[0]).strip()[:80] or _("Neighbour")
    defaults = {"display_name": name}
    if language in dict(settings.LANGUAGES):
        defaults["preferred_language"] = language
    profile, _created = Profile.objects.get_or_create(user=user, defaults=defaults)
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
