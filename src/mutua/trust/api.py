"""API: my trust, members' levels, vouches, blocks, concerns and the coordinators' overview.

Each endpoint parses with a schema, calls one service or selector and renders. Levels are shown,
raw scores never.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from mutua.api.errors import responses
from mutua.api.fields import PublicId, Slug, Str300, Str2000, Str4000
from mutua.communities.models import Membership
from mutua.communities.selectors import community_get
from mutua.core.errors import NotFound
from mutua.trust import safeguarding, selectors, services
from mutua.trust.models import Vouch

router = Router(tags=["trust"])


class GateOut(Schema):
    what: str
    level_needed: str


class MyTrustOut(Schema):
    level: str
    level_label: str
    explanation: str
    can: list[str]
    not_yet: list[GateOut]


class LevelOut(Schema):
    member: str
    level: str


class VouchIn(Schema):
    member: PublicId
    note: Str300 = ""


class VouchOut(Schema):
    id: str
    member: str
    note: str


class ConcernIn(Schema):
    text: Str4000
    about: PublicId | None = None


class ConcernOut(Schema):
    id: str
    status: str


class ReviewIn(Schema):
    outcome: Str2000


class OverviewOut(Schema):
    new: int
    known: int
    trusted: int
    computed: int | None = None


class BlockIn(Schema):
    member: PublicId


def _viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _member(community, public_id: str) -> Membership:
    found = (
        Membership.objects.select_related("user", "community")
        .filter(community=community, public_id=public_id)
        .first()
    )
    if found is None:
        raise NotFound(_("This member was not found."))
    return found


@router.get(
    "/communities/{slug}/trust/me", response=responses({200: MyTrustOut}), summary="My trust"
)
def my_trust(request: HttpRequest, slug: Slug) -> Any:
    mine = selectors.my_trust(viewer=_viewer(request), community=community_get(slug=slug))
    return {
        "level": mine.level,
        "level_label": mine.level_label,
        "explanation": mine.explanation,
        "can": mine.can,
        "not_yet": [{"what": w, "level_needed": lvl} for w, lvl in mine.cannot],
    }


@router.get(
    "/communities/{slug}/members/{public_id}/trust",
    response=responses({200: LevelOut}),
    summary="A member's trust level (never the score)",
)
def member_level(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    membership = _member(community_get(slug=slug), public_id)
    level = selectors.member_level(viewer=_viewer(request), membership=membership)
    if not level:
        raise NotFound(_("This member was not found."))
    return {"member": membership.public_id, "level": level}


@router.post(
    "/communities/{slug}/vouches", response=responses({201: VouchOut}), summary="Vouch for a member"
)
def vouch_create(request: HttpRequest, slug: Slug, payload: VouchIn) -> Any:
    community = community_get(slug=slug)
    membership = _member(community, payload.member)
    vouch = services.vouch_create(
        voucher=_viewer(request), vouchee=membership.user, community=community, note=payload.note
    )
    return Status(201, {"id": vouch.public_id, "member": membership.public_id, "note": vouch.note})


@router.post(
    "/vouches/{public_id}/revoke",
    response=responses({204: None}),
    summary="Withdraw a vouch",
)
def vouch_revoke(request: HttpRequest, public_id: PublicId) -> Any:
    vouch = Vouch.objects.filter(public_id=public_id).first()
    if vouch is None:
        raise NotFound(_("This vouch was not found."))
    services.vouch_revoke(actor=_viewer(request), vouch=vouch)
    return Status(204, None)


@router.post(
    "/communities/{slug}/blocks", response=responses({204: None}), summary="Block a member"
)
def block_create(request: HttpRequest, slug: Slug, payload: BlockIn) -> Any:
    community = community_get(slug=slug)
    membership = _member(community, payload.member)
    safeguarding.block_create(user=_viewer(request), other=membership.user)
    return Status(204, None)


@router.post(
    "/communities/{slug}/concerns",
    response=responses({201: ConcernOut}),
    summary="Report a concern privately to coordinators",
)
def concern_create(request: HttpRequest, slug: Slug, payload: ConcernIn) -> Any:
    community = community_get(slug=slug)
    about = _member(community, payload.about).user if payload.about else None
    concern = safeguarding.concern_report(
        reporter=_viewer(request), community=community, text=payload.text, about=about
    )
    return Status(201, {"id": concern.public_id, "status": concern.status})


@router.post(
    "/communities/{slug}/concerns/{public_id}/review",
    response=responses({200: ConcernOut}),
    summary="Coordinators: record the review of a concern",
)
def concern_review(request: HttpRequest, slug: Slug, public_id: PublicId, payload: ReviewIn) -> Any:
    viewer = _viewer(request)
    concern = selectors.concern_get(
        viewer=viewer, community=community_get(slug=slug), public_id=public_id
    )
    concern = safeguarding.concern_review(actor=viewer, concern=concern, outcome=payload.outcome)
    return {"id": concern.public_id, "status": concern.status}


@router.get(
    "/communities/{slug}/trust/overview",
    response=responses({200: OverviewOut}),
    summary="Coordinators: how many members at each level",
)
def overview(request: HttpRequest, slug: Slug) -> Any:
    data = selectors.trust_overview(
        viewer=_viewer(request), community=community_get(slug=slug), limit=0
    )
    return {**data.counts}


@router.post(
    "/communities/{slug}/trust/recompute",
    response=responses({200: OverviewOut}),
    summary="Coordinators: compute trust now",
)
def recompute(request: HttpRequest, slug: Slug) -> Any:
    viewer = _viewer(request)
    community = community_get(slug=slug)
    count = services.trust_recompute_request(actor=viewer, community=community)
    data = selectors.trust_overview(viewer=viewer, community=community, limit=0)
    return {**data.counts, "computed": count}
