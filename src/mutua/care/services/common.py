"""What every care service shares: who to tell, the step log, the message context, scheduling."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_noop

from mutua.care import schedule
from mutua.care.models import (
    Alert,
    AlertEvent,
    CarePlan,
    CareSettings,
    CircleContact,
    OnCallShift,
)
from mutua.communities.models import Community, Membership
from mutua.core.bulk import current_language, gettext_once, reverse_one
from mutua.core.errors import ValidationFailed
from mutua.people.models import User

STAFF_ROLES = ("coordinator", "steward")
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ"
CHECKIN_WINDOW = dt.timedelta(hours=12)  # a check-in counts for a deadline this close
LATE_AFTER = dt.timedelta(minutes=5)  # a step acted on later than this is marked late
HOLD_CHECK = dt.timedelta(hours=1)  # how often the holder of an open alert is reminded


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def new_reply_code() -> str:
    """Two letters and two digits: parse_reply recognises a token with a digit as a code."""
    return (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(2)) + f"{secrets.randbelow(100):02d}"
    )


def care_settings(community: Community) -> CareSettings:
    found = CareSettings.objects.filter(community=community).first()
    return found or CareSettings(community=community)


def coordinators(community: Community) -> QuerySet[User]:
    return User.objects.filter(
        memberships__community=community,
        memberships__status="active",
        memberships__role__in=STAFF_ROLES,
        is_active=True,
    ).order_by("pk")


def on_call(community: Community, at: dt.datetime) -> list[User]:
    """Coordinators on the rota at `at`; when nobody is, every coordinator."""
    shift_users = list(
        User.objects.filter(
            care_shifts__community=community,
            care_shifts__starts_at__lte=at,
            care_shifts__ends_at__gt=at,
            is_active=True,
        ).distinct()
    )
    # A shift outlives a demotion or a removal: only those who still coordinate here are asked.
    from mutua.core.permissions import can

    still = [u for u in shift_users if can(u, "care.coordinate", community)]
    return still or list(coordinators(community))


def is_active_member(user: User | None, community: Community) -> bool:
    """An active account (not anonymised) with an active membership here: who may take part."""
    return (
        user is not None
        and user.is_active
        and not getattr(user, "is_anonymised", False)
        and Membership.objects.filter(community=community, user=user, status="active").exists()
    )


def _active_membership_here() -> Exists:
    return Exists(
        Membership.objects.filter(
            community_id=OuterRef("plan__community_id"),
            user_id=OuterRef("member_id"),
            status="active",
        )
    )


def ineligible_members() -> Q:
    """Member contacts who can no longer serve: left or removed from the plan's community, or
    whose account is closed or anonymised."""
    return Q(kind="member") & (
        Q(member__is_active=False) | Q(member__is_anonymised=True) | ~_active_membership_here()
    )


def community_drilling(row: CareSettings, now: dt.datetime | None = None) -> bool:
    """A community drill runs from when it is switched on until its end, if it has one."""
    return row.is_drill and (row.drill_until is None or now_or(now) < row.drill_until)


def drilling_now(now: dt.datetime | None = None) -> Q:
    """The care settings whose community drill is running at `now` (for a batch of plans)."""
    return Q(is_drill=True) & (Q(drill_until__isnull=True) | Q(drill_until__gt=now_or(now)))


def is_drill(plan: CarePlan, now: dt.datetime | None = None) -> bool:
    """Per plan or for the whole community (while its drill runs); remembered on the plan
    object for one sweep. An alert keeps the mode it was opened in (`Alert.is_drill`)."""
    if "_care_drill" not in plan.__dict__:
        plan.__dict__["_care_drill"] = plan.is_drill or community_drilling(
            care_settings(plan.community), now
        )
    return plan.__dict__["_care_drill"]


def alert_event_fields(
    plan: CarePlan,
    kind: str,
    *,
    at: dt.datetime,
    now: dt.datetime | None = None,
    alert: Alert | None = None,
    recipient: User | None = None,
    detail: str = "",
    drill: bool = False,
    contact: CircleContact | None = None,
) -> dict[str, Any]:
    """The fields of one line of the step log: `log` writes it at once, the sweep a batch."""
    now = now or at
    return {
        "plan": plan,
        "alert": alert,
        "contact": contact,
        "at": now,
        "due_at": at,
        "kind": kind,
        "step": alert.step if alert else plan.step,
        "recipient": recipient,
        "detail": detail[:300],
        "is_late": now - at > LATE_AFTER,
        "is_drill": drill,
    }


def log(
    plan: CarePlan,
    kind: str,
    *,
    at: dt.datetime,
    now: dt.datetime | None = None,
    alert: Alert | None = None,
    recipient: User | None = None,
    detail: str = "",
    drill: bool = False,
    contact: CircleContact | None = None,
) -> AlertEvent:
    return AlertEvent.objects.create(
        **alert_event_fields(
            plan,
            kind,
            at=at,
            now=now,
            alert=alert,
            recipient=recipient,
            detail=detail,
            drill=drill,
            contact=contact,
        )
    )


def local_text(plan: CarePlan, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return _local_text(moment, plan.community.time_zone or "UTC", current_language())


@functools.lru_cache(maxsize=4096)
def _local_text(moment: dt.datetime, zone: str, language: str | None) -> str:
    """A moment as people read it, in a zone and a language (plans due together share it)."""
    return formats.date_format(moment.astimezone(ZoneInfo(zone)), "D j M H:i")


NEIGHBOUR = gettext_noop("your neighbour")


def first_name(user: User) -> str:
    profile = getattr(user, "profile", None)
    return profile.first_name if profile else gettext_once(NEIGHBOUR)


def context(plan: CarePlan, **extra) -> dict:
    return {
        "first_name": first_name(plan.person),
        "due_local": local_text(plan, plan.current_due_at),
        "reply_code": plan.reply_code,
        "emergency_number": plan.community.emergency_number,
        "is_drill": is_drill(plan),
        "community_name": plan.community.name,
        "url": reverse_one("care:plan_detail", plan.public_id),
        **extra,
    }


def circle_in_order(plan: CarePlan) -> list[CircleContact]:
    """Accepted contacts in order, each with `is_eligible` read now (one query)."""
    contacts = list(
        CircleContact.objects.filter(plan=plan, status="accepted")
        .annotate(has_membership=_active_membership_here())
        .select_related("member__profile")
        .order_by("order", "id")
    )
    for c in contacts:
        c.is_eligible = c.kind != "member" or bool(
            c.member is not None
            and c.has_membership
            and c.member.is_active
            and not c.member.is_anonymised
        )
    return contacts


def accepted_contacts(plan: CarePlan) -> list[CircleContact]:
    """The contacts who may be relied on now: accepted, and (members) still eligible."""
    return [c for c in circle_in_order(plan) if c.is_eligible]


def schedule_next(plan: CarePlan, *, after: dt.datetime) -> None:
    """Point the plan at its next occurrence after `after`: first reminder, or the deadline."""
    due = schedule.next_occurrence(
        plan.rrule,
        plan.times,
        plan.community.time_zone or "UTC",
        after,
        start=plan.starts_on,
    )
    plan.current_due_at = due
    plan.step = 0
    if due is None:
        plan.next_due_at = None
        return
    reminders = schedule.reminder_times(due, plan.reminder_leads)
    plan.next_due_at = reminders[0] if reminders else due


def everyone_alerted(alert: Alert) -> list[User]:
    ids = (
        AlertEvent.objects.filter(alert=alert, recipient__isnull=False)
        .exclude(recipient=alert.plan.person)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    return list(User.objects.filter(pk__in=list(ids)).order_by("pk"))


def shifts(community: Community) -> QuerySet[OnCallShift]:
    return OnCallShift.objects.filter(community=community)


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
