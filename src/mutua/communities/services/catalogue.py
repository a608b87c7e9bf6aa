"""What a community defines for itself: service areas, skills and custom roles."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mutua.communities.models import (
    Community,
    CustomRole,
    Membership,
    ServiceArea,
)
from mutua.communities.services.common import (
    _invalid,
)
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict
from mutua.core.permissions import GRANTABLE, forget_memberships, require
from mutua.people.models import Skill, User


@transaction.atomic
def area_create(
    *,
    actor: User,
    community: Community,
    name: str,
    centre_lat: float,
    centre_lon: float,
    parent: ServiceArea | None = None,
    slug: str = "",
) -> ServiceArea:
    require(actor, "area.manage", community)
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise _invalid("name", _("Please give a name of up to 120 characters."))
    if not (-90 <= centre_lat <= 90 and -180 <= centre_lon <= 180):
        raise _invalid("centre_lat", _("These coordinates are not on Earth."))
    if parent is not None and parent.community_id != community.pk:
        raise _invalid("parent", _("This area belongs to another community."))
    slug = (slug or slugify(name))[:60] or "area"
    if ServiceArea.objects.filter(community=community, slug=slug).exists():
        raise _invalid("name", _("There is already an area with this name."))
    area = ServiceArea.objects.create(
        community=community,
        name=name,
        slug=slug,
        centre_lat=centre_lat,
        centre_lon=centre_lon,
        parent=parent,
    )
    audit_record(
        actor=actor, action="area.create", community=community, target=area, after={"name": name}
    )
    return area


@transaction.atomic
def skill_add(*, actor: User, community: Community, name: str, category: str = "") -> Skill:
    """Coordinators extend the shared skill taxonomy for their community."""
    require(actor, "skill.manage", community)
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise _invalid("name", _("Please give a name of up to 80 characters."))
    slug = slugify(name)[:60] or "skill"
    if (
        Skill.objects.filter(slug=slug).filter(community__in=[community]).exists()
        or Skill.objects.filter(slug=slug, community__isnull=True).exists()
    ):
        raise _invalid("name", _("This skill is already in the list."))
    skill = Skill.objects.create(
        community=community, slug=slug, name=name, category=category.strip()[:60]
    )
    audit_record(
        actor=actor, action="skill.create", community=community, target=skill, after={"name": name}
    )
    return skill


def custom_role_slug(name: str) -> str:
    """How the API names a custom role: its name as a slug, in any script (names never change)."""
    return slugify(name, allow_unicode=True)[:60]


@transaction.atomic
def custom_role_create(
    *, actor: User, community: Community, name: str, permissions: list[str]
) -> CustomRole:
    """Stewards define roles that add chosen permissions (never a steward's own powers)."""
    require(actor, "role.manage", community)
    name = name.strip()
    if not 1 <= len(name) <= 60:
        raise _invalid("name", _("Please give a name of up to 60 characters."))
    bad = [p for p in permissions if p not in GRANTABLE]
    if bad:
        raise _invalid(
            "permissions", _("These permissions cannot be granted: %(p)s") % {"p": ", ".join(bad)}
        )
    slug = custom_role_slug(name)
    if not slug:
        raise _invalid("name", _("Please use some letters or digits in the name."))
    # Names that make the same slug ("Drivers", "drivers!") would name one role in the API.
    names = CustomRole.objects.filter(community=community).values_list("name", flat=True)
    if any(custom_role_slug(other) == slug for other in names):
        raise _invalid("name", _("There is already a role with this name."))
    role = CustomRole.objects.create(
        community=community, name=name, permissions=sorted(set(permissions))
    )
    audit_record(
        actor=actor,
        action="role.create",
        community=community,
        target=role,
        after={"name": name, "permissions": role.permissions},
    )
    return role


@transaction.atomic
def custom_role_assign(
    *, actor: User, membership: Membership, role: CustomRole, granted: bool = True
) -> Membership:
    """Stewards give custom roles to members and take them back; a change is audit-logged."""
    require(actor, "role.manage", membership.community)
    if role.community_id != membership.community_id:
        raise _invalid("role", _("This role belongs to another community."))
    if granted and not membership.is_active:
        raise Conflict(_("This person is no longer a member."))
    if membership.custom_roles.filter(pk=role.pk).exists() == granted:
        return membership  # nothing changes, so nothing is logged
    if granted:
        membership.custom_roles.add(role)
    else:
        membership.custom_roles.remove(role)
    forget_memberships(membership.user)
    forget_memberships(actor)
    audit_record(
        actor=actor,
        action="member.custom_role",
        community=membership.community,
        target=membership,
        subject=membership.user,
        after={"role": role.name, "granted": granted},
    )
    return membership
