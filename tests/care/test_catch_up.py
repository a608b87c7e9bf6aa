"""Catch-up after downtime: a step missed while the worker was down still happens, marked late,
but the ladder does not run at one instant: each person asked gets their full time-out, counted
from when the message actually went out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import AlertEvent
from mutua.notify.models import Notification, OutboxMessage
from tests.care.helpers import START, circle_member, fresh, kinds_for, make_plan, sweep_at

M = dt.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(cast, clock):
    """Daily at 09:00 UTC, a reminder at 08:30, 30 min grace, contacts time out in 20; the
    steward is on call all day."""
    plan = make_plan(cast)
    plan.carol = circle_member(cast, plan, "Carol Circle")
    plan.dan = circle_member(cast, plan, "Dan Circle")
    services.on_call_shift_add(
        actor=cast.coordinator,
        community=cast.community,
        coordinator=cast.steward,
        starts_at=START,
        ends_at=START + dt.timedelta(days=1),
    )
    return plan


def at(hour: int, minute: int = 0) -> dt.datetime:
    return START.replace(hour=hour, minute=minute)


def _written() -> tuple[int, int, int]:
    return Notification.objects.count(), OutboxMessage.objects.count(), AlertEvent.objects.count()


def test_one_sweep_after_three_hours_down_asks_the_person_again_and_nobody_else(cast, plan, clock):
    # given the worker was down from 08:00 to 11:00, across the 09:00 deadline
    # when it comes back and sweeps once
    sweep_at(clock, at(11))
    # then the person is asked again, marked late, and the time-out starts now
    assert kinds_for(cast.member) == ["care_ask_email_sms"]
    ask = AlertEvent.objects.get(plan=plan, kind="ask:ask")
    assert ask.is_late and ask.due_at == at(9, 30) and ask.at == at(11)
    p = fresh(plan)
    assert p.state == "asking" and p.next_due_at == at(11, 20)
    # and nobody in the circle, on call or coordinating is alerted in the same sweep
    for user in (plan.carol, plan.dan, cast.steward, cast.coordinator):
        assert kinds_for(user) == []


def test_after_downtime_the_ladder_goes_one_step_per_time_out(cast, plan, clock):
    sweep_at(clock, at(11))
    # then each later sweep takes the next step only once its full time-out has passed
    sweep_at(clock, at(11, 19))
    assert kinds_for(plan.carol) == []
    sweep_at(clock, at(11, 20))
    assert kinds_for(plan.carol) == ["care_alert"] and kinds_for(plan.dan) == []
    sweep_at(clock, at(11, 40))
    assert kinds_for(plan.dan) == ["care_alert"] and kinds_for(cast.steward) == []
    sweep_at(clock, at(12))
    assert kinds_for(cast.steward) == ["care_alert"] and kinds_for(cast.coordinator) == []
    sweep_at(clock, at(12, 20))
    assert kinds_for(cast.coordinator) == ["care_alert"]
    # and nobody was sent anything twice: one message per person per step
    assert kinds_for(plan.carol) == ["care_alert"]
    assert kinds_for(plan.dan) == ["care_alert"]
    assert kinds_for(cast.steward) == ["care_alert", "care_alert"]
    assert kinds_for(cast.member) == ["care_ask_email_sms"]
    keys = list(Notification.objects.values_list("recipient_id", "kind", "dedupe_key"))
    assert len(keys) == len(set(keys))
    # the steps after the catch-up were on time
    later = AlertEvent.objects.filter(plan=plan, at__gt=at(11))
    assert later.exists() and not later.filter(is_late=True).exists()


def test_downtime_in_the_middle_of_the_ladder_takes_one_step_then_waits(cast, plan, clock):
    # given Carol was alerted on time at 09:50, then the worker was down until 11:00
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    sweep_at(clock, at(11))
    # then Dan is alerted (late), and the coordinator on call only after Dan's time-out
    assert kinds_for(plan.dan) == ["care_alert"]
    assert AlertEvent.objects.get(plan=plan, recipient=plan.dan).is_late
    assert kinds_for(cast.steward) == []
    assert fresh(plan).next_due_at == at(11, 20)
    sweep_at(clock, at(11, 20))
    assert kinds_for(cast.steward) == ["care_alert"]


def test_a_sweep_a_little_late_keeps_the_schedule_as_on_time(cast, plan, clock):
    # given sweeps within the lateness allowance (not marked late)
    for moment in (at(8, 30), at(9), at(9, 33)):
        sweep_at(clock, moment)
    ask = AlertEvent.objects.get(plan=plan, kind="ask:ask")
    assert not ask.is_late
    # then the next step is due from the step's own time, as before
    assert fresh(plan).next_due_at == at(9, 50)


def test_a_catch_up_sweep_run_twice_at_the_same_instant_changes_nothing(cast, plan, clock):
    sweep_at(clock, at(11))
    before = _written(), fresh(plan).next_due_at, fresh(plan).state
    report = services.care_sweep(now=at(11))
    assert report.steps == 0
    assert (_written(), fresh(plan).next_due_at, fresh(plan).state) == before
    sweep_at(clock, at(11, 20))
    before = _written(), fresh(plan).next_due_at, fresh(plan).state
    services.care_sweep(now=at(11, 20))
    assert (_written(), fresh(plan).next_due_at, fresh(plan).state) == before
    assert kinds_for(plan.carol) == ["care_alert"]
