"""Helpers for care tests: a plan with a circle, the clock, and what each person was sent."""

from __future__ import annotations

import datetime as dt

from mutua.care import services
from mutua.care.models import AlertEvent, CarePlan
from mutua.notify.models import Notification, OutboxMessage
from tests.factories import add_member, make_user

# Monday 4 May 2026, 08:00 UTC; the community is on UTC unless a test says otherwise.
START = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)


def make_plan(cast, *, times=("09:00",), leads=(30,), grace=30, **kwargs) -> CarePlan:
    drill = kwargs.pop("is_drill", False)
    plan = services.care_plan_create(
        actor=cast.member,
        community=cast.community,
        person=cast.member,
        times=list(times),
        reminder_leads=list(leads),
        grace_minutes=grace,
        **kwargs,
    )
    if drill:  # only a coordinator starts a drill
        plan = services.care_plan_update(actor=cast.coordinator, plan=plan, is_drill=True)
    return plan


def circle_member(cast, plan: CarePlan, name: str):
    user = make_user(name, f"{name.lower().replace(' ', '.')}@example.org")
    add_member(cast.community, user)
    contact = services.circle_invite(actor=cast.member, plan=plan, member=user)
    services.circle_accept(member=user, contact=contact)
    return user


def sweep_at(clock, moment: dt.datetime):
    clock.move_to(moment, tick=False)
    return services.care_sweep(now=moment)


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user)
        .exclude(kind="care_circle_invite")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def steps(plan: CarePlan) -> list[str]:
    return list(AlertEvent.objects.filter(plan=plan).order_by("id").values_list("kind", flat=True))


def fresh(plan: CarePlan) -> CarePlan:
    return CarePlan.objects.select_related("current_alert").get(pk=plan.pk)


def missed_by_phone(cast, clock, phone: str) -> CarePlan:
    """A plan asking by phone whose 09:00 check-in was missed, the person (with this number on
    file) on the call list, and the clock just after."""
    from mutua.people.models import SensitiveDetails

    SensitiveDetails.objects.create(user=cast.member, phone=phone)
    plan = make_plan(cast, channels=["web", "phone"])
    for minutes in (30, 60, 90):
        sweep_at(clock, START + dt.timedelta(minutes=minutes))
    clock.move_to(START + dt.timedelta(minutes=91), tick=False)
    return fresh(plan)


def outbox_count() -> int:
    return OutboxMessage.objects.count()
