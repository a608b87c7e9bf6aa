"""API: care plans (set up, change, pause, resume, end, history), checking in, asking for
help, holding an alert and the all-clear. Each endpoint parses, calls one service or
selector, and renders."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from mutua.api.errors import responses
from mutua.api.fields import PublicId, Slug
from mutua.care import selectors, services
from mutua.care.api import schemas as s
from mutua.communities.selectors import community_get

router = Router(tags=["care"])


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _plan(request: HttpRequest, plan_id: str) -> Any:
    return selectors.plan_get(viewer=_me(request), public_id=plan_id)


def _again(request: HttpRequest, plan: Any) -> Any:
    """The plan as the viewer now sees it (its alert and community loaded)."""
    return selectors.plan_get(viewer=_me(request), public_id=plan.public_id)


@router.get("/plans", response=responses({200: list[s.CarePlanOut]}), summary="My care plans")
def plans_mine(request: HttpRequest) -> Any:
    return selectors.my_plans(viewer=_me(request))


@router.post(
    "/communities/{slug}/plans",
    response=responses({201: s.CarePlanOut}),
    summary="Set up a care plan",
)
def plan_create(request: HttpRequest, slug: Slug, data: s.CarePlanIn) -> Any:
    me = _me(request)
    community = community_get(slug=slug)
    person = me
    if data.person:
        person = selectors.person_by_public_id(public_id=data.person)
    plan = services.care_plan_create(
        actor=me,
        community=community,
        person=person,
        times=data.times,
        rrule=data.rrule,
        channels=list(data.channels),
        grace_minutes=data.grace_minutes,
        reminder_leads=data.reminder_leads,
        consent_note=data.consent_note,
        is_drill=data.is_drill,
    )
    return Status(201, _again(request, plan))


@router.get("/plans/{plan_id}", response=responses({200: s.CarePlanOut}), summary="A care plan")
def plan_detail(request: HttpRequest, plan_id: PublicId) -> Any:
    return _plan(request, plan_id)


@router.patch(
    "/plans/{plan_id}",
    response=responses({200: s.CarePlanOut}),
    summary="Change the schedule, channels or ladder (the person or a coordinator)",
)
def plan_update(request: HttpRequest, plan_id: PublicId, data: s.CarePlanPatch) -> Any:
    plan = _plan(request, plan_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "channels" in changes:
        changes["channels"] = list(changes["channels"])
    plan = services.care_plan_update(actor=_me(request), plan=plan, **changes)
    return _again(request, plan)


@router.post(
    "/plans/{plan_id}/pause",
    response=responses({200: s.CarePlanOut}),
    summary="Pause check-ins until a moment (holiday, hospital)",
)
def plan_pause(request: HttpRequest, plan_id: PublicId, data: s.PauseIn) -> Any:
    plan = services.care_plan_pause(
        actor=_me(request), plan=_plan(request, plan_id), until=data.until
    )
    return _again(request, plan)


@router.post(
    "/plans/{plan_id}/resume",
    response=responses({200: s.CarePlanOut}),
    summary="Start check-ins again",
)
def plan_resume(request: HttpRequest, plan_id: PublicId) -> Any:
    plan = services.care_plan_resume(actor=_me(request), plan=_plan(request, plan_id))
    return _again(request, plan)


@router.post(
    "/plans/{plan_id}/end",
    response=responses({200: s.CarePlanOut}),
    summary="End the plan for good (not while an alert is open)",
)
def plan_end(request: HttpRequest, plan_id: PublicId) -> Any:
    plan = services.care_plan_end(actor=_me(request), plan=_plan(request, plan_id))
    return _again(request, plan)


@router.get(
    "/plans/{plan_id}/history",
    response=responses({200: s.HistoryOut}),
    summary="Every step of the plan with its time, check-ins, alerts and the circle",
)
def plan_history(request: HttpRequest, plan_id: PublicId) -> Any:
    return selectors.plan_history(plan=_plan(request, plan_id))


@router.post("/plans/{plan_id}/check-in", response=responses({201: s.CheckInOut}), summary="I'm OK")
def plan_checkin(request: HttpRequest, plan_id: PublicId, data: s.CheckInIn) -> Any:
    me = _me(request)
    how = "circle" if data.on_behalf else "web"
    return Status(201, services.care_checkin(actor=me, plan=_plan(request, plan_id), how=how))


@router.post("/plans/{plan_id}/help", response=responses({201: s.AlertOut}), summary="I need help")
def plan_help(request: HttpRequest, plan_id: PublicId) -> Any:
    return Status(201, services.care_help(actor=_me(request), plan=_plan(request, plan_id)))


@router.post(
    "/alerts/{alert_id}/acknowledge", response=responses({200: s.AlertOut}), summary="I'm on it"
)
def alert_acknowledge(request: HttpRequest, alert_id: PublicId) -> Any:
    me = _me(request)
    alert = selectors.alert_get(viewer=me, public_id=alert_id)
    return services.care_alert_acknowledge(actor=me, alert=alert)


@router.post(
    "/alerts/{alert_id}/all-clear", response=responses({200: s.AlertOut}), summary="All clear"
)
def alert_all_clear(request: HttpRequest, alert_id: PublicId, data: s.AllClearIn) -> Any:
    me = _me(request)
    alert = selectors.alert_get(viewer=me, public_id=alert_id)
    return services.care_alert_all_clear(actor=me, alert=alert, outcome=data.outcome)
