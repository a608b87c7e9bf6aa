"""Rules shared by posting and changing needs and offers: listing fields, timing, wishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mutua.communities.models import Community, ServiceArea
from mutua.core.geo import snap_to_cell
from mutua.exchange.models import Kind, Requirement, Urgency
from mutua.exchange.services.common import invalid, is_coordinator, settings_for
from mutua.people.models import Gender, Profile, Skill, User
from mutua.people.services import LANGUAGE_CODES

# How long a need stays open when the person gives no end: by urgency.
DEFAULT_OPEN_FOR = {
    "immediate": dt.timedelta(days=1),
    "day": dt.timedelta(days=2),
    "week": dt.timedelta(days=8),
    "flexible": dt.timedelta(days=30),
}


def clean_listing(
    *,
    community: Community,
    title: str,
    description: str,
    kind: str,
    category: str,
    service_area: ServiceArea | None,
    skill_ids: list[int],
    keep_category: str = "",
) -> dict[str, Any]:
    """Rules shared by needs and offers; returns the cleaned values (skills as objects).

    The category is one of the community's list when it keeps one; a listing may keep the
    category it already has (`keep_category`) after the list changed.
    """
    title = (title or "").strip()
    if not 3 <= len(title) <= 120:
        raise invalid("title", _("Please give a short title of 3 to 120 characters."))
    description = (description or "").strip()
    if len(description) > 4000:
        raise invalid("description", _("Please use at most 4000 characters."))
    if kind not in Kind.values:
        raise invalid("kind", _("Please choose one of the kinds."))
    category = (category or "").strip()
    allowed = settings_for(community).categories
    listed = category in allowed or (keep_category and category == keep_category)
    if len(category) > 60 or (category and allowed and not listed):
        raise invalid("category", _("Please choose one of this community's categories."))
    if service_area is not None and service_area.community_id != community.pk:
        raise invalid("service_area", _("This community has no area with this name."))
    skills = list(
        Skill.objects.filter(pk__in=set(skill_ids or [])).filter(
            Q(community__isnull=True) | Q(community=community)
        )
    )
    if len(skills) != len(set(skill_ids or [])):
        raise invalid("skills", _("Please choose skills from the list."))
    return {
        "title": title,
        "description": description,
        "kind": kind,
        "category": category,
        "service_area": service_area,
        "skills": skills,
    }


def snap(community: Community, lat: float | None, lon: float | None) -> tuple[Any, Any]:
    if lat is None or lon is None:
        return None, None
    try:
        return snap_to_cell(lat, lon, community.location_cell_m)
    except ValueError:
        raise invalid("location", _("Please give a location on Earth.")) from None


def clean_shape(
    *,
    urgency: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    helpers_wanted: int,
    languages: list[str] | None,
    requirements: list[str] | None,
) -> tuple[list[str], list[str]]:
    """Rules on a need's timing, size and wishes; returns (languages, requirements) cleaned."""
    if urgency not in Urgency.values:
        raise invalid("urgency", _("Please choose how urgent this is."))
    if starts_at and ends_at and ends_at <= starts_at:
        raise invalid("ends_at", _("The end must come after the start."))
    if type(helpers_wanted) is not int or not 1 <= helpers_wanted <= 50:
        raise invalid("helpers_wanted", _("Please ask for 1 to 50 helpers."))
    languages = sorted(set(languages or []))
    if any(code not in LANGUAGE_CODES for code in languages):
        raise invalid("languages", _("Please choose languages from the list."))
    requirements = sorted(set(requirements or []))
    if any(code not in Requirement.values for code in requirements):
        raise invalid("requirements", _("Please choose requirements from the list."))
    return languages, requirements


def clean_gender_wanted(
    *,
    actor: User,
    community: Community,
    author: User | None,
    requirements: list[str],
    gender_wanted: str = "",
    current: str = "",
) -> str:
    """The helper's gender a same-gender need asks for: given by a coordinator at intake, or
    the person's own (self-described) gender. Never shown to anyone but them and coordinators."""
    if "same_gender" not in requirements:
        return ""
    wanted = (gender_wanted or "").strip()
    if wanted and wanted not in Gender.values:
        raise invalid("gender_wanted", _("Please choose from the list."))
    own = ""
    if author is not None:
        own = Profile.objects.filter(user=author).values_list("gender", flat=True).first() or ""
    if wanted and wanted not in (current, own) and not is_coordinator(actor, community):
        raise invalid("gender_wanted", _("Only a coordinator can record this for someone else."))
    if wanted or current or own:
        return wanted or current or own
    if author is None or author.pk != actor.pk:
        raise invalid(
            "gender_wanted",
            _("Please record the gender of the helper the person asks for."),
        )
    raise invalid(
        "requirements",
        _(
            "To ask for a helper of the same gender, please first say your gender on your "
            "profile. Nobody else sees it; it only serves needs like this one."
        ),
    )
