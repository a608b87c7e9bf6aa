"""API of matching: top helpers for a need and who has heard about it, offers and needs that
meet, dispatch plans (list, create, approve, discard) and what a helper was asked, with answers.
Settings and arrangement terms are in `api_settings.py`, mounted on the same router.
Parse, call one service or selector, render; refusals are problem+json."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities.selectors import area_list, community_get
from mutua.core.errors import ValidationFailed
from mutua.exchange import selectors as exchange_selectors
from mutua.matching import api_settings, meet, review, selectors, services
from mutua.matching.explanations import explain, reason_words

router = Router(tags=["matching"])
router.add_router("", api_settings.router)


def _viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class MatchOut(Schema):
    helper: str = Field(description="The helper's public id")
    name: str
    cost: float
    reasons: str
    terms: dict


class RankQuery(Schema):
    k: int = Field(10, ge=1, le=50)


class OfferMatchOut(Schema):
    id: str
    title: str
    kind: str


class NeedMatchOut(Schema):
    id: str
    title: str
    kind: str
    urgency: str


class UnmetOut(Schema):
    need: str
    title: str
    missing: int
    reason: str
    reason_words: str


class AssignmentOut(Schema):
    id: str
    need: str
    need_title: str
    helper: str
    helper_name: str
    status: str
    cost: float
    reasons: str


class PlanOut(Schema):
    id: str
    status: str
    needs_count: int
    total_cost: int
    unmet: list[UnmetOut]
    assignments: list[AssignmentOut]


class PlanSummaryOut(Schema):
    id: str = Field(alias="public_id")
    status: str
    needs_count: int
    total_cost: int
    unmet_count: int
    created_at: dt.datetime
    approved_at: dt.datetime | None

    @staticmethod
    def resolve_unmet_count(obj) -> int:
        return len(obj.unmet or [])


class SuggestionOut(Schema):
    helper: str = Field(description="The helper's public id")
    helper_name: str
    round: int
    sent_at: dt.datetime
    reasons: str


class OutreachOut(Schema):
    round: int = Field(description="How many times the circle has widened (0: not started)")
    max_rounds: int
    next_widen_at: dt.datetime | None = Field(description="When more people hear, if nobody helps")
    is_done: bool
    suggestions: list[SuggestionOut]


class MyAskOut(Schema):
    id: str = Field(alias="public_id")
    need: str
    need_title: str
    community: str
    status: str
    reasons: str
    asked_at: dt.datetime = Field(alias="created_at")

    @staticmethod
    def resolve_need(obj) -> str:
        return obj.need.public_id

    @staticmethod
    def resolve_need_title(obj) -> str:
        return obj.need.title

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.need.community.slug

    @staticmethod
    def resolve_reasons(obj) -> str:
        return explain(obj.terms)


class MyAsksQuery(PageQuery):
    waiting: bool | None = Field(
        None, description="true: only those waiting for my answer; false: only answered"
    )


class PlanIn(In):
    area: Slug | None = None


class AnswerIn(In):
    accept: bool


class SwapIn(In):
    helper: PublicId = Field(description="The public id of the helper to propose instead")


class AnswerOut(Schema):
    status: str


def _match(m) -> dict:
    return {
        "helper": m.user.public_id,
        "name": str(m.user),
        "cost": round(m.cost, 3),
        "reasons": m.reasons,
        "terms": m.terms,
    }


def _plan(plan) -> dict:
    rows = selectors.plan_assignments(plan)
    return {
        "id": plan.public_id,
        "status": plan.status,
        "needs_count": plan.needs_count,
        "total_cost": plan.total_cost,
        "unmet": [{**u, "reason_words": reason_words(u["reason"])} for u in plan.unmet],
        "assignments": [
            {
                "id": r.public_id,
                "need": r.need.public_id,
                "need_title": r.need.title,
                "helper": r.helper.public_id,
                "helper_name": str(r.helper),
                "status": r.status,
                "cost": round(r.cost, 3),
                "reasons": r.reasons,  # type: ignore[attr-defined]
            }
            for r in rows
        ],
    }


@router.get(
    "/needs/{need_id}/matches",
    response=responses({200: list[MatchOut]}),
    summary="The best-placed helpers for a need, with reasons (coordinators)",
)
def need_matches(request: HttpRequest, need_id: PublicId, q: Query[RankQuery]) -> Any:
    need = exchange_selectors.need_get(viewer=_viewer(request), public_id=need_id)
    return [_match(m) for m in selectors.matching_rank(viewer=_viewer(request), need=need, k=q.k)]


@router.get(
    "/needs/{need_id}/matching-offers",
    response=responses({200: list[OfferMatchOut]}),
    summary="Open offers that could meet this need",
)
def need_matching_offers(request: HttpRequest, need_id: PublicId) -> Any:
    need = exchange_selectors.need_get(viewer=_viewer(request), public_id=need_id)
    offers = meet.offers_for_need(viewer=_viewer(request), need=need)
    return [{"id": o.public_id, "title": o.title, "kind": o.kind} for o in offers]


@router.get(
    "/offers/{offer_id}/matching-needs",
    response=responses({200: list[NeedMatchOut]}),
    summary="Open needs that this offer could meet",
)
def offer_matching_needs(request: HttpRequest, offer_id: PublicId) -> Any:
    offer = exchange_selectors.offer_get(viewer=_viewer(request), public_id=offer_id)
    needs = meet.needs_for_offer(viewer=_viewer(request), offer=offer)
    return [
        {"id": n.public_id, "title": n.title, "kind": n.kind, "urgency": n.urgency} for n in needs
    ]


@router.get(
    "/needs/{need_id}/outreach",
    response=responses({200: OutreachOut}),
    summary="Who has been told about a need, why, and when more people will be (coordinators)",
)
def need_outreach(request: HttpRequest, need_id: PublicId) -> Any:
    need = exchange_selectors.need_get(viewer=_viewer(request), public_id=need_id)
    state = selectors.need_outreach(viewer=_viewer(request), need=need)
    return {
        "round": state.round,
        "max_rounds": state.max_rounds,
        "next_widen_at": state.next_widen_at,
        "is_done": state.is_done,
        "suggestions": [
            {
                "helper": s.helper.public_id,
                "helper_name": str(s.helper),
                "round": s.round,
                "sent_at": s.sent_at,
                "reasons": s.reasons,
            }
            for s in state.suggestions
        ],
    }


@router.get(
    "/communities/{slug}/dispatch-plans",
    response=responses({200: Page[PlanSummaryOut]}),
    summary="The community's dispatch plans, newest first (coordinators)",
)
def plan_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    plans = selectors.dispatch_plan_list(
        viewer=_viewer(request), community=community_get(slug=slug)
    )
    return paginate(plans, page, newest_first=True)


@router.post(
    "/communities/{slug}/dispatch-plans",
    response=responses({201: PlanOut}),
    summary="Plan dispatch for every open need (of an area); nobody is asked yet",
)
def plan_create(request: HttpRequest, slug: Slug, payload: PlanIn) -> Any:
    community = community_get(slug=slug)
    area = None
    if payload.area:
        area = area_list(community=community).filter(slug=payload.area).first()
        if area is None:
            message = _("This community has no area with this name.")
            raise ValidationFailed(message, field_errors={"area": [message]})
    plan = services.dispatch_plan_create(actor=_viewer(request), community=community, area=area)
    return Status(201, _plan(plan))


@router.get(
    "/dispatch-plans/{plan_id}",
    response=responses({200: PlanOut}),
    summary="A dispatch plan with its assignments and unmet needs",
)
def plan_get(request: HttpRequest, plan_id: PublicId) -> Any:
    return _plan(selectors.dispatch_plan_get(viewer=_viewer(request), public_id=plan_id))


@router.post(
    "/dispatch-plans/{plan_id}/approve",
    response=responses({200: PlanOut}),
    summary="Approve a plan: every proposed helper is asked",
)
def plan_approve(request: HttpRequest, plan_id: PublicId) -> Any:
    plan = selectors.dispatch_plan_get(viewer=_viewer(request), public_id=plan_id)
    return _plan(services.dispatch_plan_approve(actor=_viewer(request), plan=plan))


@router.post(
    "/dispatch-plans/{plan_id}/discard",
    response=responses({200: PlanOut}),
    summary="Set a draft plan aside: nobody is asked",
)
def plan_discard(request: HttpRequest, plan_id: PublicId) -> Any:
    plan = selectors.dispatch_plan_get(viewer=_viewer(request), public_id=plan_id)
    return _plan(services.dispatch_plan_discard(actor=_viewer(request), plan=plan))


def _draft_row(request: HttpRequest, plan_id: str, assignment_id: str):
    plan = selectors.dispatch_plan_get(viewer=_viewer(request), public_id=plan_id)
    row = selectors.assignment_for_review(
        viewer=_viewer(request), plan=plan, public_id=assignment_id
    )
    return plan, row


@router.get(
    "/dispatch-plans/{plan_id}/assignments/{assignment_id}/alternatives",
    response=responses({200: list[MatchOut]}),
    summary="Other helpers who fit this proposed helper's need now, best first (coordinators)",
)
def assignment_alternatives(
    request: HttpRequest, plan_id: PublicId, assignment_id: PublicId
) -> Any:
    _plan_row, row = _draft_row(request, plan_id, assignment_id)
    return [_match(m) for m in selectors.assignment_alternatives(viewer=_viewer(request), row=row)]


@router.post(
    "/dispatch-plans/{plan_id}/assignments/{assignment_id}/remove",
    response=responses({200: PlanOut}),
    summary="Take one proposed helper off a draft plan",
)
def assignment_remove(request: HttpRequest, plan_id: PublicId, assignment_id: PublicId) -> Any:
    _plan_row, row = _draft_row(request, plan_id, assignment_id)
    return _plan(review.plan_assignment_remove(actor=_viewer(request), assignment=row))


@router.post(
    "/dispatch-plans/{plan_id}/assignments/{assignment_id}/swap",
    response=responses({200: PlanOut}),
    summary="Propose another helper who fits for the same need in a draft plan",
)
def assignment_swap(
    request: HttpRequest, plan_id: PublicId, assignment_id: PublicId, payload: SwapIn
) -> Any:
    plan, row = _draft_row(request, plan_id, assignment_id)
    helper = exchange_selectors.member_user(community=plan.community, public_id=payload.helper)
    review.plan_assignment_swap(actor=_viewer(request), assignment=row, helper=helper)
    return _plan(plan)


@router.get(
    "/plan-assignments",
    response=responses({200: Page[MyAskOut]}),
    summary="What dispatch plans have asked me, newest first",
)
def my_asks(request: HttpRequest, q: Query[MyAsksQuery]) -> Any:
    asks = selectors.my_asks(viewer=_viewer(request), waiting=q.waiting)
    return paginate(asks, q, newest_first=True)


@router.post(
    "/plan-assignments/{assignment_id}/answer",
    response=responses({200: AnswerOut}),
    summary="The helper asked answers yes or not this time",
)
def assignment_answer(request: HttpRequest, assignment_id: PublicId, payload: AnswerIn) -> Any:
    row = selectors.assignment_get(viewer=_viewer(request), public_id=assignment_id)
    services.plan_assignment_answer(helper=_viewer(request), assignment=row, accept=payload.accept)
    return {"status": "accepted" if payload.accept else "declined"}
