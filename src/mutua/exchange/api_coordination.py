"""API: editing needs, dispatch (list and bulk), standing arrangements, offer requests and
repaid expenses. Same rules as `exchange/api.py`: parse, call one service or selector, render;
refusals are problem+json."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from mutua.api.errors import responses
from mutua.api.fields import (
    In,
    PublicId,
    SkillSlug,
    Slug,
    Str80,
    Str120,
    Str300,
    Str1000,
    Str4000,
)
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.api.skills import skills_in
from mutua.communities.selectors import community_get
from mutua.exchange import selectors, services
from mutua.exchange.api import (
    ExpenseOut,
    GenderCode,
    KindCode,
    NeedOut,
    RequirementCode,
    UrgencyCode,
    _area,
    _commitment,
    _viewer,
)
from mutua.exchange.api import router as needs_router
from mutua.exchange.models import StandingArrangement
from mutua.exchange.selectors_mine import my_offer_requests_waiting
from mutua.exchange.services.arrangements import ArrangementTermView, arrangement_terms

router = Router(tags=["exchange"])


class NeedEditIn(In):
    """Only the fields given change."""

    title: Str120 | None = None
    description: Str4000 | None = None
    kind: KindCode | None = None
    category: Str120 | None = None
    urgency: UrgencyCode | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    service_area: Slug | None = None
    helpers_wanted: int | None = Field(None, ge=1, le=50)
    skills: list[SkillSlug] | None = Field(None, max_length=30)
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] | None = Field(
        None, max_length=10
    )
    requirements: list[RequirementCode] | None = Field(None, max_length=5)
    gender_wanted: GenderCode | None = Field(
        None, description="With same_gender: coordinators record the helper's gender asked for"
    )
    allow_self_assign: bool | None = None
    expires_at: dt.datetime | None = None


# On the router that serves GET /needs/{id}: Ninja answers a path from one router only.
@needs_router.patch(
    "/needs/{need_id}",
    response=responses({200: NeedOut}),
    summary="Change a need (the person or a coordinator)",
)
def needs_edit(request: HttpRequest, need_id: PublicId, payload: NeedEditIn) -> Any:
    viewer = _viewer(request)
    need = selectors.need_get(viewer=viewer, public_id=need_id)
    values: dict[str, Any] = {
        "title": need.title,
        "description": need.description,
        "kind": need.kind,
        "category": need.category,
        "urgency": need.urgency,
        "starts_at": need.starts_at,
        "ends_at": need.ends_at,
        "service_area": need.service_area,
        "helpers_wanted": need.helpers_wanted,
        "skill_ids": [s.pk for s in need.skills.all()],
        "languages": need.languages,
        "requirements": need.requirements,
        "allow_self_assign": need.allow_self_assign,
        "expires_at": need.expires_at,
        "gender_wanted": need.gender_wanted,
    }
    changes = payload.model_dump(exclude_unset=True)
    if "service_area" in changes:
        changes["service_area"] = _area(need.community, changes["service_area"])
    if "skills" in changes:
        slugs = changes.pop("skills") or []
        changes["skill_ids"] = [sk.pk for sk in skills_in(community=need.community, slugs=slugs)]
    values.update(changes)
    need = services.need_edit(actor=viewer, need=need, **values)
    return selectors.need_get(viewer=viewer, public_id=need.public_id)


class DispatchNeedOut(NeedOut):
    pending_responses: int = 0
    area: str | None = Field(None, alias="service_area.slug")


class DispatchQuery(Schema):
    area: Slug | None = None
    kind: KindCode | None = None
    urgency: UrgencyCode | None = None
    text: Str120 | None = None
    skill: SkillSlug | None = None


@router.get(
    "/communities/{slug}/dispatch",
    response=responses({200: Page[DispatchNeedOut]}),
    summary="Needs waiting for helpers (coordinators), most urgent first, then oldest first",
    description="The dispatch board: unanswered needs ordered by urgency (immediate, day, "
    "week, flexible), then by age, oldest first; `next_cursor` continues in the same order.",
)
def dispatch_list(
    request: HttpRequest, slug: Slug, page: Query[PageQuery], f: Query[DispatchQuery]
) -> Any:
    filters = selectors.NeedFilters(
        area=f.area or "", kind=f.kind or "", urgency=f.urgency or "", text=f.text or ""
    )
    community = community_get(slug=slug)
    skill = skills_in(community=community, slugs=[f.skill], field="skill")[0] if f.skill else None
    qs = selectors.dispatch_board(
        viewer=_viewer(request),
        community=community,
        filters=filters,
        skill=skill.pk if skill else 0,
    )
    return paginate(qs, page, keys=selectors.NEED_ORDER)


class BulkIn(In):
    needs: list[PublicId] = Field(min_length=1, max_length=100)
    action: Literal["not_needed", "expired", "duplicate", "cancelled", "assign"]
    helper: PublicId | None = None
    reason: Str300 = ""


class BulkOut(Schema):
    updated: int


@router.post(
    "/communities/{slug}/dispatch/bulk",
    response=responses({200: BulkOut}),
    summary="Close or assign several needs at once (all or none)",
)
def dispatch_bulk(request: HttpRequest, slug: Slug, payload: BulkIn) -> Any:
    community = community_get(slug=slug)
    if payload.action == "assign":
        helper = selectors.member_user(community=community, public_id=payload.helper or "")
        done = services.need_bulk_assign(
            actor=_viewer(request), community=community, public_ids=payload.needs, helper=helper
        )
    else:
        done = services.need_bulk_close(
            actor=_viewer(request),
            community=community,
            public_ids=payload.needs,
            status=payload.action,
            reason=payload.reason,
        )
    return {"updated": len(done)}


class ArrangementOut(Schema):
    id: str = Field(alias="public_id")
    title: str
    description: str
    kind: str
    status: str
    rrule: str
    dtstart: dt.datetime
    duration_minutes: int
    person: str | None = Field(None, alias="person.public_id")
    helper: str = Field(alias="helper.public_id")
    materialised_until: dt.datetime
    created_at: dt.datetime
    term_ends_at: dt.datetime | None = Field(
        None, description="No dates at or after this until renewed; null: no term here"
    )
    renews_automatically: bool | None = Field(
        None, description="The term renews by itself (both trusted); null: no term here"
    )

    @staticmethod
    def resolve_term_ends_at(obj: StandingArrangement) -> dt.datetime | None:
        term = _term_of(obj)
        return term.ends_at if term else None

    @staticmethod
    def resolve_renews_automatically(obj: StandingArrangement) -> bool | None:
        term = _term_of(obj)
        return term.renews_automatically if term else None


def _with_terms(arrangements: list[StandingArrangement]) -> list[StandingArrangement]:
    """Look up the terms of a page of arrangements at once (see `arrangement_terms`)."""
    terms = arrangement_terms(arrangements)
    for arrangement in arrangements:
        arrangement.__dict__["_term_view"] = terms.get(arrangement.pk)
    return arrangements


def _term_of(arrangement: StandingArrangement) -> ArrangementTermView | None:
    if "_term_view" not in arrangement.__dict__:
        _with_terms([arrangement])
    return arrangement.__dict__["_term_view"]


Rule = Annotated[
    str, StringConstraints(min_length=6, max_length=300, pattern=r"^[A-Za-z0-9=;,:+-]+$")
]


class RepeatIn(In):
    rrule: Rule
    dtstart: dt.datetime
    duration_minutes: int = Field(60, ge=15, le=24 * 60)
    consent_given: bool = False
    helper_agreed: bool = Field(
        False,
        description="Coordinators: the helper already said yes (audit-logged). Otherwise the "
        "helper is asked and nothing is made until they accept.",
    )


class ArrangementIn(RepeatIn):
    title: Str120
    description: Str4000 = ""
    kind: KindCode = "errand"
    helper: PublicId
    person: PublicId | None = None
    on_behalf_name: Str80 = ""


@router.get(
    "/communities/{slug}/arrangements",
    response=responses({200: Page[ArrangementOut]}),
    summary="Standing arrangements (coordinators: all; others: their own)",
)
def arrangements_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    qs = selectors.arrangement_list(viewer=_viewer(request), community=community_get(slug=slug))
    result = paginate(qs, page)
    _with_terms(result["items"])
    return result


@router.post(
    "/communities/{slug}/arrangements",
    response=responses({201: ArrangementOut}),
    summary="Set up recurring help",
)
def arrangements_create(request: HttpRequest, slug: Slug, payload: ArrangementIn) -> Any:
    community = community_get(slug=slug)
    data = payload.model_dump()
    data["helper"] = selectors.member_user(community=community, public_id=data["helper"])
    if data["person"]:
        data["person"] = selectors.member_user(
            community=community, public_id=data["person"], field="person"
        )
    arrangement = services.arrangement_create(actor=_viewer(request), community=community, **data)
    return Status(201, arrangement)


@router.post(
    "/commitments/{commitment_id}/arrangement",
    response=responses({201: ArrangementOut}),
    summary="Make help that happened a standing arrangement",
)
def arrangements_from_commitment(
    request: HttpRequest, commitment_id: PublicId, payload: RepeatIn
) -> Any:
    arrangement = services.arrangement_create_from_commitment(
        actor=_viewer(request),
        commitment=_commitment(request, commitment_id),
        **payload.model_dump(),
    )
    return Status(201, arrangement)


@router.get(
    "/arrangements/{arrangement_id}",
    response=responses({200: ArrangementOut}),
    summary="One standing arrangement",
)
def arrangements_get(request: HttpRequest, arrangement_id: PublicId) -> Any:
    return selectors.arrangement_get(viewer=_viewer(request), public_id=arrangement_id)


class ArrangementAnswerIn(In):
    accept: bool


@router.post(
    "/arrangements/{arrangement_id}/answer",
    response=responses({200: ArrangementOut}),
    summary="The helper asked says yes or no to recurring help",
)
def arrangements_answer(
    request: HttpRequest, arrangement_id: PublicId, payload: ArrangementAnswerIn
) -> Any:
    arrangement = selectors.arrangement_get(viewer=_viewer(request), public_id=arrangement_id)
    return services.arrangement_answer(
        actor=_viewer(request), arrangement=arrangement, accept=payload.accept
    )


class ArrangementStatusIn(In):
    status: Literal["active", "paused", "ended"]


@router.post(
    "/arrangements/{arrangement_id}/status",
    response=responses({200: ArrangementOut}),
    summary="Pause, resume or end",
)
def arrangements_status(
    request: HttpRequest, arrangement_id: PublicId, payload: ArrangementStatusIn
) -> Any:
    arrangement = selectors.arrangement_get(viewer=_viewer(request), public_id=arrangement_id)
    return services.arrangement_set_status(
        actor=_viewer(request), arrangement=arrangement, status=payload.status
    )


class HandOverIn(In):
    helper: PublicId
    helper_agreed: bool = Field(
        False,
        description="Coordinators: the new helper already said yes (audit-logged). Otherwise "
        "they are asked, and the coming dates stay open until they accept.",
    )


@router.post(
    "/arrangements/{arrangement_id}/hand-over",
    response=responses({200: ArrangementOut}),
    summary="Hand over to another helper",
)
def arrangements_hand_over(
    request: HttpRequest, arrangement_id: PublicId, payload: HandOverIn
) -> Any:
    arrangement = selectors.arrangement_get(viewer=_viewer(request), public_id=arrangement_id)
    helper = selectors.member_user(community=arrangement.community, public_id=payload.helper)
    return services.arrangement_hand_over(
        actor=_viewer(request),
        arrangement=arrangement,
        helper=helper,
        helper_agreed=payload.helper_agreed,
    )


class OfferRequestIn(In):
    message: Str1000 = ""


class OfferRequestOut(Schema):
    id: str = Field(alias="public_id")
    offer: str = Field(alias="offer.public_id")
    requester: str = Field(alias="requester.public_id")
    message: str
    status: str
    answered_at: dt.datetime | None
    created_at: dt.datetime


@router.get(
    "/offers/{offer_id}/requests",
    response=responses({200: Page[OfferRequestOut]}),
    summary="Requests for an offer (the owner sees all; others their own)",
)
def offer_requests_list(request: HttpRequest, offer_id: PublicId, page: Query[PageQuery]) -> Any:
    offer = selectors.offer_get(viewer=_viewer(request), public_id=offer_id)
    return paginate(selectors.offer_request_list(viewer=_viewer(request), offer=offer), page)


@router.get(
    "/me/offer-requests",
    response=responses({200: Page[OfferRequestOut]}),
    summary="Requests for my open offers that wait for my answer",
)
def my_offer_requests(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(my_offer_requests_waiting(viewer=_viewer(request)), page)


@router.post(
    "/offers/{offer_id}/requests",
    response=responses({201: OfferRequestOut}),
    summary="Ask for an offer",
)
def offer_requests_create(request: HttpRequest, offer_id: PublicId, payload: OfferRequestIn) -> Any:
    offer = selectors.offer_get(viewer=_viewer(request), public_id=offer_id)
    created = services.offer_request_create(
        requester=_viewer(request), offer=offer, message=payload.message
    )
    return Status(201, created)


@router.post(
    "/offer-requests/{request_id}/{answer}",
    response=responses({200: OfferRequestOut}),
    summary="The offer's owner accepts or declines a request",
)
def offer_requests_answer(
    request: HttpRequest, request_id: PublicId, answer: Literal["accept", "decline"]
) -> Any:
    asked = selectors.offer_request_get(viewer=_viewer(request), public_id=request_id)
    return services.offer_request_answer(
        actor=_viewer(request), request=asked, accept=answer == "accept"
    )


@router.post(
    "/expenses/{expense_id}/repaid",
    response=responses({200: ExpenseOut}),
    summary="Mark money spent as repaid (the person helped or a coordinator)",
)
def expenses_repaid(request: HttpRequest, expense_id: PublicId) -> Any:
    expense = selectors.expense_get(viewer=_viewer(request), public_id=expense_id)
    return services.expense_mark_repaid(actor=_viewer(request), expense=expense)
