"""API of matching: top helpers for a need, matching offers, dispatch plans and answers, the
community's settings for arrangement terms and a coordinator's renewal of a term.
Parse, call one service or selector, render; refusals are problem+json."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug
from mutua.communities.selectors import area_list, community_get
from mutua.core.errors import ValidationFailed
from mutua.exchange import selectors as exchange_selectors
from mutua.exchange.api_coordination import ArrangementOut
from mutua.matching import renewals, selectors, services

router = Router(tags=["matching"])


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


class PlanIn(In):
    area: Slug | None = None


class AnswerIn(In):
    accept: bool


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
        "unmet": [{**u, "reason_words": selectors.reason_words(u["reason"])} for u in plan.unmet],
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
    offers = selectors.offers_for_need(viewer=_viewer(request), need=need)
    return [{"id": o.public_id, "title": o.title, "kind": o.kind} for o in offers]


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
    "/plan-assignments/{assignment_id}/answer",
    response=responses({200: AnswerOut}),
    summary="The helper asked answers yes or not this time",
)
def assignment_answer(request: HttpRequest, assignment_id: PublicId, payload: AnswerIn) -> Any:
    row = selectors.assignment_get(viewer=_viewer(request), public_id=assignment_id)
    services.plan_assignment_answer(helper=_viewer(request), assignment=row, accept=payload.accept)
    return {"status": "accepted" if payload.accept else "declined"}


class MatchingSettingsOut(Schema):
    trusted_arrangements_renew: bool = Field(
        description="Standing arrangements run for a term; trusted pairs' terms renew by themselves"
    )
    arrangement_term_days: int = Field(description="Length of a term in days (7 to 365)")


class MatchingSettingsIn(In):
    trusted_arrangements_renew: bool | None = None
    arrangement_term_days: int | None = Field(None, ge=-(2**31), le=2**31 - 1)


SETTINGS_FIELDS = ("trusted_arrangements_renew", "arrangement_term_days")


@router.get(
    "/communities/{slug}/matching-settings",
    response=responses({200: MatchingSettingsOut}),
    summary="The community's matching settings (coordinators)",
)
def settings_get(request: HttpRequest, slug: Slug) -> Any:
    return selectors.matching_settings_of(
        viewer=_viewer(request), community=community_get(slug=slug)
    )


@router.patch(
    "/communities/{slug}/matching-settings",
    response=responses({200: MatchingSettingsOut}),
    summary="Turn arrangement terms on or off and set a term's length (coordinators)",
)
def settings_update(request: HttpRequest, slug: Slug, payload: MatchingSettingsIn) -> Any:
    community = community_get(slug=slug)
    current = selectors.matching_settings_of(viewer=_viewer(request), community=community)
    given = payload.model_dump(exclude_none=True)
    values = {f: given.get(f, getattr(current, f)) for f in SETTINGS_FIELDS}
    return renewals.matching_settings_update(actor=_viewer(request), community=community, **values)


@router.post(
    "/arrangements/{arrangement_id}/renew",
    response=responses({200: ArrangementOut}),
    summary="Renew a standing arrangement's term by one more term (coordinators)",
)
def arrangement_renew(request: HttpRequest, arrangement_id: PublicId) -> Any:
    arrangement = exchange_selectors.arrangement_get(
        viewer=_viewer(request), public_id=arrangement_id
    )
    renewals.arrangement_term_renew(actor=_viewer(request), arrangement=arrangement)
    return arrangement
