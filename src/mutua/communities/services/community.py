"""Creating a community and changing its settings."""

from __future__ import annotations

import re
import zoneinfo

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mutua.communities.models import (
    Community,
    JoinPolicy,
    Membership,
    Role,
)
from mutua.communities.services.common import (
    RESERVED_SLUGS,
    SLUG_RE,
    _invalid,
    _snapshot,
)
from mutua.core.audit import audit_record
from mutua.core.errors import ValidationFailed
from mutua.core.geo import snap_to_cell
from mutua.core.permissions import forget_memberships, has_mfa, require
from mutua.people.models import User

COMMUNITY_FIELDS = (
    "name",
    "description",
    "time_zone",
    "join_policy",
    "application_questions",
    "emergency_number",
    "location_cell_m",
    "require_mfa_for_staff",
    "is_listed",
)


def _validate_community_fields(values: dict) -> dict:
    cleaned = {}
    for key, value in values.items():
        if value is None:
            continue
        if key == "name":
            value = value.strip()
            if not 2 <= len(value) <= 120:
                raise _invalid("name", _("Please give a name of 2 to 120 characters."))
        elif key == "description" and len(value) > 4000:
            raise _invalid("description", _("Please use at most 4000 characters."))
        elif key == "time_zone" and value not in zoneinfo.available_timezones():
            raise _invalid("time_zone", _("Please choose a time zone from the list."))
        elif key == "join_policy" and value not in JoinPolicy.values:
            raise _invalid("join_policy", _("Please choose one of the options."))
        elif key == "application_questions":
            value = [q.strip()[:300] for q in value if q and q.strip()]
            if len(value) > 10:
                raise _invalid("application_questions", _("Please ask at most 10 questions."))
        elif key == "emergency_number":
            value = value.strip()
            if not re.fullmatch(r"[0-9+ ()-]{2,32}", value):
                raise _invalid("emergency_number", _("Please enter a phone number such as 112."))
        elif key == "location_cell_m" and not 100 <= int(value) <= 50_000:
            raise _invalid(
                "location_cell_m", _("The cell size must be between 100 m and 50,000 m.")
            )
        cleaned[key] = value
    return cleaned


@transaction.atomic
def community_create(
    *,
    creator: User,
    name: str,
    slug: str = "",
    description: str = "",
    time_zone: str = "UTC",
    join_policy: str = "application",
    emergency_number: str = "112",
    location_cell_m: int = 500,
) -> Community:
    """Create a community; its creator becomes its first steward."""
    values = _validate_community_fields(
        {
            "name": name,
            "description": description,
            "time_zone": time_zone,
            "join_policy": join_policy,
            "emergency_number": emergency_number,
            "location_cell_m": location_cell_m,
        }
    )
    slug = (slug or slugify(values["name"]))[:60].strip("-")
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise _invalid("slug", _("Use 3 to 60 lower-case letters, digits and dashes."))
    if Community.objects.filter(slug=slug).exists():
        raise _invalid("slug", _("This web address is taken. Please choose another."))
    community = Community.objects.create(slug=slug, **values)
    membership = Membership.objects.create(community=community, user=creator, role=Role.STEWARD)
    forget_memberships(creator)
    audit_record(
        actor=creator,
        action="community.create",
        community=community,
        target=community,
        after={"name": community.name, "slug": slug},
    )
    audit_record(
        actor=creator,
        action="member.role",
        community=community,
        target=membership,
        subject=creator,
        after={"role": Role.STEWARD},
    )
    return community


RESNAP_CHUNK = 500


def _coarsen_locations(community: Community) -> int:
    """A larger cell is a promise: every stored location is snapped again to it, in chunks
    (one UPDATE per chunk), inside the settings change's transaction. Returns how many moved."""
    rows = (
        Membership.objects.filter(community=community, approx_lat__isnull=False)
        .order_by("pk")
        .values_list("pk", "approx_lat", "approx_lon")
    )
    moved, last = 0, 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:RESNAP_CHUNK])
        if not chunk:
            return moved
        last = chunk[-1][0]
        updates = []
        for pk, lat, lon in chunk:
            new = snap_to_cell(lat, lon, community.location_cell_m)
            if new != (lat, lon):
                updates.append(Membership(pk=pk, approx_lat=new[0], approx_lon=new[1]))
        Membership.objects.bulk_update(updates, ["approx_lat", "approx_lon"])
        moved += len(updates)


@transaction.atomic
def community_update(*, actor: User, community: Community, **changes) -> Community:
    """Stewards change a community's settings; before and after go to the audit log."""
    require(actor, "community.edit", community)
    unknown = set(changes) - set(COMMUNITY_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown settings: %(f)s") % {"f": ", ".join(sorted(unknown))})
    values = _validate_community_fields(changes)
    if values.get("require_mfa_for_staff") and not has_mfa(actor):
        raise _invalid(
            "require_mfa_for_staff",
            _("Set up two-factor sign-in for yourself first, or you would lock yourself out."),
        )
    community = Community.objects.select_for_update().get(pk=community.pk)
    before = _snapshot(community, values)
    for key, value in values.items():
        setattr(community, key, value)
    community.save()
    after = _snapshot(community, values)
    changed = {k for k in values if before[k] != after[k]}
    moved = 0
    if "location_cell_m" in changed and after["location_cell_m"] > before["location_cell_m"]:
        moved = _coarsen_locations(community)
    if changed:
        audit_record(
            actor=actor,
            action="community.update",
            community=community,
            target=community,
            before={k: before[k] for k in changed},
            after={**{k: after[k] for k in changed}, **({"members": moved} if moved else {})},
        )
    return community
