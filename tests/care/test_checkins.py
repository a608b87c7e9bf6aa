"""Checking in from the web, a signed link and a reply; help; holding and access instructions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import CheckIn
from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.core.signed_links import signed_link_create
from mutua.notify.services import inbound_sms_receive
from mutua.people.models import SensitiveDetails
from tests.care.helpers import START, circle_member, fresh, kinds_for, make_plan, sweep_at
from tests.factories import add_member, make_user


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _phone(user, number: str, **extra) -> None:
    SensitiveDetails.objects.update_or_create(user=user, defaults={"phone": number, **extra})


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("OK", "checked_in"),
        ("ok!", "checked_in"),
        ("I'm fine thanks", "checked_in"),
        ("Okay {code}", "checked_in"),
        ("not ok", "help"),
        ("I am NOT okay", "help"),
        ("HELP", "help"),
        ("help {code}", "help"),
        ("no estoy bien", "help"),
        ("yes", "nothing"),
        ("what is this", "nothing"),
        ("OK ZZ99", "nothing"),  # a reply code for no plan of theirs
    ],
)
def test_reply_table(cast, clock, text, outcome):
    plan = make_plan(cast)
    _phone(cast.member, "+44 7700 900123")
    inbound = inbound_sms_receive(
        from_address="+447700900123", text=text.format(code=plan.reply_code)
    )
    p = fresh(plan)
    if outcome == "checked_in":
        assert CheckIn.objects.filter(plan=plan, how="reply").count() == 1
        assert inbound.handled_by
    elif outcome == "help":
        assert p.current_alert is not None and p.current_alert.reason == "help"
        assert "care_help" in kinds_for(cast.coordinator)
    else:
        assert CheckIn.objects.filter(plan=plan).count() == 0 and p.current_alert is None


def test_a_shared_phone_needs_the_reply_code_to_know_who_is_ok(cast, clock):
    partner = make_user("Pat Partner", "pat@example.org")
    add_member(cast.community, partner)
    mine = make_plan(cast)
    theirs = services.care_plan_create(
        actor=partner, community=cast.community, person=partner, times=["09:00"]
    )
    _phone(cast.member, "+447700900123")
    _phone(partner, "+447700900123")
    inbound_sms_receive(from_address="+447700900123", text="OK")
    assert CheckIn.objects.count() == 0  # ambiguous: nobody is assumed OK
    inbound_sms_receive(from_address="+447700900123", text=f"ok {theirs.reply_code}")
    assert list(CheckIn.objects.values_list("plan_id", flat=True)) == [theirs.pk]
    assert mine.checkins.count() == 0


def test_checkin_link_opens_a_page_and_only_the_post_records(client, cast, clock):
    plan = make_plan(cast)
    path = signed_link_create(
        user=cast.member, action="care.checkin", target_id=plan.public_id, ttl=dt.timedelta(hours=1)
    )
    page = client.get(path)
    assert page.status_code == 200 and 'class="big-button"' in page.content.decode()
    assert "112" in page.content.decode()  # the emergency number
    assert CheckIn.objects.count() == 0
    assert client.post(path).status_code == 200
    assert CheckIn.objects.get().how == "link"
    assert client.post(path).status_code == 409  # reused
    assert CheckIn.objects.count() == 1


def test_tampered_and_expired_links_are_refused(client, cast, clock):
    plan = make_plan(cast)
    path = signed_link_create(
        user=cast.member, action="care.checkin", target_id=plan.public_id, ttl=dt.timedelta(hours=1)
    )
    token = path.strip("/").split("/")[-1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/l/{tampered}/").status_code == 404
    clock.move_to(START + dt.timedelta(hours=2), tick=False)
    assert client.post(path).status_code == 409
    assert CheckIn.objects.count() == 0


def test_a_circle_member_can_check_in_on_the_persons_behalf(cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    checkin = services.care_checkin(actor=carol, plan=plan, how="circle")
    assert checkin.how == "circle" and checkin.by_name == "Carol Circle"
    with pytest.raises(PermissionDenied):
        services.care_checkin(actor=cast.caller, plan=plan, how="circle")
    with pytest.raises(PermissionDenied):
        services.care_checkin(actor=carol, plan=plan, how="web")


def test_help_alerts_circle_and_coordinators_at_once_and_nobody_else(cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    alert = services.care_help(actor=cast.member, plan=plan)
    assert alert.reason == "help" and alert.reached_final_step
    assert kinds_for(carol) == ["care_help"]
    assert kinds_for(cast.coordinator) == ["care_help"]
    assert kinds_for(cast.steward) == ["care_help"]
    assert kinds_for(cast.caller) == [] and kinds_for(cast.outsider) == []
    # and it keeps repeating to coordinators until someone holds it
    sweep_at(clock, START + dt.timedelta(minutes=15))
    assert kinds_for(cast.coordinator) == ["care_help", "care_alert"]


def test_access_instructions_only_for_the_holder_at_the_final_step_and_audited(cast, clock):
    _phone(cast.member, "", access_notes="Key with Mrs Jones at no. 4")
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    for minutes in (30, 60, 90, 110):  # reminder, deadline, ask again, Carol
        sweep_at(clock, START + dt.timedelta(minutes=minutes))
    alert = fresh(plan).current_alert
    services.care_alert_acknowledge(actor=carol, alert=alert)
    with pytest.raises(PermissionDenied):  # not yet the final step
        services.care_access_instructions(viewer=carol, alert=alert)
    alert.refresh_from_db()
    alert.reached_final_step = True
    alert.save()
    with pytest.raises(PermissionDenied):  # someone who does not hold it
        services.care_access_instructions(viewer=cast.coordinator, alert=alert)
    assert (
        services.care_access_instructions(viewer=carol, alert=alert)
        == "Key with Mrs Jones at no. 4"
    )
    entry = AuditEntry.objects.get(action="sensitive.read", actor=carol)
    assert entry.subject == cast.member and entry.is_safeguarding


def test_coordinator_sets_up_a_plan_only_with_consent_recorded(cast, clock):
    with pytest.raises(ValidationFailed):
        services.care_plan_create(
            actor=cast.coordinator, community=cast.community, person=cast.member, times=["09:00"]
        )
    plan = services.care_plan_create(
        actor=cast.coordinator,
        community=cast.community,
        person=cast.member,
        times=["09:00"],
        consent_note="Agreed on the phone on 4 May",
    )
    assert plan.consent_recorded_at == START and plan.created_by == cast.coordinator


def test_other_members_cannot_set_up_a_plan_for_someone(cast, clock):
    for actor in (cast.caller, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.care_plan_create(
                actor=actor,
                community=cast.community,
                person=cast.member,
                times=["09:00"],
                consent_note="x",
            )


def test_bad_schedule_is_refused_with_a_clear_error(cast, clock):
    with pytest.raises(ValidationFailed) as info:
        make_plan(cast, times=("25:00",))
    assert "times" in info.value.field_errors


def test_a_paused_plan_sends_nothing_and_resumes_by_itself(cast, clock):
    plan = make_plan(cast)
    services.care_plan_pause(actor=cast.member, plan=plan, until=START + dt.timedelta(days=2))
    for days in (0, 1):
        sweep_at(clock, START + dt.timedelta(days=days, hours=3))
    assert kinds_for(cast.member) == []
    sweep_at(clock, START + dt.timedelta(days=2))
    p = fresh(plan)
    assert p.status == "active" and p.current_due_at == START + dt.timedelta(days=2, hours=1)


def test_declining_flags_the_plan_until_the_circle_is_mended(cast, clock):
    plan = make_plan(cast)
    dana = make_user("Dana Decliner", "dana@example.org")
    add_member(cast.community, dana)
    contact = services.circle_invite(actor=cast.member, plan=plan, member=dana)
    services.circle_decline(member=dana, contact=contact)
    assert fresh(plan).is_flagged
    sweep_at(clock, START + dt.timedelta(minutes=1))
    sweep_at(clock, START + dt.timedelta(hours=2))
    assert kinds_for(cast.coordinator).count("care_flagged") == 1
    sweep_at(clock, START + dt.timedelta(days=1, minutes=2))  # told again the next day
    assert kinds_for(cast.coordinator).count("care_flagged") == 2
    services.circle_remove(actor=cast.member, contact=contact)
    assert not fresh(plan).is_flagged


def test_help_from_a_paused_plan_reaches_the_circle_and_ends_the_pause(cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    services.care_plan_pause(actor=cast.member, plan=plan, until=START + dt.timedelta(days=3))
    services.care_help(actor=cast.member, plan=plan)
    p = fresh(plan)
    assert p.status == "active" and p.state == "escalating"
    assert kinds_for(carol) == ["care_help"]
    sweep_at(clock, START + dt.timedelta(minutes=15))
    assert fresh(plan).current_alert is not None  # still open, still repeating
    assert kinds_for(cast.coordinator) == ["care_help", "care_alert"]


def test_help_while_someone_holds_the_alert_keeps_them_in_charge(cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    alert = services.care_help(actor=cast.member, plan=plan)
    services.care_alert_acknowledge(actor=carol, alert=alert)
    services.care_help(actor=cast.member, plan=plan)
    p = fresh(plan)
    assert p.state == "held" and p.current_alert.held_by == carol
