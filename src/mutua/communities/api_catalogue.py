"""API: what a community defines for itself (areas, skills, custom roles) and its audit log.

Each endpoint parses with a schema, calls one service or selector and renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from mutua.api import schemas as s
from mutua.api.errors import responses
from mutua.api.fields import PublicId, RoleSlug, SkillSlug, Slug, Str60
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities import selectors, services
from mutua.communities.api import _area, _community, _custom_role, _viewer
from mutua.people.models import Skill

router = Router(tags=["communities"])


# ---- Areas -------------------------------------------------------------------------------------


@router.get("/{slug}/areas", response=responses({200: Page[s.AreaOut]}), summary="Service areas")
def areas_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    community = selectors.community_visible(slug=slug, viewer=_viewer(request))
    return paginate(selectors.area_list(community=community), page)


@router.post("/{slug}/areas", response=responses({201: s.AreaOut}), summary="Add a service area")
def areas_create(request: HttpRequest, slug: Slug, payload: s.AreaIn) -> Any:
    community = _community(slug)
    area = services.area_create(
        actor=_viewer(request),
        community=community,
        name=payload.name,
        centre_lat=payload.centre_lat,
        centre_lon=payload.centre_lon,
        parent=_area(community, payload.parent, "parent"),
        slug=payload.slug or "",
    )
    return Status(201, area)


@router.patch(
    "/{slug}/areas/{area}",
    response=responses({200: s.AreaOut}),
    summary="Rename, move or nest an area (coordinators); its slug stays; audit-logged",
)
def areas_update(request: HttpRequest, slug: Slug, area: Slug, payload: s.AreaPatch) -> Any:
    community = _community(slug)
    changes = payload.model_dump(exclude_unset=True)
    parent: Any = ""  # "" leaves the parent as it is
    if "parent" in changes:
        parent = _area(community, changes["parent"], "parent")
    return services.area_update(
        actor=_viewer(request),
        area=selectors.area_get(community=community, slug=area),
        name=changes.get("name"),
        centre_lat=changes.get("centre_lat"),
        centre_lon=changes.get("centre_lon"),
        parent=parent,
    )


@router.delete(
    "/{slug}/areas/{area}",
    response=responses({204: None}),
    summary="Delete an area nothing uses (409 says what still uses it); audit-logged",
)
def areas_delete(request: HttpRequest, slug: Slug, area: Slug) -> Any:
    community = _community(slug)
    found = selectors.area_get(community=community, slug=area)
    services.area_delete(actor=_viewer(request), area=found)
    return Status(204, None)


# ---- Skills ------------------------------------------------------------------------------------


@router.get(
    "/{slug}/skills",
    response=responses({200: Page[s.SkillOut]}),
    summary="Skills: the shared list and the community's own, by category and name",
)
def skills_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    community = selectors.community_visible(slug=slug, viewer=_viewer(request))
    skills = selectors.skill_list(community=community).select_related("community")
    return paginate(skills, page, keys=("category", "name", "pk"))


@router.post("/{slug}/skills", response=responses({201: s.SkillOut}), summary="Add a skill")
def skills_create(request: HttpRequest, slug: Slug, payload: s.SkillIn) -> Any:
    skill: Skill = services.skill_add(
        actor=_viewer(request),
        community=_community(slug),
        name=payload.name,
        category=payload.category,
    )
    return Status(201, skill)


@router.patch(
    "/{slug}/skills/{skill}",
    response=responses({200: s.SkillOut}),
    summary="Rename one of the community's own skills (coordinators); audit-logged",
)
def skills_update(request: HttpRequest, slug: Slug, skill: SkillSlug, payload: s.SkillPatch) -> Any:
    community = _community(slug)
    return services.skill_update(
        actor=_viewer(request),
        skill=selectors.own_skill_get(community=community, slug=skill),
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.delete(
    "/{slug}/skills/{skill}",
    response=responses({204: None}),
    summary="Delete one of the community's own skills; members who listed it lose it",
)
def skills_delete(request: HttpRequest, slug: Slug, skill: SkillSlug) -> Any:
    community = _community(slug)
    found = selectors.own_skill_get(community=community, slug=skill)
    services.skill_delete(actor=_viewer(request), skill=found)
    return Status(204, None)


# ---- Custom roles ------------------------------------------------------------------------------


@router.get(
    "/{slug}/roles",
    response=responses({200: Page[s.CustomRoleOut]}),
    summary="The community's own roles",
)
def roles_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    roles = selectors.custom_role_list(community=_community(slug), viewer=_viewer(request))
    return paginate(roles, page)


@router.post(
    "/{slug}/roles",
    response=responses({201: s.CustomRoleOut}),
    summary="Define a role that adds permissions (stewards)",
)
def roles_create(request: HttpRequest, slug: Slug, payload: s.CustomRoleIn) -> Any:
    role = services.custom_role_create(
        actor=_viewer(request),
        community=_community(slug),
        name=payload.name,
        permissions=list(payload.permissions),
    )
    return Status(201, role)


@router.patch(
    "/{slug}/roles/{role}",
    response=responses({200: s.CustomRoleOut}),
    summary="Rename a role or change what it allows (stewards); audit-logged",
)
def roles_update(
    request: HttpRequest, slug: Slug, role: RoleSlug, payload: s.CustomRolePatch
) -> Any:
    community = _community(slug)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    return services.custom_role_update(
        actor=_viewer(request), role=_custom_role(community, role), **changes
    )


@router.delete(
    "/{slug}/roles/{role}",
    response=responses({204: None}),
    summary="Delete a role; its holders lose what it gave them (stewards); audit-logged",
)
def roles_delete(request: HttpRequest, slug: Slug, role: RoleSlug) -> Any:
    community = _community(slug)
    services.custom_role_delete(actor=_viewer(request), role=_custom_role(community, role))
    return Status(204, None)


# ---- Audit -------------------------------------------------------------------------------------


@router.get(
    "/{slug}/audit",
    response=responses({200: Page[s.AuditOut]}),
    summary="What coordinators and stewards did here, newest first; filter by action, people "
    "and days (in the community's time zone)",
)
def audit_list(
    request: HttpRequest,
    slug: Slug,
    page: Query[PageQuery],
    action: Str60 = "",
    actor: PublicId | None = None,
    subject: PublicId | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Any:
    qs = selectors.audit_list(
        viewer=_viewer(request),
        community=_community(slug),
        action=action,
        actor_public_id=actor or "",
        subject_public_id=subject or "",
        since=since,
        until=until,
    )
    return paginate(qs, page, newest_first=True)
