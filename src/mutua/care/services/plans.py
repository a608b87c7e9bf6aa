"""Care plans: set up by the member, or by a coordinator with the member's consent recorded."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.care import schedule
from mutua.care.models import CarePlan, CareSettings, OnCallShift
from mutua.care.services.common import (
    care_settings,
    invalid,
    is_active_member,
    new_reply_code,
    now_or,
    schedule_next,
)
from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import can, require
from mutua.people.models import User

CHANNELS = ("web", "email", "sms", "phone")
EDITABLE = (
    "rrule",
    "times",
    "channels",
    "grace_minutes",
    "reminder_leads",
    "is_drill",
    "contact_timeout_minutes",
    "repeat_minutes",
)


def _require_manage(actor: User, plan_person: User, community: Community) -> bool:
    """The person themselves, or a coordinator. Returns True when acting as coordinator."""
    if actor.pk == plan_person.pk and is_active_member(actor, community):
        return False
    require(actor, "care.coordinate", community)
    return True


def _drill_refused() -> PermissionDenied:
    """A drill turns real missed check-ins into tests, so only a coordinator starts one (anyone
    managing the plan may end it)."""
    return PermissionDenied(_("Only a coordinator can make a plan a drill."))


def _clean(values: dict) -> dict:
    out = dict(values)
    if "rrule" in out:
        try:
            out["rrule"] = schedule.validate_rrule(out["rrule"])
        except ValueError:
            raise invalid("rrule", _("This repeat rule is not understood.")) from None
    if "times" in out:
        try:
            out["times"] = [t.strftime("%H:%M") for t in schedule.parse_times(out["times"])]
        except ValueError:
            raise invalid("times", _("Give times of day as HH:MM, for example 09:30.")) from None
    if "channels" in out:
        channels = [c for c in CHANNELS if c in set(out["channels"])]
        if not channels or set(out["channels"]) - set(CHANNELS):
            raise invalid("channels", _("Choose at least one way to be asked."))
        out["channels"] = channels
    for field, top in (
        ("grace_minutes", 24 * 60),
        ("contact_timeout_minutes", 24 * 60),
        ("repeat_minutes", 24 * 60),
    ):
        if field in out and not (1 <= int(out[field]) <= top):
            raise invalid(field, _("Choose between 1 minute and one day."))
    if "reminder_leads" in out:
        leads = sorted({int(m) for m in out["reminder_leads"]}, reverse=True)
        if any(m < 1 or m > 24 * 60 for m in leads) or len(leads) > 5:
            raise invalid("reminder_leads", _("Up to five reminders, each within a day."))
        out["reminder_leads"] = leads
    return out


@transaction.atomic
def care_plan_create(
    *,
    actor: User,
    community: Community,
    person: User,
    times: list[str],
    rrule: str = "FREQ=DAILY",
    channels: list[str] | None = None,
    grace_minutes: int | None = None,
    reminder_leads: list[int] | None = None,
    consent_note: str = "",
    is_drill: bool = False,
    contact_timeout_minutes: int | None = None,
    repeat_minutes: int | None = None,
    now: dt.datetime | None = None,
) -> CarePlan:
    """A member sets up their own plan; a coordinator may set one up only with consent noted."""
    now = now_or(now)
    as_coordinator = _require_manage(actor, person, community)
    if not is_active_member(person, community):
        raise invalid("person", _("This person is not a member of the community."))
    if as_coordinator and not consent_note.strip():
        raise invalid("consent_note", _("Record how the person agreed to this plan."))
    if is_drill and not as_coordinator:
        raise _drill_refused()
    if CarePlan.objects.filter(community=community, person=person).exclude(status="ended").exists():
        raise Conflict(_("This person already has a care plan here."))
    defaults = care_settings(community)
    values = _clean(
        {
            "rrule": rrule,
            "times": times,
            "channels": channels or ["web", "email"],
            "grace_minutes": grace_minutes or defaults.grace_minutes,
            "reminder_leads": reminder_leads if reminder_leads is not None else [30],
            "contact_timeout_minutes": defaults.contact_timeout_minutes
            if contact_timeout_minutes is None
            else contact_timeout_minutes,
            "repeat_minutes": defaults.repeat_minutes if repeat_minutes is None else repeat_minutes,
        }
    )
    plan = CarePlan(
        community=community,
        person=person,
        created_by=actor,
        consent_recorded_at=now,
        consent_note=consent_note.strip()[:300] or _("Set up by the person themselves."),
        starts_on=now.date(),
        is_drill=is_drill,
        reply_code=new_reply_code(),
        **values,
    )
    schedule_next(plan, after=now)
    plan.save()
    audit_record(
        actor=actor,
        action="care.plan_create",
        community=community,
        target=plan,
        subject=person,
        after={"times": plan.times, "rrule": plan.rrule, "by_coordinator": as_coordinator},
    )
    return plan


RESCHEDULABLE = ("waiting", "reminded", "all_clear")


def _reschedule_after_edit(plan: CarePlan, *, now: dt.datetime) -> None:
    if plan.status != "active" or plan.current_alert_id is not None:
        return
    due = plan.current_due_at
    if plan.state in RESCHEDULABLE and (due is None or due > now):
        plan.state = "waiting"
        schedule_next(plan, after=now)
    elif plan.state == "grace" and due is not None:  # a changed grace period applies at once
        plan.next_due_at = due + dt.timedelta(minutes=plan.grace_minutes)


@transaction.atomic
def care_plan_update(
    *, actor: User, plan: CarePlan, now: dt.datetime | None = None, **changes
) -> CarePlan:
    """Change the schedule or ladder. The next check-in is recomputed only while none is
    outstanding: an occurrence already due (in its grace period, or past its deadline before
    the sweep saw it) or an open alert still escalates, under the new ladder settings."""
    now = now_or(now)
    plan = CarePlan.objects.select_for_update().select_related("community").get(pk=plan.pk)
    as_coordinator = _require_manage(actor, plan.person, plan.community)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise invalid(sorted(unknown)[0], _("This cannot be changed here."))
    if changes.get("is_drill") and not plan.is_drill and not as_coordinator:
        raise _drill_refused()
    values = _clean(changes)
    before = {k: getattr(plan, k) for k in values}
    for key, value in values.items():
        setattr(plan, key, value)
    _reschedule_after_edit(plan, now=now)
    plan.save()
    audit_record(
        actor=actor,
        action="care.plan_update",
        community=plan.community,
        target=plan,
        subject=plan.person,
        before=before,
        after=values,
    )
    return plan


@transaction.atomic
def care_plan_pause(
    *, actor: User, plan: CarePlan, until: dt.datetime, now: dt.datetime | None = None
) -> CarePlan:
    """Pause until a date (holiday, hospital); not while an alert is open."""
    now = now_or(now)
    plan = CarePlan.objects.select_for_update().select_related("community").get(pk=plan.pk)
    _require_manage(actor, plan.person, plan.community)
    if plan.current_alert_id is not None:
        raise Conflict(_("An alert is open: close it with an all-clear before pausing."))
    if until <= now or until > now + dt.timedelta(days=366):
        raise invalid("until", _("Choose an end date within the next year."))
    plan.status, plan.paused_until, plan.next_due_at = "paused", until, until
    plan.state = "waiting"
    plan.save()
    audit_record(
        actor=actor,
        action="care.plan_pause",
        community=plan.community,
        target=plan,
        subject=plan.person,
        after={"until": until.isoformat()},
    )
    return plan


@transaction.atomic
def care_plan_resume(*, actor: User, plan: CarePlan, now: dt.datetime | None = None) -> CarePlan:
    """Start check-ins again before the pause was due to end."""
    now = now_or(now)
    plan = CarePlan.objects.select_for_update().select_related("community").get(pk=plan.pk)
    _require_manage(actor, plan.person, plan.community)
    if plan.status != "paused":
        raise Conflict(_("This plan is not paused."))
    plan.status, plan.paused_until, plan.state = "active", None, "waiting"
    schedule_next(plan, after=now)
    plan.save()
    audit_record(
        actor=actor,
        action="care.plan_resume",
        community=plan.community,
        target=plan,
        subject=plan.person,
    )
    return plan


@transaction.atomic
def care_plan_end(*, actor: User, plan: CarePlan) -> CarePlan:
    """Stop the plan for good (the person, or a coordinator); not while an alert is open."""
    plan = CarePlan.objects.select_for_update().select_related("community").get(pk=plan.pk)
    _require_manage(actor, plan.person, plan.community)
    if plan.current_alert_id is not None:
        raise Conflict(_("An alert is open: close it with an all-clear first."))
    if plan.status == "ended":
        raise Conflict(_("This care plan has already ended."))
    plan.status, plan.next_due_at, plan.state = "ended", None, "waiting"
    plan.is_flagged, plan.flag_remind_at = False, None
    plan.save()
    audit_record(
        actor=actor,
        action="care.plan_end",
        community=plan.community,
        target=plan,
        subject=plan.person,
    )
    return plan


SETTINGS_FIELDS = (
    "is_drill",
    "drill_until",
    "grace_minutes",
    "contact_timeout_minutes",
    "repeat_minutes",
)


def _drill_values(changes: dict, row: CareSettings, now: dt.datetime) -> dict:
    """The drill switch and its end go together: giving either sets both (an end left out is
    none: the drill runs until switched off). Switching the drill off forgets its end."""
    if "is_drill" not in changes and "drill_until" not in changes:
        return {}
    on = bool(changes.get("is_drill", row.is_drill))
    until = changes.get("drill_until") if on else None
    if not on and changes.get("drill_until") is not None and "is_drill" not in changes:
        raise invalid("drill_until", _("Switch drill mode on to give the drill an end."))
    if until is not None and until <= now:
        raise invalid("drill_until", _("The end of the drill must be in the future."))
    return {"is_drill": on, "drill_until": until}


@transaction.atomic
def care_settings_update(
    *, actor: User, community: Community, now: dt.datetime | None = None, **changes
) -> CareSettings:
    """Community defaults and the drill switch (coordinators); the defaults apply to plans
    set up from now on, the drill switch to every plan at once, until its end if one is set."""
    now = now_or(now)
    require(actor, "care.coordinate", community)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], _("This cannot be changed here."))
    values = _clean({k: v for k, v in changes.items() if k not in ("is_drill", "drill_until")})
    settings_row, _created = CareSettings.objects.select_for_update().get_or_create(
        community=community
    )
    values.update(_drill_values(changes, settings_row, now))
    before = {k: getattr(settings_row, k) for k in values}
    for key, value in values.items():
        setattr(settings_row, key, value)
    settings_row.save()
    audit_record(
        actor=actor,
        action="care.settings",
        community=community,
        before=_plain(before),
        after=_plain(values),
    )
    return settings_row


def _plain(values: dict) -> dict:
    """Moments as ISO text, so they can be kept in the audit log."""
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}


@transaction.atomic
def on_call_shift_add(
    *,
    actor: User,
    community: Community,
    coordinator: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> OnCallShift:
    """Coordinators keep the rota; only coordinators can be on call."""
    require(actor, "care.coordinate", community)
    if not can(coordinator, "care.coordinate", community):
        raise PermissionDenied(_("Only a coordinator can be on call."))
    if ends_at <= starts_at:
        raise invalid("ends_at", _("A shift ends after it starts."))
    shift = OnCallShift.objects.create(
        community=community,
        coordinator=coordinator,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="care.shift_add",
        community=community,
        target=shift,
        subject=coordinator,
        after=_plain({"starts_at": starts_at, "ends_at": ends_at}),
    )
    return shift


@transaction.atomic
def on_call_shift_end(
    *, actor: User, shift: OnCallShift, now: dt.datetime | None = None
) -> OnCallShift | None:
    """Coordinators take someone off the rota: a shift not yet begun is deleted, one under way
    ends now (kept, so the rota's past stays true). None when deleted. Audit-logged."""
    now = now_or(now)
    shift = (
        OnCallShift.objects.select_for_update()
        .select_related("community", "coordinator")
        .get(pk=shift.pk)
    )
    require(actor, "care.coordinate", shift.community)
    if shift.ends_at <= now:
        raise Conflict(_("This shift has already ended."))
    before = _plain({"starts_at": shift.starts_at, "ends_at": shift.ends_at})
    entry = {"actor": actor, "action": "care.shift_end", "community": shift.community}
    if shift.starts_at >= now:
        audit_record(
            **entry, target=shift, subject=shift.coordinator, before=before, after={"removed": True}
        )
        shift.delete()
        return None
    shift.ends_at = now
    shift.save(update_fields=["ends_at", "updated_at"])
    audit_record(
        **entry,
        target=shift,
        subject=shift.coordinator,
        before=before,
        after=_plain({"ends_at": now}),
    )
    return shift
