"""Safety gaps closed: holding an alert shows how to get in and nothing more, "I saw them" never
answers a cry for help, replies nobody understood reach a person, invitees see only the
invitation, blocks keep people out of circles, every care screen has the emergency number, and
coordinators can take someone off the on-call rota."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import selectors, services
from mutua.care.models import AlertEvent, CheckIn, CircleContact, OnCallShift
from mutua.care.services.common import on_call
from mutua.communities.models import Membership
from mutua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.notify.models import Notification
from mutua.notify.services import inbound_sms_receive
from mutua.people.services import sensitive_update
from mutua.trust.safeguarding import block_create
from tests.care.helpers import START, circle_member, fresh, kinds_for, make_plan, steps, sweep_at
from tests.factories import add_member, make_user

JSON = "application/json"
ADDRESS, DOOR, HEALTH = "7 Secret Row", "Key with Mrs Jones at no. 4", "insulin twice a day"
PHONE = "+447700900123"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def at(hour: int, minute: int = 0) -> dt.datetime:
    return START.replace(hour=hour, minute=minute)


def _private_details(user) -> None:
    sensitive_update(
        user=user,
        phone=PHONE,
        address=ADDRESS,
        access_notes=DOOR,
        health_consent=True,
        health_notes=HEALTH,
    )


def _membership_id(cast, user) -> str:
    return Membership.objects.get(community=cast.community, user=user).public_id


# -- 1. Holding an alert shows how to get in, never the rest of the private details -----------


def test_the_holder_of_a_cry_for_help_gets_how_to_get_in_and_nothing_else(client, cast, clock):
    # given the person's private details and a circle member who takes their cry for help
    _private_details(cast.member)
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    alert = services.care_help(actor=cast.member, plan=plan)
    services.care_alert_acknowledge(actor=carol, alert=alert)
    client.force_login(carol)
    # when she opens the plan page and asks how to get in
    page = client.get(f"/care/plans/{plan.public_id}/?instructions=1").content.decode()
    # then she sees the address and the access notes, recorded, and never the health notes
    assert DOOR in page and ADDRESS in page and HEALTH not in page
    entry = AuditEntry.objects.get(action="sensitive.read", actor=carol)
    assert entry.subject == cast.member and entry.is_safeguarding
    assert entry.after["fields"] == ["address", "access_notes"]
    assert "instructions_shown" in steps(plan)
    # and the member's private details stay closed to her, in the API and on the page
    member_id = _membership_id(cast, cast.member)
    api = client.get(f"/api/v1/communities/riverside/members/{member_id}/private")
    assert api.status_code == 403 and HEALTH not in api.content.decode()
    web = client.post(f"/c/riverside/members/{member_id}/private/")
    assert web.status_code in (403, 404) and HEALTH not in web.content.decode()
    assert AuditEntry.objects.filter(action="sensitive.read", actor=carol).count() == 1


def test_someone_who_does_not_hold_the_alert_is_refused_how_to_get_in(cast, clock):
    _private_details(cast.member)
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    dan = circle_member(cast, plan, "Dan Circle")
    alert = services.care_help(actor=cast.member, plan=plan)
    services.care_alert_acknowledge(actor=carol, alert=alert)
    with pytest.raises(PermissionDenied):
        services.care_access_details(viewer=dan, alert=alert)
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def test_a_drill_never_shows_how_to_get_in(client, cast, clock):
    # given a drill plan whose missed check-in reached the final step, held by the coordinator
    _private_details(cast.member)
    plan = make_plan(cast, is_drill=True)
    circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    assert alert.is_drill and alert.reached_final_step
    services.care_alert_acknowledge(actor=cast.coordinator, alert=alert)
    # then the service refuses and the page neither offers nor shows how to get in
    with pytest.raises(PermissionDenied):
        services.care_access_details(viewer=cast.coordinator, alert=alert)
    client.force_login(cast.coordinator)
    page = client.get(f"/care/plans/{plan.public_id}/?instructions=1").content.decode()
    assert DOOR not in page and "Show how to get in" not in page
    assert "instructions_shown" not in steps(plan)
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


# -- 2. "I saw them today" never closes a cry for help ----------------------------------------


def test_i_saw_them_today_leaves_a_cry_for_help_open(client, cast, clock):
    # given a circle member and an open cry for help
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    alert = services.care_help(actor=cast.member, plan=plan)
    # when Carol taps "I saw them today", and the person taps "I'm OK"
    client.force_login(carol)
    response = client.post(f"/care/plans/{plan.public_id}/checkin-for/", follow=True)
    assert "stays open" in response.content.decode()
    services.care_checkin(actor=cast.member, plan=plan, how="web")
    # then both check-ins are recorded, but the alert stays open and nobody hears all clear
    assert CheckIn.objects.filter(plan=plan).count() == 2
    alert.refresh_from_db()
    assert alert.is_open and fresh(plan).current_alert_id == alert.pk
    assert fresh(plan).state == "escalating"
    assert not Notification.objects.filter(kind="care_all_clear").exists()
    # and only an explicit all-clear closes it
    services.care_alert_all_clear(actor=carol, alert=alert, outcome="was_fine")
    assert fresh(plan).current_alert is None
    assert Notification.objects.filter(kind="care_all_clear").exists()


def test_i_saw_them_today_still_closes_a_missed_check_in(cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30), at(9, 50), at(10, 10)):
        sweep_at(clock, moment)  # up to the coordinator on call
    alert = fresh(plan).current_alert
    assert alert.reason == "missed"
    services.care_checkin(actor=carol, plan=plan, how="circle")
    alert.refresh_from_db()
    assert alert.outcome == "was_fine" and fresh(plan).current_alert is None
    assert "care_all_clear" in kinds_for(cast.coordinator)


# -- 3. A reply nobody understood goes to a person at once ------------------------------------


@pytest.mark.parametrize("text", ["I fell", "not well", "I need a doctor", "fine but I fell"])
def test_a_reply_we_cannot_read_goes_to_the_circle_and_coordinators(cast, clock, text):
    # given a plan with a circle member and the person's phone known
    sensitive_update(user=cast.member, phone=PHONE)
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    # when the person texts words the parser does not understand
    inbound = inbound_sms_receive(from_address=PHONE, text=text)
    # then the circle and the coordinators get a critical message with the words at once
    assert inbound.reply_kind == "unknown" and inbound.handled_by
    for user in (carol, cast.coordinator, cast.steward):
        note = Notification.objects.get(recipient=user, kind="care_reply")
        assert text in note.body and note.is_critical
    assert not Notification.objects.filter(recipient=cast.member, kind="care_reply").exists()
    assert not Notification.objects.filter(recipient=cast.caller, kind="care_reply").exists()
    # and it is in the plan's history, and it did not count as OK
    event = AlertEvent.objects.get(plan=plan, kind="reply")
    assert event.detail == text
    assert not CheckIn.objects.filter(plan=plan).exists()
    history = selectors.plan_history(plan=plan)
    assert any(text in e.words for e in history["events"])


def test_a_reply_we_cannot_read_from_someone_without_a_plan_reaches_nobody(cast, clock):
    sensitive_update(user=cast.caller, phone=PHONE)
    inbound = inbound_sms_receive(from_address=PHONE, text="I fell")
    assert inbound.handled_by == []
    assert not Notification.objects.filter(kind="care_reply").exists()


def test_an_ok_reply_is_not_forwarded(cast, clock):
    sensitive_update(user=cast.member, phone=PHONE)
    plan = make_plan(cast)
    inbound_sms_receive(from_address=PHONE, text="ok")
    assert CheckIn.objects.filter(plan=plan, how="reply").exists()
    assert not Notification.objects.filter(kind="care_reply").exists()


# -- 4. Invited contacts see the invitation, not the plan -------------------------------------


def test_an_invited_contact_sees_only_the_invitation_until_they_accept(client, cast, clock):
    # given a plan with a cry for help open, and Ivy invited but not yet accepted
    plan = make_plan(cast)
    ivy = make_user("Ivy Invited", "ivy@example.org")
    add_member(cast.community, ivy)
    contact = services.circle_invite(actor=cast.member, plan=plan, member=ivy)
    alert = services.care_help(actor=cast.member, plan=plan)
    client.force_login(ivy)
    # then the plan, its history, circle and alert are closed to her, in pages and API
    with pytest.raises(NotFound):
        selectors.plan_get(viewer=ivy, public_id=plan.public_id)
    with pytest.raises(NotFound):
        selectors.alert_get(viewer=ivy, public_id=alert.public_id)
    assert client.get(f"/care/plans/{plan.public_id}/").status_code == 404
    for path in ("", "/history", "/circle"):
        response = client.get(f"/api/v1/care/plans/{plan.public_id}{path}")
        assert response.status_code == 404 and plan.reply_code not in response.content.decode()
    # and she sees who asks, to accept or decline, without the plan's state or its alert
    [mine] = client.get("/api/v1/care/circles").json()
    assert mine["person"] == "Member Person" and mine["state"] == "" and mine["alert"] is None
    page = client.get("/care/").content.decode()
    assert "asks you to join their care circle" in page and "Accept" in page
    assert "Escalating" not in page and "Nobody is on it yet." not in page
    # when she accepts, the plan opens to her
    services.circle_accept(member=ivy, contact=contact)
    assert selectors.plan_get(viewer=ivy, public_id=plan.public_id) == plan
    assert client.get("/api/v1/care/circles").json()[0]["alert"]["id"] == alert.public_id


# -- 5. Blocks keep people out of each other's circles ----------------------------------------


@pytest.mark.parametrize("direction", ["person_blocked_them", "they_blocked_person"])
def test_a_member_blocked_either_way_cannot_be_invited(cast, clock, direction):
    plan = make_plan(cast)
    dana = make_user("Dana Neighbour", "dana@example.org")
    add_member(cast.community, dana)
    if direction == "person_blocked_them":
        block_create(user=cast.member, other=dana)
    else:
        block_create(user=dana, other=cast.member)
    for actor in (cast.member, cast.coordinator):
        with pytest.raises(ValidationFailed) as refused:
            services.circle_invite(actor=actor, plan=plan, member=dana)
        assert "blocked" not in refused.value.message  # who blocked whom stays private
    assert not CircleContact.objects.exists()
    assert not Notification.objects.filter(recipient=dana).exists()


def test_a_block_after_the_invitation_stops_the_accept(cast, clock):
    plan = make_plan(cast)
    dana = make_user("Dana Neighbour", "dana@example.org")
    add_member(cast.community, dana)
    contact = services.circle_invite(actor=cast.member, plan=plan, member=dana)
    block_create(user=cast.member, other=dana)
    with pytest.raises(PermissionDenied):
        services.circle_accept(member=dana, contact=contact)
    assert CircleContact.objects.get(pk=contact.pk).status == "invited"


def test_an_unblocked_member_is_still_invited(cast, clock):
    plan = make_plan(cast)
    dana = make_user("Dana Neighbour", "dana@example.org")
    add_member(cast.community, dana)
    block_create(user=cast.member, other=cast.caller)  # a block between other people
    assert services.circle_invite(actor=cast.member, plan=plan, member=dana).status == "invited"


# -- 6. Every care screen shows the emergency number ------------------------------------------


def test_my_check_ins_with_no_plan_and_no_circle_shows_the_emergency_number(client, cast, clock):
    cast.community.emergency_number = "999"
    cast.community.save()
    client.force_login(cast.caller)
    page = client.get("/care/").content.decode()
    assert "You have no check-in plan." in page
    assert "In an emergency call 999." in page


# -- 7. Coordinators take someone off the on-call rota ----------------------------------------


def _shift(cast, starts: dt.datetime, hours: int = 8) -> OnCallShift:
    return services.on_call_shift_add(
        actor=cast.coordinator,
        community=cast.community,
        coordinator=cast.coordinator,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
    )


def test_ending_a_shift_under_way_on_the_rota_page_takes_them_off_call(client, cast, clock):
    # given the coordinator on call now, and a second coordinator who is not
    other = make_user("Olga Other", "olga@example.org")
    add_member(cast.community, other, role="coordinator")
    shift = _shift(cast, START - dt.timedelta(hours=1))
    assert on_call(cast.community, START) == [cast.coordinator]
    # when a coordinator ends it on the rota page
    client.force_login(other)
    rota = client.get("/c/riverside/care/rota/").content.decode()
    assert f"/c/riverside/care/rota/{shift.public_id}/end/" in rota
    assert client.post(f"/c/riverside/care/rota/{shift.public_id}/end/").status_code == 302
    # then the shift ended now (kept in the record) and nobody is on the rota
    shift.refresh_from_db()
    assert shift.ends_at == START
    assert not OnCallShift.objects.filter(starts_at__lte=START, ends_at__gt=START).exists()
    assert selectors.on_call_rota(viewer=other, community=cast.community) == []


def test_a_coming_shift_is_deleted_through_the_api(client, cast, clock):
    shift = _shift(cast, START + dt.timedelta(hours=4))
    client.force_login(cast.coordinator)
    [row] = client.get("/api/v1/care/communities/riverside/rota").json()
    assert row["id"] == shift.public_id
    response = client.delete(f"/api/v1/care/communities/riverside/rota/{shift.public_id}")
    assert response.status_code == 204
    assert not OnCallShift.objects.exists()
    missing = client.delete(f"/api/v1/care/communities/riverside/rota/{shift.public_id}")
    assert missing.status_code == 404


def test_members_cannot_end_a_shift_and_nothing_changes(client, cast, clock):
    shift = _shift(cast, START - dt.timedelta(hours=1))
    for who in (cast.member, cast.caller):
        client.force_login(who)
        api = client.delete(f"/api/v1/care/communities/riverside/rota/{shift.public_id}")
        assert api.status_code == 403
        assert client.post(f"/c/riverside/care/rota/{shift.public_id}/end/").status_code == 403
        with pytest.raises(PermissionDenied):
            services.on_call_shift_end(actor=who, shift=shift)
    shift.refresh_from_db()
    assert shift.ends_at == START + dt.timedelta(hours=7)


def test_a_shift_that_already_ended_cannot_be_ended_again(cast, clock):
    shift = _shift(cast, START - dt.timedelta(hours=9))
    with pytest.raises(Conflict):
        services.on_call_shift_end(actor=cast.coordinator, shift=shift)
