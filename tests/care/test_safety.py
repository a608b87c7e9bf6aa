"""Safety: an edit never cancels a missed check-in, a contact who can no longer serve is noticed
before an emergency (and never relied on), and a cry for help is always real."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import selectors, services
from mutua.care.models import AlertEvent, CircleContact, OnCallShift
from mutua.care.services.alerts import is_responder
from mutua.care.services.common import accepted_contacts
from mutua.communities.models import Membership
from mutua.communities.services import membership_leave, membership_remove
from mutua.core.errors import NotFound, PermissionDenied
from mutua.notify.models import OutboxMessage
from mutua.people.services import account_delete
from tests.care.helpers import START, circle_member, fresh, kinds_for, make_plan, steps, sweep_at
from tests.factories import add_member, make_user

M = dt.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def at(hour: int, minute: int = 0) -> dt.datetime:
    return START.replace(hour=hour, minute=minute)


# -- 1. Editing a plan never cancels an outstanding check-in ----------------------------------


def test_editing_a_plan_during_grace_still_escalates_the_missed_check_in(cast, clock):
    # given a 09:00 check-in that was missed: the plan is in its grace period
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    sweep_at(clock, at(8, 30))
    sweep_at(clock, at(9, 0))
    assert fresh(plan).state == "grace"
    # when the person (or a coordinator) changes the time of day during the grace period
    clock.move_to(at(9, 10), tick=False)
    services.care_plan_update(actor=cast.member, plan=plan, times=["18:00"])
    # then the missed 09:00 occurrence is kept and still escalates
    p = fresh(plan)
    assert p.state == "grace" and p.current_due_at == at(9, 0)
    sweep_at(clock, at(9, 30))
    p = fresh(plan)
    assert p.state == "asking" and p.current_alert is not None
    assert "care_ask_email_sms" in kinds_for(cast.member)
    sweep_at(clock, at(9, 50))
    assert kinds_for(carol) == ["care_alert"]
    # and once all is clear, the new time applies
    services.care_alert_all_clear(actor=carol, alert=fresh(plan).current_alert)
    assert fresh(plan).current_due_at == at(18, 0)


def test_a_shorter_grace_set_during_grace_applies_at_once(cast, clock):
    plan = make_plan(cast, grace=60)
    sweep_at(clock, at(9, 0))
    clock.move_to(at(9, 5), tick=False)
    services.care_plan_update(actor=cast.member, plan=plan, grace_minutes=15)
    assert fresh(plan).next_due_at == at(9, 15)
    sweep_at(clock, at(9, 15))
    assert fresh(plan).current_alert is not None


def test_editing_a_plan_past_its_deadline_before_the_sweep_saw_it_keeps_the_occurrence(cast, clock):
    # given the 09:00 deadline passed but the sweep has not run since the reminder
    plan = make_plan(cast)
    sweep_at(clock, at(8, 30))
    clock.move_to(at(9, 2), tick=False)
    # when the plan is edited
    services.care_plan_update(actor=cast.member, plan=plan, times=["20:00"])
    # then the 09:00 check-in is still the one being waited for, and escalates
    assert fresh(plan).current_due_at == at(9, 0)
    sweep_at(clock, at(9, 35))
    assert fresh(plan).current_alert is not None


def test_editing_a_plan_with_an_open_alert_keeps_the_alert_escalating(cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30)):
        sweep_at(clock, moment)
    services.care_plan_update(actor=cast.member, plan=plan, times=["18:00"])
    assert fresh(plan).state == "asking"
    sweep_at(clock, at(9, 50))
    assert kinds_for(carol) == ["care_alert"]


def test_editing_a_waiting_plan_moves_the_next_check_in(cast, clock):
    plan = make_plan(cast)
    services.care_plan_update(actor=cast.member, plan=plan, times=["10:00"])
    p = fresh(plan)
    assert p.current_due_at == at(10, 0) and p.next_due_at == at(9, 30)


# -- 2. A contact who can no longer serve ------------------------------------------------------


def _leave(cast, user):
    membership_leave(user=user, community=cast.community)


def _removed(cast, user):
    membership = Membership.objects.get(community=cast.community, user=user)
    membership_remove(actor=cast.coordinator, membership=membership, reason="moved away")


def _deactivated(cast, user):
    user.is_active = False
    user.save()


def _anonymised(cast, user):
    account_delete(user=user)


ENDINGS = [_leave, _removed, _deactivated, _anonymised]


@pytest.mark.parametrize("ending", ENDINGS, ids=lambda f: f.__name__.strip("_"))
def test_a_contact_who_can_no_longer_serve_is_not_relied_on_and_sees_nothing(cast, clock, ending):
    # given Carol and Dan in the circle
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    dan = circle_member(cast, plan, "Dan Circle")
    # when Carol leaves, is removed, or her account is closed
    ending(cast, carol)
    carol.refresh_from_db()
    # then she is no longer relied on, cannot respond, and cannot see the plan
    assert [c.member for c in accepted_contacts(plan)] == [dan]
    assert not is_responder(carol, plan)
    assert not selectors.plan_visible(carol, plan)
    assert [c.plan for c in selectors.my_circles(viewer=carol)] == []
    with pytest.raises(PermissionDenied):
        services.care_checkin(actor=carol, plan=plan, how="circle")
    # and a cry for help reaches Dan, not her; she is marked and the plan flagged
    services.care_help(actor=cast.member, plan=plan)
    assert kinds_for(carol) == []
    assert kinds_for(dan) == ["care_help"]
    contact = CircleContact.objects.get(plan=plan, member=carol)
    assert contact.status == "ineligible" and fresh(plan).is_flagged


def test_the_sweep_notices_a_contact_who_left_and_coordinators_are_told_until_mended(cast, clock):
    # given a circle, and a sweep that has run (its hourly circle check too)
    plan = make_plan(cast, times=("20:00",))
    carol = circle_member(cast, plan, "Carol Circle")
    sweep_at(clock, at(8, 1))
    # when Carol leaves the community, long before any emergency
    clock.move_to(at(8, 30), tick=False)
    _leave(cast, carol)
    # then within the hour the sweep marks her, flags the plan and tells the coordinators
    sweep_at(clock, at(8, 40))
    assert not fresh(plan).is_flagged  # the circle check runs hourly, not every minute
    report = sweep_at(clock, at(9, 2))
    assert report.ineligible == 1
    contact = CircleContact.objects.get(plan=plan, member=carol)
    assert contact.status == "ineligible"  # kept, visible: never silently dropped
    p = fresh(plan)
    assert p.is_flagged and "no longer be in the circle" in str(p.flag_reason_words)
    assert kinds_for(cast.coordinator).count("care_flagged") == 1
    board = selectors.care_board(viewer=cast.coordinator, community=cast.community, now=at(9, 3))
    assert plan.public_id in [x.public_id for x in board.flagged]
    # and they are told again the next day, until the circle is mended
    sweep_at(clock, at(9, 2) + dt.timedelta(days=1, minutes=1))
    assert kinds_for(cast.coordinator).count("care_flagged") == 2
    services.circle_remove(actor=cast.coordinator, contact=contact)
    assert not fresh(plan).is_flagged
    sweep_at(clock, at(9, 2) + dt.timedelta(days=2, minutes=2))
    assert kinds_for(cast.coordinator).count("care_flagged") == 2


def test_the_circle_check_reads_nothing_more_when_every_contact_is_still_eligible(cast, clock):
    plan = make_plan(cast, times=("20:00",))
    circle_member(cast, plan, "Carol Circle")
    assert sweep_at(clock, at(8, 1)).ineligible == 0
    assert not fresh(plan).is_flagged
    assert kinds_for(cast.coordinator) == []


def test_a_contact_who_leaves_after_being_alerted_does_not_make_the_ladder_skip_anyone(cast, clock):
    # given Carol, Dan and Eve in that order, and Carol already alerted
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    dan = circle_member(cast, plan, "Dan Circle")
    eve = circle_member(cast, plan, "Eve Circle")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    assert kinds_for(carol) == ["care_alert"]
    # when Carol leaves the circle before the next time-out
    clock.move_to(at(9, 55), tick=False)
    services.circle_leave(member=carol, contact=CircleContact.objects.get(member=carol))
    # then Dan is next, then Eve: nobody is skipped
    sweep_at(clock, at(10, 10))
    assert kinds_for(dan) == ["care_alert"] and kinds_for(eve) == []
    sweep_at(clock, at(10, 30))
    assert kinds_for(eve) == ["care_alert"]


def test_a_contact_found_ineligible_on_the_ladder_is_skipped_without_a_time_out(cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    dan = circle_member(cast, plan, "Dan Circle")
    for moment in (at(8, 30), at(9), at(9, 30)):
        sweep_at(clock, moment)
    carol.is_active = False  # after the hourly circle check, just before her turn
    carol.save()
    sweep_at(clock, at(9, 50))
    assert kinds_for(dan) == ["care_alert"]
    assert "contact_skipped" in steps(plan)
    assert fresh(plan).is_flagged


# -- 3. A cry for help is always real -----------------------------------------------------------


def test_help_in_a_drill_plan_goes_out_live_and_is_counted(cast, clock):
    # given a plan that runs as a drill
    plan = make_plan(cast, is_drill=True)
    carol = circle_member(cast, plan, "Carol Circle")
    # when the person presses "I need help"
    alert = services.care_help(actor=cast.member, plan=plan)
    # then the alert is live, and no message about it says TEST
    assert alert.is_drill is False
    subjects = list(
        OutboxMessage.objects.filter(kind="care_help").values_list("subject", flat=True)
    )
    assert subjects and not [s for s in subjects if "TEST" in s]
    assert not AlertEvent.objects.filter(alert=alert, is_drill=True).exists()
    # and it repeats live, and its outcome counts
    sweep_at(clock, START + 15 * M)
    repeats = OutboxMessage.objects.filter(kind="care_alert").values_list("subject", flat=True)
    assert repeats and not [s for s in repeats if "TEST" in s]
    services.care_alert_all_clear(actor=carol, alert=alert, outcome="was_fine")
    board = selectors.care_board(viewer=cast.coordinator, community=cast.community)
    assert board.false_alarms == {plan.public_id: 1}
    assert "TEST" not in OutboxMessage.objects.filter(kind="care_all_clear").first().subject


def test_help_during_a_drill_alert_makes_it_live(cast, clock):
    # given a community in drill mode with a drill alert open for a missed check-in
    services.care_settings_update(actor=cast.coordinator, community=cast.community, is_drill=True)
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    assert alert.is_drill
    # when the person replies HELP
    from mutua.notify.services import inbound_sms_receive
    from mutua.people.models import SensitiveDetails

    SensitiveDetails.objects.update_or_create(user=cast.member, defaults={"phone": "+447700900123"})
    inbound_sms_receive(from_address="+447700900123", text="HELP")
    # then the alert is live from now on and the circle hears it without TEST
    alert.refresh_from_db()
    assert alert.reason == "help" and alert.is_drill is False
    help_subject = OutboxMessage.objects.filter(recipient=carol, kind="care_help").first().subject
    assert not help_subject.startswith("TEST")


def test_only_coordinators_are_on_call_and_shifts_need_a_coordinator(cast, clock):
    with pytest.raises(PermissionDenied):
        services.on_call_shift_add(
            actor=cast.coordinator,
            community=cast.community,
            coordinator=cast.member,
            starts_at=START,
            ends_at=START + dt.timedelta(hours=8),
        )
    assert not OnCallShift.objects.exists()


def test_an_invited_contact_who_leaves_is_noticed_too(cast, clock):
    plan = make_plan(cast, times=("20:00",))
    ivy = make_user("Ivy Invited", "ivy@example.org")
    add_member(cast.community, ivy)
    services.circle_invite(actor=cast.member, plan=plan, member=ivy)
    _leave(cast, ivy)
    sweep_at(clock, at(8, 1))
    assert CircleContact.objects.get(member=ivy).status == "ineligible"
    assert fresh(plan).is_flagged
    with pytest.raises(NotFound):
        selectors.plan_get(viewer=ivy, public_id=plan.public_id)
