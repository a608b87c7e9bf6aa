"""Request and response shapes of the care API. Domain rules stay in the services."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from mutua.api.fields import In, Name120, PublicId, Str32, Str300
from mutua.care.flags import FLAG_REASONS

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
    contact_timeout_minutes: int
    repeat_minutes: int
    current_due_at: dt.datetime | None
    next_due_at: dt.datetime | None
    paused_until: dt.datetime | None
    is_drill: bool
    is_flagged: bool
    flag_reason: str = Field(description="Why the plan needs mending, in words.")
    flag_code: str = Field(
        description="The reason as a code: declined, left, ineligible, trust, contact_number, "
        "person_number (empty when not flagged)."
    )
    failing_since: dt.datetime | None
    reply_code: str
    alert: AlertOut | None

    @staticmethod
    def resolve_flag_reason(obj: Any) -> str:
        return str(obj.flag_reason_words)

    @staticmethod
    def resolve_flag_code(obj: Any) -> str:
        return obj.flag_reason if obj.flag_reason in FLAG_REASONS else ""

    @staticmethod
    def resolve_community(obj: Any) -> str:
        return obj.community.slug

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.person)

    @staticmethod
    def resolve_is_drill(obj: Any) -> bool:
        from mutua.care.services.common import is_drill

        return is_drill(obj)  # its own switch or its community's

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


class CarePlanPatch(In):
    times: list[TimeText] | None = Field(default=None, min_length=1, max_length=6)
    rrule: RuleText | None = None
    channels: list[Channel] | None = Field(default=None, min_length=1, max_length=4)
    grace_minutes: int | None = Field(default=None, ge=1, le=1440)
    reminder_leads: list[int] | None = Field(default=None, max_length=5)
    contact_timeout_minutes: int | None = Field(default=None, ge=1, le=1440)
    repeat_minutes: int | None = Field(default=None, ge=1, le=1440)
    is_drill: bool | None = None


class PauseIn(In):
    until: AwareDatetime


class CheckInIn(In):
    on_behalf: bool = False


class CheckInOut(Schema):
    answered_at: dt.datetime
    how: str
    by: str
    counted: bool

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return obj.by_name or ""

    @staticmethod
    def resolve_counted(obj: Any) -> bool:
        return obj.due_at is not None


class AllClearIn(In):
    outcome: Outcome = "was_fine"


class EventOut(Schema):
    at: dt.datetime
    due_at: dt.datetime | None
    kind: str
    words: str
    recipient: str | None
    is_late: bool
    is_drill: bool

    @staticmethod
    def resolve_recipient(obj: Any) -> str | None:
        return str(obj.recipient) if obj.recipient_id else None


class ContactOut(Schema):
    id: str = Field(alias="public_id")
    order: int
    kind: str
    status: str
    name: str
    responded_at: dt.datetime | None
    consent_note: str = Field(
        description="How an outside contact agreed; only for those who manage the plan, "
        "otherwise empty"
    )

    @staticmethod
    def resolve_name(obj: Any) -> str:
        if obj.member_id:
            return str(obj.member)
        return obj.name if obj.kind == "outside" else "on call"

    @staticmethod
    def resolve_consent_note(obj: Any) -> str:
        return obj.consent_note if getattr(obj, "shows_consent", False) else ""


class HistoryOut(Schema):
    events: list[EventOut]
    checkins: list[CheckInOut]
    alerts: list[AlertOut]
    contacts: list[ContactOut]
    false_alarms: int


class MyCircleOut(Schema):
    contact: ContactOut
    plan: str
    person: str
    community: str
    state: str
    alert: AlertOut | None

    @staticmethod
    def resolve_contact(obj: Any) -> Any:
        return obj

    @staticmethod
    def resolve_plan(obj: Any) -> str:
        return obj.plan.public_id

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.plan.person)

    @staticmethod
    def resolve_community(obj: Any) -> str:
        return obj.plan.community.slug

    @staticmethod
    def resolve_state(obj: Any) -> str:
        # An invitation shows who asks, not how the plan stands (nothing before accepting).
        return obj.plan.state if obj.status == "accepted" else ""

    @staticmethod
    def resolve_alert(obj: Any) -> Any:
        return obj.plan.current_alert if obj.status == "accepted" else None


class InviteIn(In):
    member: PublicId


class OutsideIn(In):
    name: Name120
    phone: Str32 = ""
    email: Str300 = ""
    consent_note: Str300


class BoardOut(Schema):
    sweep_ok: bool
    sweep_last_beat: str | None
    failing: list[CarePlanOut]
    escalating: list[CarePlanOut]
    held: list[CarePlanOut]
    overdue: list[CarePlanOut]
    due: list[CarePlanOut]
    paused: list[CarePlanOut]
    flagged: list[CarePlanOut]
    false_alarms: dict[str, int]  # by plan id


class ShiftIn(In):
    coordinator: PublicId
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class ShiftOut(Schema):
    id: str = Field(alias="public_id")
    coordinator: str
    coordinator_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    @staticmethod
    def resolve_coordinator(obj: Any) -> str:
        return str(obj.coordinator)

    @staticmethod
    def resolve_coordinator_id(obj: Any) -> str:
        return obj.coordinator.public_id


class SettingsOut(Schema):
    is_drill: bool
    drill_until: dt.datetime | None
    grace_minutes: int
    contact_timeout_minutes: int
    repeat_minutes: int


class SettingsPatch(In):
    is_drill: bool | None = Field(
        default=None,
        description="The community drill; giving it (or drill_until) sets both: a drill "
        "switched on without drill_until runs until switched off",
    )
    drill_until: AwareDatetime | None = Field(
        default=None, description="When the community drill ends (in the future)"
    )
    grace_minutes: int | None = Field(default=None, ge=1, le=1440)
    contact_timeout_minutes: int | None = Field(default=None, ge=1, le=1440)
    repeat_minutes: int | None = Field(default=None, ge=1, le=1440)


class CallOut(Schema):
    callee: str
    phone: str
    is_person: bool
    plan: str
    person: str
    alert: str
    reason: str
    is_drill: bool
    held_by: str | None

    @staticmethod
    def resolve_plan(obj: Any) -> str:
        return obj.alert.plan.public_id

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.alert.plan.person)

    @staticmethod
    def resolve_alert(obj: Any) -> str:
        return obj.alert.public_id

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return obj.alert.reason

    @staticmethod
    def resolve_is_drill(obj: Any) -> bool:
        return obj.alert.is_drill

    @staticmethod
    def resolve_held_by(obj: Any) -> str | None:
        return str(obj.alert.held_by) if obj.alert.held_by_id else None
