"""Pages for setting up care: plan, schedule, pause/resume, circle, on-call rota (no JavaScript)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care.models import CarePlan, CircleContact, OnCallShift
from mutua.core.models import AuditEntry
from tests.care.helpers import START, fresh, make_plan
from tests.factories import add_member, make_user

SCHEDULE = {
    "times": "09:00, 18:30",
    "rrule": "FREQ=DAILY",
    "channels": ["web", "email"],
    "grace_minutes": "45",
    "reminder_leads": "30, 10",
}


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_member_sets_up_their_own_plan_on_a_page(client, cast, clock):
    client.force_login(cast.member)
    page = client.get("/c/riverside/care/plans/new/")
    assert page.status_code == 200 and "112" in page.content.decode()
    response = client.post("/c/riverside/care/plans/new/", SCHEDULE)
    plan = CarePlan.objects.get(person=cast.member)
    assert response.status_code == 302 and response["Location"].endswith(f"{plan.public_id}/")
    assert plan.times == ["09:00", "18:30"] and plan.reminder_leads == [30, 10]
    assert plan.grace_minutes == 45


def test_coordinator_sets_up_a_plan_for_a_member_with_consent_recorded(client, cast, clock):
    client.force_login(cast.coordinator)
    data = {**SCHEDULE, "person_email": "member@example.org", "consent_note": "Agreed by phone"}
    assert client.post("/c/riverside/care/plans/new/", data).status_code == 302
    plan = CarePlan.objects.get(person=cast.member)
    assert plan.created_by == cast.coordinator and plan.consent_note == "Agreed by phone"


def test_coordinator_without_consent_note_gets_a_field_error_and_nothing_is_written(
    client, cast, clock
):
    client.force_login(cast.coordinator)
    data = {**SCHEDULE, "person_email": "member@example.org"}
    response = client.post("/c/riverside/care/plans/new/", data)
    assert response.status_code == 400
    assert "Record how the person agreed" in response.content.decode()
    assert not CarePlan.objects.exists()


@pytest.mark.parametrize("role", ["caller", "member"])
def test_members_cannot_set_up_a_plan_for_someone_else(client, cast, clock, role):
    client.force_login(getattr(cast, role))
    other = "caller@example.org" if role == "member" else "member@example.org"
    data = {**SCHEDULE, "person_email": other, "consent_note": "yes"}
    assert client.post("/c/riverside/care/plans/new/", data).status_code == 403
    assert not CarePlan.objects.exists()


def test_outsider_cannot_set_up_a_plan(client, cast, clock):
    client.force_login(cast.outsider)
    assert client.post("/c/riverside/care/plans/new/", SCHEDULE).status_code == 403
    assert not CarePlan.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("times", "9 o'clock", "Give times of day as HH:MM"),
        ("rrule", "EVERY TUESDAY", "This repeat rule is not understood."),
        ("grace_minutes", "0", "greater than or equal to 1"),
        ("reminder_leads", "soon", "Give whole numbers of minutes."),
        ("channels", [], "This field is required."),
    ],
)
def test_bad_schedule_gives_field_errors_and_writes_nothing(
    client, cast, clock, field, value, message
):
    client.force_login(cast.member)
    response = client.post("/c/riverside/care/plans/new/", {**SCHEDULE, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CarePlan.objects.exists()


def test_member_edits_schedule_channels_grace_and_reminders(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    assert "09:00" in client.get(f"/care/plans/{plan.public_id}/edit/").content.decode()
    data = {**SCHEDULE, "times": "10:15", "channels": ["sms"], "grace_minutes": "20"}
    assert client.post(f"/care/plans/{plan.public_id}/edit/", data).status_code == 302
    plan = fresh(plan)
    assert plan.times == ["10:15"] and plan.channels == ["sms"] and plan.grace_minutes == 20


def test_circle_member_cannot_edit_the_plan_and_bad_input_changes_nothing(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    bad = client.post(f"/care/plans/{plan.public_id}/edit/", {**SCHEDULE, "times": "25:99"})
    assert bad.status_code == 400 and fresh(plan).times == ["09:00"]
    client.force_login(cast.caller)
    assert client.post(f"/care/plans/{plan.public_id}/edit/", SCHEDULE).status_code == 404
    assert fresh(plan).times == ["09:00"]


def test_pause_until_a_date_then_resume(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    response = client.post(f"/care/plans/{plan.public_id}/pause/", {"until": "2026-05-20"})
    assert response.status_code == 302
    plan = fresh(plan)
    assert plan.status == "paused" and plan.paused_until == dt.datetime(2026, 5, 20, tzinfo=dt.UTC)
    assert "Start check-ins again" in client.get(f"/care/plans/{plan.public_id}/").content.decode()
    assert client.post(f"/care/plans/{plan.public_id}/resume/").status_code == 302
    assert fresh(plan).status == "active"


def test_pause_in_the_past_is_a_field_error_and_others_are_refused(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    response = client.post(f"/care/plans/{plan.public_id}/pause/", {"until": "2026-01-01"})
    assert response.status_code == 400 and "within the next year" in response.content.decode()
    assert fresh(plan).status == "active"
    client.force_login(cast.outsider)
    assert (
        client.post(f"/care/plans/{plan.public_id}/pause/", {"until": "2026-05-20"}).status_code
        == 404
    )
    assert client.post(f"/care/plans/{plan.public_id}/resume/").status_code == 404
    assert fresh(plan).status == "active"


def test_invited_member_accepts_on_a_page_and_outside_contact_needs_consent(client, cast, clock):
    plan = make_plan(cast)
    dana = make_user("Dana Neighbour", "dana@example.org")
    add_member(cast.community, dana)
    client.force_login(cast.member)
    url = f"/care/plans/{plan.public_id}/circle/"
    assert (
        client.post(url, {"form": "member", "member-email": "dana@example.org"}).status_code == 302
    )
    contact = CircleContact.objects.get(plan=plan, member=dana)
    assert contact.status == "invited"
    missing = client.post(url, {"form": "outside", "outside-name": "Sis", "outside-phone": "+4412"})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    ok = {
        "form": "outside",
        "outside-name": "Sis",
        "outside-phone": "+4412",
        "outside-consent_note": "She agreed by phone",
    }
    assert client.post(url, ok).status_code == 302
    assert CircleContact.objects.filter(plan=plan, kind="outside", status="accepted").count() == 1
    client.force_login(dana)
    assert "Accept" in client.get("/care/").content.decode()
    client.post(f"/care/circle/{contact.public_id}/accept/")
    assert CircleContact.objects.get(pk=contact.pk).status == "accepted"


def test_inviting_a_non_member_is_a_field_error_and_circle_members_cannot_invite(
    client, cast, clock
):
    plan = make_plan(cast)
    client.force_login(cast.member)
    url = f"/care/plans/{plan.public_id}/circle/"
    response = client.post(url, {"form": "member", "member-email": "outsider@example.org"})
    assert (
        response.status_code == 400 and "No member of this community" in response.content.decode()
    )
    client.force_login(cast.caller)
    assert (
        client.post(url, {"form": "member", "member-email": "steward@example.org"}).status_code
        == 404
    )
    assert not CircleContact.objects.exists()


def test_coordinators_keep_the_on_call_rota(client, cast, clock):
    client.force_login(cast.coordinator)
    assert client.get("/c/riverside/care/rota/").status_code == 200
    data = {
        "coordinator_email": "coordinator@example.org",
        "starts_at": "2026-05-04T18:00",
        "ends_at": "2026-05-05T08:00",
    }
    assert client.post("/c/riverside/care/rota/", data).status_code == 302
    shift = OnCallShift.objects.get()
    assert shift.starts_at == dt.datetime(2026, 5, 4, 18, tzinfo=dt.UTC)
    assert "Coordinator Person" in client.get("/c/riverside/care/rota/").content.decode()


def test_rota_refuses_members_and_bad_shifts_write_nothing(client, cast, clock):
    data = {
        "coordinator_email": "coordinator@example.org",
        "starts_at": "2026-05-05T08:00",
        "ends_at": "2026-05-04T18:00",
    }
    client.force_login(cast.coordinator)
    response = client.post("/c/riverside/care/rota/", data)
    assert (
        response.status_code == 400 and "A shift ends after it starts." in response.content.decode()
    )
    for role in ("member", "caller", "outsider"):
        client.force_login(getattr(cast, role))
        assert client.get("/c/riverside/care/rota/").status_code == 403
        assert client.post("/c/riverside/care/rota/", data).status_code == 403
    assert not OnCallShift.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="care.").exists()
