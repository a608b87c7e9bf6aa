"""API: blocks, concerns and the coordinators' review queue, suspension. Mounted by `trust.api`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug, Str2000, Str4000
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities.models import Membership
from mutua.communities.selectors import community_get
from mutua.core.errors import NotFound
from mutua.trust import safeguarding, selectors

router = Router(tags=["trust"])


class BlockIn(In):
    member: PublicId


class ConcernIn(In):
    text: Str4000
    about: PublicId | None = None


class ConcernOut(Schema):
    id: str
    status: str


class ConcernDetailOut(Schema):
    id: str
    status: str
    text: str
    created_at: dt.datetime
    reporter: str | None  # the reporter's member id here (None once they have left)
    reporter_name: str
    about: str | None
    about_name: str
    outcome: str
    reviewed_at: dt.datetime | None


class ReviewIn(In):
    outcome: Str2000


class SuspendReasonIn(In):
    reason: Str2000


class MembershipStatusOut(Schema):
    member: str
    status: str


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


@router.post(
    "/communities/{slug}/blocks", response=responses({204: None}), summary="Block a member"
)
def block_create(request: HttpRequest, slug: Slug, payload: BlockIn) -> Any:
    community = community_get(slug=slug)
    membership = _member(community, payload.member)
    safeguarding.block_create(user=_viewer(request), other=membership.user)
    return Status(204, None)


@router.delete(
    "/communities/{slug}/blocks/{public_id}",
    response=responses({204: None}),
    summary="Stop blocking a member",
)
def block_remove(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    membership = _member(community_get(slug=slug), public_id)
    safeguarding.block_remove(user=_viewer(request), other=membership.user)
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


def _concern_row(c) -> dict:
    return {
        "id": c.public_id,
        "status": c.status,
        "text": c.text,
        "created_at": c.created_at,
        "reporter": c.reporter_member,
        "reporter_name": str(c.reporter) if c.reporter else "",
        "about": c.about_member,
        "about_name": str(c.about) if c.about else "",
        "outcome": c.outcome,
        "reviewed_at": c.reviewed_at,
    }


@router.get(
    "/communities/{slug}/concerns",
    response=responses({200: Page[ConcernDetailOut]}),
    summary="Coordinators: the concern review queue",
)
def concern_list(
    request: HttpRequest,
    slug: Slug,
    page: Query[PageQuery],
    status: Literal["open", "reviewed", "all"] = "open",
) -> Any:
    qs = selectors.concern_queue(
        viewer=_viewer(request),
        community=community_get(slug=slug),
        status="" if status == "all" else status,
    )
    result = paginate(qs, page)
    result["items"] = [_concern_row(c) for c in result["items"]]
    return result


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


@router.post(
    "/communities/{slug}/members/{public_id}/suspend",
    response=responses({200: MembershipStatusOut}),
    summary="Coordinators: suspend a member pending review",
)
def suspend(request: HttpRequest, slug: Slug, public_id: PublicId, payload: SuspendReasonIn) -> Any:
    membership = _member(community_get(slug=slug), public_id)
    done = safeguarding.membership_suspend(
        actor=_viewer(request), membership=membership, reason=payload.reason
    )
    return {"member": done.public_id, "status": done.status}


@router.post(
    "/communities/{slug}/members/{public_id}/unsuspend",
    response=responses({200: MembershipStatusOut}),
    summary="Coordinators: lift a suspension",
)
def unsuspend(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    membership = _member(community_get(slug=slug), public_id)
    done = safeguarding.membership_unsuspend(actor=_viewer(request), membership=membership)
    return {"member": done.public_id, "status": done.status}
