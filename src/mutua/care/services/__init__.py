"""Writes of the care app: `from mutua.care import services`."""

from mutua.care.services.alerts import (
    care_access_details,
    care_access_instructions,
    care_alert_acknowledge,
    care_alert_all_clear,
    care_help,
    may_see_access_details,
)
from mutua.care.services.calls import Call, care_call_list, care_call_outcome_record
from mutua.care.services.checkins import care_checkin, care_reply_handle
from mutua.care.services.circle import (
    circle_accept,
    circle_add_on_call,
    circle_add_outside,
    circle_decline,
    circle_invite,
    circle_leave,
    circle_remove,
)
from mutua.care.services.plans import (
    care_plan_create,
    care_plan_end,
    care_plan_pause,
    care_plan_resume,
    care_plan_update,
    care_settings_update,
    on_call_shift_add,
    on_call_shift_end,
)
from mutua.care.services.sweep import SweepReport, care_sweep

__all__ = [
    "Call",
    "SweepReport",
    "care_access_details",
    "care_access_instructions",
    "care_alert_acknowledge",
    "care_alert_all_clear",
    "care_call_list",
    "care_call_outcome_record",
    "care_checkin",
    "care_help",
    "care_plan_create",
    "care_plan_end",
    "care_plan_pause",
    "care_plan_resume",
    "care_plan_update",
    "care_reply_handle",
    "care_settings_update",
    "care_sweep",
    "circle_accept",
    "circle_add_on_call",
    "circle_add_outside",
    "circle_decline",
    "circle_invite",
    "circle_leave",
    "circle_remove",
    "may_see_access_details",
    "on_call_shift_add",
    "on_call_shift_end",
]
