"""Demo care plans in every state, made through the services.

`build_care(community)` is called by the demo builder after members exist. Each plan's ladder
is walked step by step at the step's own time, so its history reads as if the sweep had run.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from mutua.care import services
from mutua.care.models import CarePlan
from mutua.care.services.ladder import plan_advance
from mutua.communities.models import Community
from mutua.people.models import SensitiveDetails, User

# (state wanted, minutes from now to the check-in deadline)
RECIPES = [
    ("waiting", 300),
    ("reminded", 20),
    ("grace", -10),
    ("asking", -40),
    ("escalating", -75),
    ("held", -75),
    ("all_clear", -75),
    ("paused", 300),
    ("drill", -40),
    ("flagged", 180),
]


def _people(community: Community, role: str) -> list[User]:
    return list(
        User.objects.filter(
            memberships__community=community,
            memberships__status="active",
            memberships__role=role,
            is_active=True,
        ).order_by("pk")
    )


def _walk(plan: CarePlan, until: dt.datetime) -> CarePlan:
    """Take each due step at its own time (nothing is marked late)."""
    with transaction.atomic():
        plan = (
            CarePlan.objects.select_for_update()
            .select_related("community", "person__profile", "current_alert")
            .get(pk=plan.pk)
        )
        while plan.next_due_at is not None and plan.next_due_at <= until:
            plan_advance(plan, now=plan.next_due_at)
    return plan


WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _weekdays_with(day: dt.date) -> str:
    """Three chosen days of the week, `day` among them (a plan on chosen weekdays)."""
    days = sorted({day.weekday(), (day.weekday() + 2) % 7, (day.weekday() + 4) % 7})
    return "FREQ=WEEKLY;BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in days)


def build_care(community: Community, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Ten plans, one per state (and a drill and a flagged circle), with circles and a rota."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    members = _people(community, "member")
    staff = _people(community, "coordinator") + _people(community, "steward")
    if len(members) < len(RECIPES) + 3 or not staff:
        return {"plans": 0}
    coordinator = staff[0]
    services.on_call_shift_add(
        actor=coordinator,
        community=community,
        coordinator=coordinator,
        starts_at=now - dt.timedelta(hours=12),
        ends_at=now + dt.timedelta(hours=12),
    )
    helpers, people = members[:3], members[3 : 3 + len(RECIPES)]
    tz = ZoneInfo(community.time_zone or "UTC")
    made = 0
    for (state, minutes), person in zip(RECIPES, people, strict=False):
        due = now + dt.timedelta(minutes=minutes)
        SensitiveDetails.objects.get_or_create(
            user=person, defaults={"access_notes": "Spare key with the neighbour at no. 12."}
        )
        plan = services.care_plan_create(
            actor=coordinator,
            community=community,
            person=person,
            times=[due.astimezone(tz).strftime("%H:%M")],
            rrule=_weekdays_with(due.astimezone(tz).date()) if state == "waiting" else "FREQ=DAILY",
            channels=["web", "email", "sms"] if made % 2 else ["web", "email"],
            consent_note="Agreed in person at the community café (demo).",
            is_drill=state == "drill",
            now=due - dt.timedelta(hours=2),
        )
        for helper in helpers[:2]:
            contact = services.circle_invite(actor=coordinator, plan=plan, member=helper)
            services.circle_accept(member=helper, contact=contact)
        if state == "escalating":
            services.circle_add_outside(
                actor=coordinator,
                plan=plan,
                name="Jo (daughter)",
                phone="+44 7700 900456",
                consent_note="Jo agreed by phone when the plan was set up, day or night (demo).",
            )
        if state == "flagged":
            contact = services.circle_invite(actor=coordinator, plan=plan, member=helpers[2])
            services.circle_decline(member=helpers[2], contact=contact)
        if state == "paused":
            services.care_plan_pause(
                actor=person, plan=plan, until=now + dt.timedelta(days=7), now=now
            )
        plan = _walk(plan, now)
        if state in ("held", "all_clear") and plan.current_alert is not None:
            services.care_alert_acknowledge(actor=helpers[0], alert=plan.current_alert)
        if state == "all_clear" and plan.current_alert is not None:
            services.care_alert_all_clear(
                actor=helpers[0], alert=plan.current_alert, outcome="was_fine"
            )
        made += 1
    return {"plans": made}
