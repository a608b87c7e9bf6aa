"""API: a community's care board, on-call rota, settings (drills, defaults), call list and
what came of each call."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from mutua.api.errors import responses
from mutua.api.fields import PublicId, Slug
from mutua.care import selectors, services
from mutua.care.api import schemas as s
from mutua.care.services.calls import care_call_outcome_record
from mutua.care.services.common import first_name
from mutua.communities.selectors import community_get

router = Router(tags=["care"])
CallOutcomeCode = Literal["fine", "going", "no_answer", "wrong_number"]


class CallOutcomeOut(Schema):
    outcome: str
    by: str  # the first name of whoever recorded it
    at: dt.datetime


class CallWithOutcomesOut(s.CallOut):
    contact: str | None  # the outside contact's public id; None when the person is called
    number_ref: str  # which number is shown: send it back with a "wrong_number" outcome
    outcomes: list[CallOutcomeOut]

    @staticmethod
    def resolve_contact(obj: Any) -> str | None:
        return obj.contact_id or None


class CallOutcomeIn(Schema):
    """What came of a call: "fine" gives the all-clear, "going" holds the alert, a wrong number
    flags the circle for mending. `contact` names an outside contact's call. `number_ref`,
    from the call list, names the number that was shown: a "wrong_number" is refused (409,
    nothing recorded) if the number has changed since."""

    outcome: CallOutcomeCode
    contact: PublicId | None = None
    number_ref: str | None = Field(default=None, max_length=40)


SECTIONS = ("failing", "escalating", "held", "overdue", "due", "paused", "flagged")


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/communities/{slug}/board", response=responses({200: s.BoardOut}), summary="The care board"
)
def board(request: HttpRequest, slug: Slug) -> Any:
    data = selectors.care_board(viewer=_me(request), community=community_get(slug=slug))
    return {
        "sweep_ok": data.sweep_ok,
        "sweep_last_beat": data.sweep_last_beat,
        "false_alarms": data.false_alarms,
        **{k: getattr(data, k) for k in SECTIONS},
    }


@router.get(
    "/communities/{slug}/rota",
    response=responses({200: list[s.ShiftOut]}),
    summary="Current and coming on-call shifts (coordinators)",
)
def rota(request: HttpRequest, slug: Slug) -> Any:
    return selectors.on_call_rota(viewer=_me(request), community=community_get(slug=slug))


@router.post(
    "/communities/{slug}/rota",
    response=responses({201: s.ShiftOut}),
    summary="Put a coordinator on call (coordinators)",
)
def rota_add(request: HttpRequest, slug: Slug, data: s.ShiftIn) -> Any:
    community = community_get(slug=slug)
    shift = services.on_call_shift_add(
        actor=_me(request),
        community=community,
        coordinator=selectors.person_by_public_id(public_id=data.coordinator),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
    )
    return Status(201, shift)


@router.delete(
    "/communities/{slug}/rota/{shift_id}",
    response=responses({204: None}),
    summary="Take a shift off the rota: ended now if under way (coordinators; audit-logged)",
)
def rota_end(request: HttpRequest, slug: Slug, shift_id: PublicId) -> Any:
    me = _me(request)
    shift = selectors.on_call_shift_get(
        viewer=me, community=community_get(slug=slug), public_id=shift_id
    )
    services.on_call_shift_end(actor=me, shift=shift)
    return Status(204, None)


@router.get(
    "/communities/{slug}/settings",
    response=responses({200: s.SettingsOut}),
    summary="Care settings: the drill switch and defaults (coordinators)",
)
def settings_get(request: HttpRequest, slug: Slug) -> Any:
    return selectors.care_settings_get(viewer=_me(request), community=community_get(slug=slug))


@router.patch(
    "/communities/{slug}/settings",
    response=responses({200: s.SettingsOut}),
    summary="Change the drill switch or the defaults (coordinators; audit-logged)",
)
def settings_update(request: HttpRequest, slug: Slug, data: s.SettingsPatch) -> Any:
    return services.care_settings_update(
        actor=_me(request),
        community=community_get(slug=slug),
        **data.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.get(
    "/communities/{slug}/calls",
    response=responses({200: list[CallWithOutcomesOut]}),
    summary="Who to phone about open alerts, with numbers (callers, coordinators; audit-logged)",
)
def calls(request: HttpRequest, slug: Slug) -> Any:
    return services.care_call_list(viewer=_me(request), community=community_get(slug=slug))


@router.post(
    "/communities/{slug}/calls/{alert_id}/outcome",
    response=responses({201: CallOutcomeOut}),
    summary="Record what came of a call on the call list (callers, the circle, coordinators)",
)
def call_outcome(request: HttpRequest, slug: Slug, alert_id: PublicId, data: CallOutcomeIn) -> Any:
    event = care_call_outcome_record(
        actor=_me(request),
        community=community_get(slug=slug),
        alert_id=alert_id,
        contact_id=data.contact or "",
        outcome=data.outcome,
        number_ref=data.number_ref or "",
    )
    by = first_name(event.recipient) if event.recipient else ""
    return Status(201, {"outcome": event.detail, "by": by, "at": event.at})
