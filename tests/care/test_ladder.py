"""The escalation ladder under a controlled clock, step by step, through the real sweep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import AlertEvent
from mutua.core.permissions import forget_memberships
from mutua.notify.models import Notification, OutboxMessage
from tests.care.helpers import (
    START,
    circle_member,
    fresh,
    kinds_for,
    make_plan,
    steps,
    sweep_at,
)

M = dt.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(cast, clock):
    """Daily at 09:00 UTC, a reminder 30 min before, 30 min grace, contacts time out in 20."""
    plan = make_plan(cast)
    plan.carol = circle_member(cast, plan, "Carol Circle")
    plan.dan = circle_member(cast, plan, "Dan Circle")
    return plan


def at(hour: int, minute: int = 0) -> dt.datetime:
    return START.replace(hour=hour, minute=minute)


def test_a_reminder_goes_to_the_person_before_the_deadline(cast, plan, clock):
    sweep_at(clock, at(8, 29))
    assert kinds_for(cast.member) == []
    sweep_at(clock, at(8, 30))
    assert kinds_for(cast.member) == ["care_reminder_email"]
    assert fresh(plan).state == "reminded"
    assert OutboxMessage.objects.filter(recipient=cast.member, channel="email").count() == 1


def test_deadline_then_grace_then_the_person_is_asked_again_on_every_channel(cast, plan, clock):
    sweep_at(clock, at(8, 30))
    sweep_at(clock, at(9, 0))
    assert fresh(plan).state == "grace"
    assert "deadline" in steps(plan)
    sweep_at(clock, at(9, 29))
    assert fresh(plan).current_alert is None
    sweep_at(clock, at(9, 30))
    p = fresh(plan)
    assert p.state == "asking" and p.current_alert is not None
    assert kinds_for(cast.member) == ["care_reminder_email", "care_ask_email_sms"]
    assert kinds_for(plan.carol) == []


def test_circle_contacts_are_alerted_one_by_one_each_after_a_time_out(cast, plan, clock):
    for moment in (at(8, 30), at(9), at(9, 30)):
        sweep_at(clock, moment)
    sweep_at(clock, at(9, 49))
    assert kinds_for(plan.carol) == []
    sweep_at(clock, at(9, 50))
    assert kinds_for(plan.carol) == ["care_alert"]
    assert kinds_for(plan.dan) == []
    sweep_at(clock, at(10, 10))
    assert kinds_for(plan.dan) == ["care_alert"]
    assert kinds_for(cast.coordinator) == []
    # each alert carries an "I'm on it" link
    note = Notification.objects.get(recipient=plan.carol, kind="care_alert")
    assert note.actions and "/l/" in note.actions[0]["url"]


def test_unheld_alert_goes_on_call_then_to_all_coordinators_and_repeats(cast, plan, clock):
    services.on_call_shift_add(
        actor=cast.coordinator,
        community=cast.community,
        coordinator=cast.steward,
        starts_at=START,
        ends_at=START + dt.timedelta(days=1),
    )
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10)):
        sweep_at(clock, moment)
    sweep_at(clock, at(10, 30))  # the coordinator on call: the final step
    assert kinds_for(cast.steward) == ["care_alert"]
    assert kinds_for(cast.coordinator) == []
    assert fresh(plan).current_alert.reached_final_step
    sweep_at(clock, at(10, 50))  # nobody holds it: every coordinator
    assert kinds_for(cast.coordinator) == ["care_alert"]
    assert kinds_for(cast.steward) == ["care_alert", "care_alert"]
    sweep_at(clock, at(11, 5))  # and again, until someone does
    assert kinds_for(cast.coordinator) == ["care_alert", "care_alert"]
    assert kinds_for(cast.caller) == []  # never the whole community


def test_an_on_call_coordinator_who_was_demoted_is_not_alerted(cast, plan, clock):
    from mutua.communities.models import Membership

    services.on_call_shift_add(
        actor=cast.coordinator,
        community=cast.community,
        coordinator=cast.steward,
        starts_at=START,
        ends_at=START + dt.timedelta(days=1),
    )
    # the steward on the rota stops coordinating here before the alert comes
    Membership.objects.filter(user=cast.steward, community=cast.community).update(role="member")
    forget_memberships(cast.steward)
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10), at(10, 30)):
        sweep_at(clock, moment)
    # the final step goes to those who still coordinate, not to the old shift
    assert kinds_for(cast.steward) == []
    assert kinds_for(cast.coordinator) == ["care_alert"]


def test_whoever_acknowledges_holds_the_alert_and_everyone_alerted_is_told(cast, plan, clock):
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    services.care_alert_acknowledge(actor=plan.dan, alert=alert)
    p = fresh(plan)
    assert p.state == "held" and p.current_alert.held_by == plan.dan
    assert kinds_for(plan.carol)[-1] == "care_held"
    # the ladder stops: nobody else is alerted at the next time-out
    sweep_at(clock, at(10, 30))
    assert kinds_for(cast.coordinator) == []
    # a second responder cannot take it over
    from mutua.core.errors import Conflict

    with pytest.raises(Conflict):
        services.care_alert_acknowledge(actor=plan.carol, alert=alert)
    # the holder is reminded hourly until the all-clear
    sweep_at(clock, at(11, 10))
    assert kinds_for(plan.dan)[-1] == "care_still_held"


def test_a_holder_who_leaves_the_circle_lets_the_alert_go_on_to_the_next_people(cast, plan, clock):
    from mutua.care.models import CircleContact

    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10)):
        sweep_at(clock, moment)
    services.care_alert_acknowledge(actor=plan.dan, alert=fresh(plan).current_alert)
    # when Dan, who is on it, leaves the circle
    contact = CircleContact.objects.get(plan=plan, member=plan.dan)
    services.circle_leave(member=plan.dan, contact=contact)
    # then the next sweep does not leave the alert with him: it goes on to the coordinators
    sweep_at(clock, at(10, 15))
    p = fresh(plan)
    assert p.current_alert.held_by is None and p.state == "escalating"
    assert "hold_released" in set(
        AlertEvent.objects.filter(plan=plan).values_list("kind", flat=True)
    )
    sweep_at(clock, at(10, 40))
    assert "care_alert" in kinds_for(cast.coordinator) + kinds_for(cast.steward)


def test_all_clear_goes_to_everyone_alerted_and_the_plan_moves_to_tomorrow(cast, plan, clock):
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    services.care_alert_acknowledge(actor=plan.carol, alert=alert)
    services.care_alert_all_clear(actor=plan.carol, alert=alert, outcome="was_fine")
    p = fresh(plan)
    assert p.current_alert is None and p.state == "all_clear"
    assert p.current_due_at == START + dt.timedelta(days=1, hours=1)
    assert kinds_for(plan.carol)[-1] == "care_all_clear"
    assert "care_all_clear" not in kinds_for(plan.dan)  # Dan was never alerted
    assert steps(plan)[-1] == "all_clear"


def test_checking_in_during_the_grace_period_stops_the_ladder(cast, plan, clock):
    sweep_at(clock, at(8, 30))
    sweep_at(clock, at(9, 10))
    clock.move_to(at(9, 15), tick=False)
    services.care_checkin(actor=cast.member, plan=plan, how="web")
    p = fresh(plan)
    assert p.state == "waiting" and p.current_due_at == START + dt.timedelta(days=1, hours=1)
    sweep_at(clock, at(9, 30))
    sweep_at(clock, at(10, 30))
    assert kinds_for(plan.carol) == []
    assert p.alerts.count() == 0


def test_checking_in_after_the_circle_was_alerted_closes_the_alert_as_was_fine(cast, plan, clock):
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    clock.move_to(at(9, 55), tick=False)
    services.care_checkin(actor=cast.member, plan=plan, how="web")
    alert.refresh_from_db()
    assert alert.outcome == "was_fine" and alert.resolved_at is not None
    assert kinds_for(plan.carol)[-1] == "care_all_clear"


def test_a_sweep_run_twice_sends_nothing_twice(cast, plan, clock):
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
        before = OutboxMessage.objects.count(), AlertEvent.objects.count()
        services.care_sweep(now=moment)
        assert (OutboxMessage.objects.count(), AlertEvent.objects.count()) == before
    assert kinds_for(plan.carol) == ["care_alert"]


def test_a_deadline_missed_while_the_worker_was_down_still_escalates_marked_late(cast, plan, clock):
    # the worker was down from 08:00 to 10:15: one sweep catches up
    sweep_at(clock, at(10, 15))
    p = fresh(plan)
    assert p.state == "asking" and p.current_alert is not None
    # the circle is alerted only after the person's full time-out (tests/care/test_catch_up.py)
    assert kinds_for(plan.carol) == []
    assert kinds_for(plan.dan) == []
    # the stale reminder was not sent, the person was asked again
    assert kinds_for(cast.member) == ["care_ask_email_sms"]
    late = AlertEvent.objects.filter(plan=plan, kind="deadline").get()
    assert late.is_late and late.due_at == at(9)


def test_a_contact_who_has_not_accepted_is_never_relied_on(cast, clock):
    from tests.factories import add_member, make_user

    plan = make_plan(cast)
    invited = make_user("Ivy Invited", "ivy@example.org")
    add_member(cast.community, invited)
    services.circle_invite(actor=cast.member, plan=plan, member=invited)
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10)):
        sweep_at(clock, moment)
    assert kinds_for(invited) == []
    assert "care_alert" in kinds_for(cast.coordinator)  # straight to the coordinator on call


def test_a_contact_who_left_the_community_is_skipped_and_the_plan_flagged(cast, plan, clock):
    from mutua.communities.models import Membership

    Membership.objects.filter(user=plan.carol).update(status="left")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    assert kinds_for(plan.carol) == []
    assert kinds_for(plan.dan) == ["care_alert"]  # no time-out wasted on Carol
    p = fresh(plan)
    assert p.is_flagged
    assert "care_flagged" in kinds_for(cast.coordinator)


def test_drill_messages_all_say_test_and_are_marked_as_drills(cast, clock):
    plan = make_plan(cast, is_drill=True)
    carol = circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10), at(10, 30)):
        sweep_at(clock, moment)
    subjects = list(
        OutboxMessage.objects.filter(kind__startswith="care_")
        .exclude(kind="care_circle_invite")
        .values_list("subject", flat=True)
    )
    assert subjects and all(s.startswith("TEST") for s in subjects)
    assert fresh(plan).current_alert.is_drill
    assert (
        AlertEvent.objects.filter(plan=plan, is_drill=False)
        .exclude(kind__in=["deadline", "reminder:reminder:0"])
        .filter(alert__isnull=False)
        .count()
        == 0
    )
    assert kinds_for(carol) == ["care_alert"]


def test_community_drill_mode_makes_every_plan_a_drill(cast, plan, clock):
    services.care_settings_update(actor=cast.coordinator, community=cast.community, is_drill=True)
    for moment in (at(8, 30), at(9), at(9, 30)):
        sweep_at(clock, moment)
    subjects = OutboxMessage.objects.filter(recipient=cast.member).values_list("subject", flat=True)
    assert subjects and all(s.startswith("TEST") for s in subjects)


def test_false_alarms_are_counted_per_plan_for_coordinators(cast, plan, clock):
    from mutua.care.selectors import care_board

    for moment in (at(8, 30), at(9), at(9, 30)):
        sweep_at(clock, moment)
    services.care_checkin(actor=cast.member, plan=plan, how="web")
    board = care_board(viewer=cast.coordinator, community=cast.community, now=at(9, 31))
    assert board.false_alarms == {plan.public_id: 1}
