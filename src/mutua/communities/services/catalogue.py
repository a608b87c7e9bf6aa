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
from mutua.communities.services.common import _invalid, _snapshot
from mutua.communities.services.usage import uses_of
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import GRANTABLE, STAFF_ACTIONS, forget_memberships, require
from mutua.people.models import Skill, User

# What only a coordinator may do (safeguarding review, sensitive details, trust, …). A custom
# role that grants any of it asks the same trust level as being made coordinator.
COORDINATOR_POWERS = frozenset(GRANTABLE) & STAFF_ACTIONS


def _gives_coordinator_powers(permissions) -> bool:
    return bool(COORDINATOR_POWERS & set(permissions or []))


def _trust_gate_for_powers(membership: Membership) -> None:
    """The trust gate for staff, as `membership_change_role` applies it (staff already passed)."""
    if membership.role in ("coordinator", "steward"):
        return  # they hold these powers already
    from mutua.trust.services import trust_gate_require  # a trust level gates staff powers

    trust_gate_require(membership.user, membership.community, "coordinator")


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
def area_update(
    *,
    actor: User,
    area: ServiceArea,
    name: str | None = None,
    centre_lat: float | None = None,
    centre_lon: float | None = None,
    parent: ServiceArea | str | None = "",
) -> ServiceArea:
    """Rename an area, move its centre or nest it elsewhere; its slug (the API's name for it)
    stays. An area cannot become part of itself or of an area inside it."""
    community = area.community
    require(actor, "area.manage", community)
    area = ServiceArea.objects.select_for_update().get(pk=area.pk)
    fields = ("name", "centre_lat", "centre_lon", "parent_id")
    before = _snapshot(area, fields)
    if name is not None:
        name = name.strip()
        if not 1 <= len(name) <= 120:
            raise _invalid("name", _("Please give a name of up to 120 characters."))
        if (
            ServiceArea.objects.filter(community=community, name__iexact=name)
            .exclude(pk=area.pk)
            .exists()
        ):
            raise _invalid("name", _("There is already an area with this name."))
        area.name = name
    lat = area.centre_lat if centre_lat is None else centre_lat
    lon = area.centre_lon if centre_lon is None else centre_lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _invalid("centre_lat", _("These coordinates are not on Earth."))
    area.centre_lat, area.centre_lon = lat, lon
    if not isinstance(parent, str):
        if parent is not None:
            if parent.community_id != community.pk:
                raise _invalid("parent", _("This area belongs to another community."))
            ancestor: ServiceArea | None = parent
            for _step in range(50):
                if ancestor is None:
                    break
                if ancestor.pk == area.pk:
                    raise _invalid("parent", _("An area cannot be part of itself."))
                ancestor = ancestor.parent
        area.parent = parent
    area.save()
    after = _snapshot(area, fields)
    changed = [k for k in fields if before[k] != after[k]]
    if changed:
        names = {"parent_id": "parent"}
        parents = dict(
            ServiceArea.objects.filter(
                pk__in=[before["parent_id"], after["parent_id"]]
            ).values_list("pk", "name")
        )

        def shown(snapshot, key):
            return parents.get(snapshot[key]) if key == "parent_id" else snapshot[key]

        audit_record(
            actor=actor,
            action="area.update",
            community=community,
            target=area,
            before={names.get(k, k): shown(before, k) for k in changed},
            after={names.get(k, k): shown(after, k) for k in changed},
        )
    return area


@transaction.atomic
def area_delete(*, actor: User, area: ServiceArea) -> None:
    """Delete an area nothing uses; otherwise say what uses it (members, areas inside, needs)."""
    community = area.community
    require(actor, "area.manage", community)
    uses = uses_of(area)
    if uses:
        raise Conflict(
            _("This area is still in use: %(uses)s. Move them to another area first.")
            % {"uses": ", ".join(uses)}
        )
    audit_record(
        actor=actor,
        action="area.delete",
        community=community,
        target=area,
        before={"name": area.name},
    )
    area.delete()


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


def _own_skill(actor: User, skill: Skill) -> Community:
    if skill.community is None:
        raise PermissionDenied(_("Skills everyone shares cannot be changed here."))
    require(actor, "skill.manage", skill.community)
    return skill.community


@transaction.atomic
def skill_update(
    *, actor: User, skill: Skill, name: str | None = None, category: str | None = None
) -> Skill:
    """Coordinators rename their community's own skills; the slug stays (the API's name)."""
    community = _own_skill(actor, skill)
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    before = {"name": skill.name, "category": skill.category}
    if name is not None:
        name = name.strip()
        if not 1 <= len(name) <= 80:
            raise _invalid("name", _("Please give a name of up to 80 characters."))
        skill.name = name
    if category is not None:
        skill.category = category.strip()[:60]
    skill.save()
    after = {"name": skill.name, "category": skill.category}
    changed = [k for k in after if before[k] != after[k]]
    if changed:
        audit_record(
            actor=actor,
            action="skill.update",
            community=community,
            target=skill,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return skill


@transaction.atomic
def skill_delete(*, actor: User, skill: Skill) -> int:
    """Delete a community's own skill; members who listed it lose it (their number is logged).
    A skill that needs or offers ask for is refused, saying so. Returns that number."""
    community = _own_skill(actor, skill)
    uses = uses_of(skill, ignore=frozenset({"people.profileskill"}))
    if uses:
        raise Conflict(
            _("This skill is still in use: %(uses)s. Change them first.")
            % {"uses": ", ".join(uses)}
        )
    holders = skill.profile_skills.count()
    audit_record(
        actor=actor,
        action="skill.delete",
        community=community,
        target=skill,
        before={"name": skill.name},
        after={"members": holders},
    )
    skill.delete()
    return holders


def custom_role_slug(name: str) -> str:
    """How the API names a custom role: its name as a slug, in any script (names never change)."""
    return slugify(name, allow_unicode=True)[:60]


@transaction.atomic
def custom_role_create(
    *, actor: User, community: Community, name: str, permissions: list[str]
) -> CustomRole:
    """Stewards define roles that add chosen permissions (never a steward's own powers)."""
    require(actor, "role.manage", community)
    name = _role_name(community, name)
    permissions = _grantable(permissions)
    role = CustomRole.objects.create(community=community, name=name, permissions=permissions)
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
    """Stewards give custom roles to members and take them back; a change is audit-logged. A
    role with coordinators' powers asks the trust level a coordinator needs."""
    require(actor, "role.manage", membership.community)
    if role.community_id != membership.community_id:
        raise _invalid("role", _("This role belongs to another community."))
    if granted and not membership.is_active:
        raise Conflict(_("This person is no longer a member."))
    if membership.custom_roles.filter(pk=role.pk).exists() == granted:
        return membership  # nothing changes, so nothing is logged
    if granted and _gives_coordinator_powers(role.permissions):
        _trust_gate_for_powers(membership)
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


def _role_name(community: Community, name: str, *, exclude: int | None = None) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 60:
        raise _invalid("name", _("Please give a name of up to 60 characters."))
    slug = custom_role_slug(name)
    if not slug:
        raise _invalid("name", _("Please use some letters or digits in the name."))
    # Names that make the same slug ("Drivers", "drivers!") would name one role in the API.
    others = CustomRole.objects.filter(community=community).exclude(pk=exclude)
    if any(custom_role_slug(other) == slug for other in others.values_list("name", flat=True)):
        raise _invalid("name", _("There is already a role with this name."))
    return name


def _grantable(permissions: list[str]) -> list[str]:
    bad = [p for p in permissions if p not in GRANTABLE]
    if bad:
        raise _invalid(
            "permissions", _("These permissions cannot be granted: %(p)s") % {"p": ", ".join(bad)}
        )
    return sorted(set(permissions))


@transaction.atomic
def custom_role_update(
    *,
    actor: User,
    role: CustomRole,
    name: str | None = None,
    permissions: list[str] | None = None,
) -> CustomRole:
    """Stewards rename a role or change what it allows; holders keep it. A new name gives the
    role a new slug in the API. Adding coordinators' powers asks each holder's trust level."""
    community = role.community
    require(actor, "role.manage", community)
    role = CustomRole.objects.select_for_update().get(pk=role.pk)
    before = {"name": role.name, "permissions": role.permissions}
    if name is not None:
        role.name = _role_name(community, name, exclude=role.pk)
    if permissions is not None:
        role.permissions = _grantable(permissions)
        if (set(role.permissions) & COORDINATOR_POWERS) - set(before["permissions"] or []):
            # New coordinators' powers reach every holder: each must pass the same gate.
            for holder in role.memberships.filter(status="active").select_related(
                "user", "community"
            ):
                _trust_gate_for_powers(holder)
    role.save()
    after = {"name": role.name, "permissions": role.permissions}
    changed = [k for k in after if before[k] != after[k]]
    if changed:
        for m in role.memberships.select_related("user"):
            forget_memberships(m.user)
        forget_memberships(actor)
        audit_record(
            actor=actor,
            action="role.update",
            community=community,
            target=role,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return role


@transaction.atomic
def custom_role_delete(*, actor: User, role: CustomRole) -> int:
    """Stewards delete a role; its holders lose what it gave them. Returns how many held it."""
    community = role.community
    require(actor, "role.manage", community)
    holders = list(role.memberships.select_related("user"))
    audit_record(
        actor=actor,
        action="role.delete",
        community=community,
        target=role,
        before={"name": role.name, "permissions": role.permissions},
        after={"members": len(holders)},
    )
    role.delete()
    for m in holders:
        forget_memberships(m.user)
    forget_memberships(actor)
    return len(holders)
