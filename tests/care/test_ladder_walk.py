"""The ladder walked through the real sweep with a controlled clock: daylight saving both ways,
the outside-contact and on-call steps, the final step's access instructions, and links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import AlertEvent, CheckIn
from mutua.communities.models import Community
from mutua.core.errors import PermissionDenied
from mutua.core.models import AuditEntry
from mutua.notify.models import Notification, OutboxMessage
from mutua.people.models import SensitiveDetails
from tests.care.helpers import START, circle_member, fresh, kinds_for, make_plan, steps, sweep_at

M = dt.timedelta(minutes=1)
UTC = dt.UTC


def at(hour: int, minute: int = 0) -> dt.datetime:
    return START.replace(hour=hour, minute=minute)


def _in_london(cast) -> None:
    Community.objects.filter(pk=cast.community.pk).update(time_zone="Europe/London")
    cast.community.refresh_from_db()


def test_spring_forward_a_check_in_in_the_gap_falls_at_the_first_minute_after_it(cast):
    # given a daily check-in at 01:30 London time, a time that does not exist on 29 March 2026
    _in_london(cast)
    with time_machine.travel(dt.datetime(2026, 3, 28, 12, tzinfo=UTC), tick=False) as clock:
        plan = make_plan(cast, times=("01:30",))
        # then it falls at 02:00 BST (01:00 UTC), the first valid minute after the gap
        assert plan.current_due_at == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
        sweep_at(clock, dt.datetime(2026, 3, 29, 0, 29, tzinfo=UTC))
        assert kinds_for(cast.member) == []
        sweep_at(clock, dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # the reminder
        body = OutboxMessage.objects.get(recipient=cast.member).body_text
        assert "02:00" in body  # as people read it, in the community's time
        sweep_at(clock, dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
        deadline = AlertEvent.objects.get(plan=plan, kind="deadline")
        assert deadline.due_at == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
        assert not deadline.is_late
        clock.move_to(dt.datetime(2026, 3, 29, 1, 5, tzinfo=UTC), tick=False)
        services.care_checkin(actor=cast.member, plan=plan, how="web")
        # and the next day it is 01:30 BST again (00:30 UTC)
        assert fresh(plan).current_due_at == dt.datetime(2026, 3, 30, 0, 30, tzinfo=UTC)


def test_fall_back_a_check_in_at_a_repeated_time_falls_at_its_first_occurrence_only(cast):
    # given a daily check-in at 01:30 London time, which happens twice on 25 October 2026
    _in_london(cast)
    with time_machine.travel(dt.datetime(2026, 10, 24, 12, tzinfo=UTC), tick=False) as clock:
        plan = make_plan(cast, times=("01:30",))
        first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
        assert plan.current_due_at == first
        for moment in (first - 30 * M, first):
            sweep_at(clock, moment)
        assert steps(plan) == ["reminder:reminder:0", "deadline"]
        clock.move_to(first + 10 * M, tick=False)
        services.care_checkin(actor=cast.member, plan=plan, how="web")
        # then the second 01:30 (GMT, 01:30 UTC) is not a second check-in
        sweep_at(clock, dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
        sweep_at(clock, dt.datetime(2026, 10, 25, 2, 15, tzinfo=UTC))
        assert steps(plan) == ["reminder:reminder:0", "deadline", "checkin"]
        assert fresh(plan).current_due_at == dt.datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
        assert CheckIn.objects.get().due_at == first


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_outside_contact_and_on_call_steps_in_order_then_the_final_step(cast, clock):
    # given a circle of an outside contact, the coordinator on call, then Carol; the steward is
    # on the rota today
    plan = make_plan(cast)
    services.circle_add_outside(
        actor=cast.member, plan=plan, name="Sis", phone="+447700900999", consent_note="agreed"
    )
    services.circle_add_on_call(actor=cast.member, plan=plan)
    carol = circle_member(cast, plan, "Carol Circle")
    services.on_call_shift_add(
        actor=cast.coordinator,
        community=cast.community,
        coordinator=cast.steward,
        starts_at=START,
        ends_at=START + dt.timedelta(days=1),
    )
    for moment in (at(8, 30), at(9), at(9, 30)):
        sweep_at(clock, moment)
    # the outside contact's step: the coordinator on call gets a call to make
    sweep_at(clock, at(9, 50))
    assert kinds_for(cast.steward) == ["care_call"]
    call = AlertEvent.objects.get(plan=plan, kind="call_contact", recipient=cast.steward)
    assert call.detail == "Sis" and call.contact.name == "Sis"
    # and so does the community's caller (tests/care/test_call_outcomes.py)
    assert kinds_for(cast.caller) == ["care_call"]
    # the on-call place in the circle: the coordinator on call is alerted
    sweep_at(clock, at(10, 10))
    assert kinds_for(cast.steward) == ["care_call", "care_alert"]
    assert kinds_for(carol) == [] and kinds_for(cast.coordinator) == []
    # then Carol, then the final step (on call again), then every coordinator
    sweep_at(clock, at(10, 30))
    assert kinds_for(carol) == ["care_alert"]
    assert not fresh(plan).current_alert.reached_final_step
    sweep_at(clock, at(10, 50))
    assert fresh(plan).current_alert.reached_final_step
    assert kinds_for(cast.steward)[-1] == "care_alert" and kinds_for(cast.coordinator) == []
    sweep_at(clock, at(11, 10))
    assert kinds_for(cast.coordinator) == ["care_alert"]
    assert [e for e in steps(plan) if e in ("call_contact", "on_call", "contact")] == [
        "call_contact",  # the coordinator on call
        "call_contact",  # the caller
        "on_call",
        "contact",
        "on_call",
    ]


def _ack_path(user) -> str:
    note = Notification.objects.filter(recipient=user, kind="care_alert").latest("id")
    return re.search(r"/l/[A-Za-z0-9_-]+/", note.actions[0]["url"]).group(0)


def test_the_final_step_reveals_access_instructions_to_whoever_holds_the_alert(client, cast, clock):
    # given access instructions in the person's sensitive details and a circle of one
    SensitiveDetails.objects.create(user=cast.member, access_notes="Key with Mrs Jones at no. 4")
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    # when nobody answers until the coordinator on call, the final step
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    assert alert.reached_final_step
    # and the coordinator takes it from the link in their message
    client.force_login(cast.coordinator)
    assert client.post(_ack_path(cast.coordinator)).status_code == 200
    # then only they see how to get in, and the read is logged in the plan and the audit log
    with pytest.raises(PermissionDenied):
        services.care_access_instructions(viewer=carol, alert=alert)
    page = client.get(f"/care/plans/{plan.public_id}/?instructions=1").content.decode()
    assert "Key with Mrs Jones at no. 4" in page
    assert AuditEntry.objects.filter(
        action="sensitive.read", actor=cast.coordinator, subject=cast.member
    ).exists()
    assert "instructions_shown" in steps(plan)


def test_access_instructions_are_refused_before_the_final_step(cast, clock):
    SensitiveDetails.objects.create(user=cast.member, access_notes="Key under the mat")
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    services.care_alert_acknowledge(actor=carol, alert=alert)
    with pytest.raises(PermissionDenied):
        services.care_access_instructions(viewer=carol, alert=alert)
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def test_a_reused_im_on_it_link_is_refused(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    path = _ack_path(carol)
    assert client.get(path).status_code == 200  # the page; a mail scanner changes nothing
    assert fresh(plan).state == "escalating"
    assert client.post(path).status_code == 200
    assert fresh(plan).current_alert.held_by == carol
    again = client.post(path)
    assert again.status_code == 409 and "already been used" in again.content.decode()
