"""API: communities, memberships, applications, invitations, members and their roles.

Areas, skills, custom roles and the audit log are in api_catalogue.py.

Each endpoint parses with a schema, calls one service or selector and renders; the rules (who may
do what, what is valid) live in communities/services.py, selectors.py and core/permissions.py.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from mutua.api import schemas as s
from mutua.api.auth import ANYONE, OPEN_TO_VISITORS
from mutua.api.errors import responses
from mutua.api.fields import PublicId, RoleSlug, SkillSlug, Slug, Str120
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.api.skills import skills_in
from mutua.communities import selectors, services
from mutua.communities.models import (
    Community,
    CustomRole,
    Invitation,
    JoinApplication,
    ServiceArea,
)
from mutua.core.errors import Conflict, NotFound, ValidationFailed
from mutua.core.permissions import require

router = Router(tags=["communities"])
standalone = Router(tags=["communities"])


def _viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _community(slug: str) -> Community:
    return selectors.community_get(slug=slug)


def _by_public_id(model: type[Model], public_id: str, message: str) -> Any:
    obj = model.objects.select_related("community").filter(public_id=public_id).first()  # type: ignore[attr-defined]
    if obj is None:
        raise NotFound(message)
    return obj


def _area(community: Community, slug: str | None, field: str) -> ServiceArea | None:
    if slug is None:
        return None
    area = selectors.area_list(community=community).filter(slug=slug).first()
    if area is None:
        message = _("This community has no area with this name.")
        raise ValidationFailed(message, field_errors={field: [message]})
    return area


# ---- Communities -----------------------------------------------------------------------------


@router.get(
    "",
    auth=ANYONE,
    openapi_extra=OPEN_TO_VISITORS,
    response=responses({200: Page[s.CommunityOut]}),
    summary="Communities listed publicly, and mine",
)
def communities_list(request: HttpRequest, page: Query[PageQuery], mine: bool = False) -> Any:
    return paginate(selectors.community_list(viewer=_viewer(request), mine=mine), page)


@router.post("", response=responses({201: s.CommunityOut}), summary="Start a community")
def communities_create(request: HttpRequest, payload: s.CommunityIn) -> Any:
    community = services.community_create(creator=_viewer(request), **payload.model_dump())
    community.member_count = 1  # type: ignore[attr-defined]
    return Status(201, community)


@router.get(
    "/{slug}",
    auth=ANYONE,
    openapi_extra=OPEN_TO_VISITORS,
    response=responses({200: s.CommunityOut}),
    summary="One community (listed publicly, or one of mine)",
)
def communities_get(request: HttpRequest, slug: Slug) -> Any:
    community = selectors.community_list(viewer=_viewer(request)).filter(slug=slug).first()
    if community is None:
        raise NotFound(_("There is no community at this address."))
    return community


@router.patch("/{slug}", response=responses({200: s.CommunityOut}), summary="Change settings")
def communities_update(request: HttpRequest, slug: Slug, payload: s.CommunityPatch) -> Any:
    return services.community_update(
        actor=_viewer(request),
        community=_community(slug),
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.post(
    "/{slug}/join", response=responses({200: s.MembershipOut}), summary="Join an open community"
)
def communities_join(request: HttpRequest, slug: Slug) -> Any:
    return services.membership_join(user=_viewer(request), community=_community(slug))


@router.post("/{slug}/leave", response=responses({204: None}), summary="Leave a community")
def communities_leave(request: HttpRequest, slug: Slug) -> Any:
    services.membership_leave(user=_viewer(request), community=_community(slug))
    return Status(204, None)


@router.patch(
    "/{slug}/membership",
    response=responses({200: s.MembershipOut}),
    summary="My area, directory listing and vulnerable flag here",
)
def communities_membership_update(
    request: HttpRequest, slug: Slug, payload: s.MembershipSelfIn
) -> Any:
    community = _community(slug)
    changes = payload.model_dump(exclude_unset=True)
    area: Any = ""  # the service reads "" as "leave the area as it is"
    if "service_area" in changes:
        area = _area(community, changes["service_area"], "service_area")
    return services.membership_update_self(
        user=_viewer(request),
        community=community,
        service_area=area,
        listed_in_directory=changes.get("listed_in_directory"),
        is_vulnerable=changes.get("is_vulnerable"),
    )


# ---- Applications --------------------------------------------------------------------------


@router.post(
    "/{slug}/applications",
    response=responses({201: s.ApplicationOut}),
    summary="Apply to join",
)
def applications_submit(request: HttpRequest, slug: Slug, payload: s.ApplicationIn) -> Any:
    application = services.application_submit(
        user=_viewer(request), community=_community(slug), answers=payload.answers
    )
    return Status(201, application)


@router.get(
    "/{slug}/applications",
    response=responses({200: Page[s.ApplicationOut]}),
    summary="Applications waiting for a decision (coordinators)",
)
def applications_list(
    request: HttpRequest,
    slug: Slug,
    page: Query[PageQuery],
    status: Literal["pending", "approved", "declined", "withdrawn"] = "pending",
) -> Any:
    qs = selectors.application_list(
        viewer=_viewer(request), community=_community(slug), status=status
    )
    return paginate(qs.select_related("community"), page)


@standalone.post(
    "/applications/{public_id}/decision",
    response=responses({200: s.ApplicationOut}),
    summary="Approve or decline an application (a decline needs a reason)",
)
def applications_decide(request: HttpRequest, public_id: PublicId, payload: s.DecisionIn) -> Any:
    application = _by_public_id(JoinApplication, public_id, _("No such application."))
    return services.application_decide(
        actor=_viewer(request),
        application=application,
        approve=payload.approve,
        reason=payload.reason,
    )


# ---- Invitations ---------------------------------------------------------------------------


@router.get(
    "/{slug}/invitations",
    response=responses({200: Page[s.InvitationOut]}),
    summary="Invitations sent (coordinators)",
)
def invitations_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    qs = selectors.invitation_list(viewer=_viewer(request), community=_community(slug))
    return paginate(qs, page, newest_first=True)


@router.post(
    "/{slug}/invitations",
    response=responses({201: s.NewInvitationOut}),
    summary="Invite by e-mail, or make a single-use link (the token is shown once)",
)
def invitations_create(request: HttpRequest, slug: Slug, payload: s.InvitationIn) -> Any:
    invitation, token = services.invitation_create(
        actor=_viewer(request), community=_community(slug), email=payload.email, days=payload.days
    )
    return Status(201, {"invitation": invitation, "token": token})


@router.post(
    "/{slug}/invitations/bulk",
    response=responses({200: s.BulkReportOut}),
    summary="Invite a pasted list of addresses; report what was sent and refused",
)
def invitations_bulk(request: HttpRequest, slug: Slug, payload: s.BulkInvitationIn) -> Any:
    report = services.invitation_bulk(
        actor=_viewer(request), community=_community(slug), text=payload.text, days=payload.days
    )
    refused = [{"email": email, "reason": reason} for email, reason in report.refused]
    return {"sent": report.sent, "refused": refused}


# /invitations/accept comes before /invitations/{public_id}, which would match it first.
@standalone.post(
    "/invitations/accept",
    response=responses({200: s.MembershipOut}),
    summary="Accept an invitation with its token",
)
def invitations_accept(request: HttpRequest, payload: s.AcceptIn) -> Any:
    return services.invitation_accept(user=_viewer(request), token=payload.token)


@standalone.delete(
    "/invitations/{public_id}", response=responses({204: None}), summary="Withdraw an invitation"
)
def invitations_revoke(request: HttpRequest, public_id: PublicId) -> Any:
    invitation = _by_public_id(Invitation, public_id, _("No such invitation."))
    services.invitation_revoke(actor=_viewer(request), invitation=invitation)
    return Status(204, None)


# ---- Members ---------------------------------------------------------------------------------


@router.get(
    "/{slug}/members",
    response=responses({200: Page[s.MemberOut]}),
    summary="The member directory (names and approximate locations only)",
)
def members_list(
    request: HttpRequest,
    slug: Slug,
    page: Query[PageQuery],
    area: Slug | None = None,
    skill: SkillSlug | None = None,
    q: Str120 = "",
) -> Any:
    community = _community(slug)
    skill_obj = None
    if skill is not None:
        skill_obj = skills_in(community=community, slugs=[skill], field="skill")[0]
    qs = selectors.member_directory(
        viewer=_viewer(request),
        community=community,
        area=_area(community, area, "area"),
        skill=skill_obj,
        q=q,
    )
    return paginate(qs, page)


def _member(request: HttpRequest, slug: str, public_id: str) -> Any:
    return selectors.member_get(
        viewer=_viewer(request), community=_community(slug), public_id=public_id
    )


@router.get(
    "/{slug}/members/{public_id}",
    response=responses({200: s.MemberDetailOut}),
    summary="One member",
)
def members_get(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    return _member(request, slug, public_id)


@router.patch(
    "/{slug}/members/{public_id}",
    response=responses({200: s.MemberDetailOut}),
    summary="Change a member's role, vetting date or vulnerable flag (coordinators, stewards)",
)
def members_update(
    request: HttpRequest, slug: Slug, public_id: PublicId, payload: s.MemberPatch
) -> Any:
    actor, changes = _viewer(request), payload.model_dump(exclude_unset=True)
    membership = _member(request, slug, public_id)
    with transaction.atomic():  # a role and attributes change together or not at all
        if changes.get("role") is not None:
            membership = services.membership_change_role(
                actor=actor, membership=membership, role=changes["role"]
            )
        if "vetted_until" in changes or changes.get("is_vulnerable") is not None:
            membership = services.membership_set_attributes(
                actor=actor,
                membership=membership,
                vetted_until=changes.get("vetted_until", ""),
                is_vulnerable=changes.get("is_vulnerable"),
            )
    return _member(request, slug, public_id)


@router.post(
    "/{slug}/members/{public_id}/removal",
    response=responses({204: None}),
    summary="Remove a member, with a reason (coordinators)",
)
def members_remove(
    request: HttpRequest, slug: Slug, public_id: PublicId, payload: s.ReasonIn
) -> Any:
    membership = _member(request, slug, public_id)
    services.membership_remove(actor=_viewer(request), membership=membership, reason=payload.reason)
    return Status(204, None)


@router.get(
    "/{slug}/members/{public_id}/private",
    response=responses({200: s.PrivateDetailsOut}),
    summary="A member's private details (coordinators; phone only for callers). Audit-logged.",
)
def members_private(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    from mutua.people.services import sensitive_read

    membership = _member(request, slug, public_id)
    return sensitive_read(
        viewer=_viewer(request),
        person=membership.user,
        purpose="api",
        community=membership.community,
    )


@router.put(
    "/{slug}/members/{public_id}/location",
    response=responses({200: s.MemberDetailOut}),
    summary="Set a member's approximate location (coordinators); snapped to the cell; audit-logged",
)
def members_location(
    request: HttpRequest, slug: Slug, public_id: PublicId, payload: s.LocationIn
) -> Any:
    membership = _member(request, slug, public_id)
    services.membership_set_location(
        actor=_viewer(request), membership=membership, lat=payload.lat, lon=payload.lon
    )
    return _member(request, slug, public_id)


@router.put(
    "/{slug}/membership/location",
    response=responses({200: s.MembershipOut}),
    summary="My approximate location here, from the browser with my consent (snapped to the "
    "community's cell; the precise point is never kept)",
)
def communities_my_location(request: HttpRequest, slug: Slug, payload: s.LocationIn) -> Any:
    community = _community(slug)
    membership = require(_viewer(request), "community.view", community)
    return services.membership_set_location(
        actor=_viewer(request), membership=membership, lat=payload.lat, lon=payload.lon
    )


@router.get(
    "/{slug}/call-list",
    response=responses({200: Page[s.CallListRowOut]}),
    summary="Members to phone, with their numbers (callers and coordinators). Each person on "
    "the page is written to the audit log.",
)
def call_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    from mutua.people.services import sensitive_phones_read

    community, viewer = _community(slug), _viewer(request)
    result = paginate(selectors.call_list(viewer=viewer, community=community), page)
    phones = sensitive_phones_read(
        viewer=viewer, community=community, people=[m.user for m in result["items"]]
    )
    for m in result["items"]:
        m.phone = phones.get(m.user_id, "")
    return result


def _custom_role(community: Community, role_slug: str) -> CustomRole:
    roles = selectors.custom_role_list(community=community)
    found = [r for r in roles if services.custom_role_slug(r.name) == role_slug]
    if not found:
        raise NotFound(_("Please choose one of the roles."))
    if len(found) > 1:  # only roles named before slugs were kept unique
        raise Conflict(_("Two roles here have names that read the same. Use the roles page."))
    return found[0]


def _custom_role_set(
    request: HttpRequest, slug: str, public_id: str, role_slug: str, *, granted: bool
) -> Any:
    community = _community(slug)
    require(_viewer(request), "role.manage", community)  # as the web's roles page does
    membership = _member(request, slug, public_id)
    services.custom_role_assign(
        actor=_viewer(request),
        membership=membership,
        role=_custom_role(community, role_slug),
        granted=granted,
    )
    return _member(request, slug, public_id)


@router.put(
    "/{slug}/members/{public_id}/roles/{role}",
    response=responses({200: s.MemberDetailOut}),
    summary="Give a member a custom role (stewards); audit-logged",
)
def members_role_give(request: HttpRequest, slug: Slug, public_id: PublicId, role: RoleSlug) -> Any:
    return _custom_role_set(request, slug, public_id, role, granted=True)


@router.delete(
    "/{slug}/members/{public_id}/roles/{role}",
    response=responses({204: None}),
    summary="Take a custom role back from a member (stewards); audit-logged",
)
def members_role_take(request: HttpRequest, slug: Slug, public_id: PublicId, role: RoleSlug) -> Any:
    _custom_role_set(request, slug, public_id, role, granted=False)
    return Status(204, None)
