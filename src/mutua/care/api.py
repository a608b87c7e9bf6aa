"""API: care plans, checking in, asking for help, holding an alert, the all-clear, the board.

Mounted under /api/v1/care. Each endpoint parses, calls one service or selector, renders.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug, Str300
from mutua.care import selectors, services
from mutua.communities.selectors import community_get
from mutua.core.errors import NotFound
from mutua.people.models import User

router = Router(tags=["care"])

if TYPE_CHECKING:
    TimeText = str
    RuleText = str
else:
    from typing import Annotated

    from pydantic import StringConstraints

    TimeText = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    RuleText = Annotated[
        str, StringConstraints(min_length=6, max_length=300, pattern=r"^[A-Za-z0-9=;,:+-]+$")
    ]

Channel = Literal["web", "email", "sms", "phone"]
Outcome = Literal["was_fine", "needed_help", "emergency", "other"]


class AlertOut(Schema):
    id: str = Field(alias="public_id")
    reason: str
    opened_at: dt.datetime
    step: int
    reached_final_step: bool
    held_by: str | None
    held_at: dt.datetime | None
    resolved_at: dt.datetime | None
    outcome: str
    is_drill: bool

    @staticmethod
    def resolve_held_by(obj: Any) -> str | None:
        return str(obj.held_by) if obj.held_by_id else None


class CarePlanOut(Schema):
    id: str = Field(alias="public_id")
    community: str
    person: str
    status: str
    state: str
    rrule: str
    times: list[str]
    channels: list[str]
    grace_minutes: int
    reminder_leads: list[int]
    current_due_at: dt.datetime | None
    next_due_at: dt.datetime | None
    paused_until: dt.datetime | None
    is_drill: bool
    is_flagged: bool
    reply_code: str
    alert: AlertOut | None

    @staticmethod
    def resolve_community(obj: Any) -> str:
        return obj.community.slug

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.person)

    @staticmethod
    def resolve_alert(obj: Any) -> Any:
        return obj.current_alert


class CarePlanIn(In):
    person: PublicId | None = None
    times: list[TimeText] = Field(min_length=1, max_length=6)
    rrule: RuleText = "FREQ=DAILY"
    channels: list[Channel] = Field(default=["web", "email"], min_length=1, max_length=4)
    grace_minutes: int = Field(default=30, ge=1, le=1440)
    reminder_leads: list[int] = Field(default=[30], max_length=5)
    consent_note: Str300 = ""
    is_drill: bool = False


class CheckInIn(In):
    on_behalf: bool = False


class CheckInOut(Schema):
    answered_at: dt.datetime
    how: str
    counted: bool

    @staticmethod
    def resolve_counted(obj: Any) -> bool:
        return obj.due_at is not None


class AllClearIn(In):
    outcome: Outcome = "was_fine"


class BoardOut(Schema):
    sweep_ok: bool
    sweep_last_beat: str | None
    escalating: list[CarePlanOut]
    held: list[CarePlanOut]
    overdue: list[CarePlanOut]
    due: list[CarePlanOut]
    paused: list[CarePlanOut]
    flagged: list[CarePlanOut]
    false_alarms: dict[str, int]


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/plans", response=responses({200: list[CarePlanOut]}), summary="My care plans")
def plans_mine(request: HttpRequest) -> Any:
    return selectors.my_plans(viewer=_me(request))


@router.post(
    "/communities/{slug}/plans",
    response=responses({201: CarePlanOut}),
    summary="Set up a care plan",
)
def plan_create(request: HttpRequest, slug: Slug, data: CarePlanIn) -> Any:
    me = _me(request)
    person = me
    if data.person:
        person = User.objects.filter(public_id=data.person).first()
        if person is None:
            raise NotFound("This person was not found.")
    plan = services.care_plan_create(
        actor=me,
        community=community_get(slug=slug),
        person=person,
        times=data.times,
        rrule=data.rrule,
        channels=list(data.channels),
        grace_minutes=data.grace_minutes,
        reminder_leads=data.reminder_leads,
        consent_note=data.consent_note,
        is_drill=data.is_drill,
    )
    return Status(201, selectors.plan_get(viewer=me, public_id=plan.public_id))


@router.get("/plans/{plan_id}", response=responses({200: CarePlanOut}), summary="A care plan")
def plan_detail(request: HttpRequest, plan_id: PublicId) -> Any:
    return selectors.plan_get(viewer=_me(request), public_id=plan_id)


@router.post("/plans/{plan_id}/check-in", response=responses({201: CheckInOut}), summary="I'm OK")
def plan_checkin(request: HttpRequest, plan_id: PublicId, data: CheckInIn) -> Any:
    me = _me(request)
    plan = selectors.plan_get(viewer=me, public_id=plan_id)
    how = "circle" if data.on_behalf else "web"
    return Status(201, services.care_checkin(actor=me, plan=plan, how=how))


@router.post("/plans/{plan_id}/help", response=responses({201: AlertOut}), summary="I need help")
def plan_help(request: HttpRequest, plan_id: PublicId) -> Any:
    me = _me(request)
    plan = selectors.plan_get(viewer=me, public_id=plan_id)
    return Status(201, services.care_help(actor=me, plan=plan))


@router.post(
    "/alerts/{alert_id}/acknowledge", response=responses({200: AlertOut}), summary="I'm on it"
)
def alert_acknowledge(request: HttpRequest, alert_id: PublicId) -> Any:
    me = _me(request)
    alert = selectors.alert_get(viewer=me, public_id=alert_id)
    return services.care_alert_acknowledge(actor=me, alert=alert)


@router.post(
    "/alerts/{alert_id}/all-clear", response=responses({200: AlertOut}), summary="All clear"
)
def alert_all_clear(request: HttpRequest, alert_id: PublicId, data: AllClearIn) -> Any:
    me = _me(request)
    alert = selectors.alert_get(viewer=me, public_id=alert_id)
    return services.care_alert_all_clear(actor=me, alert=alert, outcome=data.outcome)


@router.get(
    "/communities/{slug}/board", response=responses({200: BoardOut}), summary="The care board"
)
def board(request: HttpRequest, slug: Slug) -> Any:
    data = selectors.care_board(viewer=_me(request), community=community_get(slug=slug))
    ids = {
        p.pk: p.public_id
        for section in (
            data.escalating,
            data.held,
            data.overdue,
            data.due,
            data.paused,
            data.flagged,
        )
        for p in section
    }
    return {
        **{
            k: getattr(data, k)
            for k in (
                "sweep_ok",
                "sweep_last_beat",
                "escalating",
                "held",
                "overdue",
                "due",
                "paused",
                "flagged",
            )
        },
        "false_alarms": {ids.get(pk, str(pk)): n for pk, n in data.false_alarms.items()},
    }
