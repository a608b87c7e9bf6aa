"""The care API beyond checking in: change, pause, resume and end a plan; its history; the
circle; the rota; the settings; the call list. Refusals are problem+json and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import CarePlan, CareSettings, CircleContact, OnCallShift
from mutua.people.models import SensitiveDetails
from tests.care.helpers import START, circle_member, fresh, make_plan, sweep_at
from tests.factories import add_member, make_user

M = dt.timedelta(minutes=1)
JSON = "application/json"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return response.json()


def test_api_changes_pauses_resumes_and_ends_a_plan(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    url = f"/api/v1/care/plans/{plan.public_id}"
    changed = client.patch(url, {"times": ["10:30"], "grace_minutes": 20}, content_type=JSON)
    assert changed.status_code == 200
    assert changed.json()["times"] == ["10:30"] and changed.json()["grace_minutes"] == 20
    paused = client.post(f"{url}/pause", {"until": "2026-05-10T00:00:00Z"}, content_type=JSON)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    resumed = client.post(f"{url}/resume", content_type=JSON)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    ended = client.post(f"{url}/end", content_type=JSON)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    _problem(client.post(f"{url}/end", content_type=JSON), 409)


def test_api_bad_plan_changes_are_field_errors_and_change_nothing(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    url = f"/api/v1/care/plans/{plan.public_id}"
    _problem(client.patch(url, {"rrule": "FREQ=HOURLY"}, content_type=JSON), 422)
    _problem(client.patch(url, {"grace_minutes": 0}, content_type=JSON), 422)
    _problem(client.patch(url, {"colour": "red"}, content_type=JSON), 422)
    naive = client.post(f"{url}/pause", {"until": "2026-05-10T00:00:00"}, content_type=JSON)
    _problem(naive, 422)
    past = client.post(f"{url}/pause", {"until": "2026-01-01T00:00:00Z"}, content_type=JSON)
    assert "until" in _problem(past, 422).get("errors", {})
    p = fresh(plan)
    assert (p.rrule, p.grace_minutes, p.status) == ("FREQ=DAILY", 30, "active")


@pytest.mark.parametrize(("role", "status"), [("caller", 404), ("outsider", 404), ("circle", 403)])
def test_api_others_cannot_change_a_plan(client, cast, clock, role, status):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    client.force_login(carol if role == "circle" else getattr(cast, role))
    url = f"/api/v1/care/plans/{plan.public_id}"
    _problem(client.patch(url, {"times": ["11:00"]}, content_type=JSON), status)
    _problem(client.post(f"{url}/end", content_type=JSON), status)
    assert fresh(plan).times == ["09:00"] and fresh(plan).status == "active"


def test_api_plan_history_is_in_words(client, cast, clock):
    plan = make_plan(cast)
    sweep_at(clock, START + 30 * M)
    client.force_login(cast.member)
    history = client.get(f"/api/v1/care/plans/{plan.public_id}/history").json()
    [event] = history["events"]
    assert event["kind"] == "reminder:reminder:0" and event["words"] == "Reminder sent"


def test_api_circle_invite_accept_decline_leave_outside_on_call_and_remove(client, cast, clock):
    plan = make_plan(cast)
    dana = make_user("Dana Neighbour", "dana@example.org")
    eve = make_user("Eve Neighbour", "eve@example.org")
    for person in (dana, eve):
        add_member(cast.community, person)
    client.force_login(cast.member)
    base = f"/api/v1/care/plans/{plan.public_id}/circle"
    invite = client.post(f"{base}/invitations", {"member": dana.public_id}, content_type=JSON)
    assert invite.status_code == 201 and invite.json()["status"] == "invited"
    eve_invite = client.post(f"{base}/invitations", {"member": eve.public_id}, content_type=JSON)
    outside = client.post(
        f"{base}/outside",
        {"name": "Sis", "phone": "+447700900999", "consent_note": "agreed by phone"},
        content_type=JSON,
    )
    assert outside.status_code == 201 and outside.json()["kind"] == "outside"
    on_call = client.post(f"{base}/on-call", content_type=JSON)
    assert on_call.status_code == 201
    _problem(client.post(f"{base}/on-call", content_type=JSON), 409)
    # Dana accepts and later leaves; Eve declines: both flag the plan
    client.force_login(dana)
    mine = client.get("/api/v1/care/circles").json()
    assert [c["plan"] for c in mine] == [plan.public_id]
    contact_id = invite.json()["id"]
    accepted = client.post(f"/api/v1/care/circles/{contact_id}/accept", content_type=JSON)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    left = client.post(f"/api/v1/care/circles/{contact_id}/leave", content_type=JSON)
    assert left.json()["status"] == "left"
    client.force_login(eve)
    declined = client.post(
        f"/api/v1/care/circles/{eve_invite.json()['id']}/decline", content_type=JSON
    )
    assert declined.json()["status"] == "declined"
    assert fresh(plan).is_flagged
    # the person mends the circle by taking both off
    client.force_login(cast.member)
    for cid in (contact_id, eve_invite.json()["id"]):
        assert client.delete(f"{base}/{cid}").status_code == 204
    assert not fresh(plan).is_flagged
    circle = client.get(base).json()
    assert [c["kind"] for c in circle] == ["outside", "on_call"]
    assert all(isinstance(c["id"], str) and len(c["id"]) == 16 for c in circle)


def test_api_circle_refusals_change_nothing(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    contact = CircleContact.objects.get(member=carol)
    base = f"/api/v1/care/plans/{plan.public_id}/circle"
    client.force_login(carol)  # a circle member may not manage the circle
    _problem(client.delete(f"{base}/{contact.public_id}"), 403)
    _problem(
        client.post(f"{base}/invitations", {"member": cast.caller.public_id}, content_type=JSON),
        403,
    )
    client.force_login(cast.member)
    missing = client.post(
        f"{base}/outside", {"name": "Sis", "consent_note": "agreed"}, content_type=JSON
    )
    assert "name" in _problem(missing, 422)["errors"]
    bad_email = client.post(
        f"{base}/outside",
        {"name": "Sis", "email": "not an address", "consent_note": "agreed"},
        content_type=JSON,
    )
    assert "email" in _problem(bad_email, 422)["errors"]
    outsider = client.post(
        f"{base}/invitations", {"member": cast.outsider.public_id}, content_type=JSON
    )
    assert "member" in _problem(outsider, 422)["errors"]
    client.force_login(cast.caller)  # someone else's invitation
    _problem(client.post(f"/api/v1/care/circles/{contact.public_id}/leave"), 404)
    assert list(CircleContact.objects.values_list("status", flat=True)) == ["accepted"]


def test_api_rota_and_settings_for_coordinators_only(client, cast, clock):
    client.force_login(cast.coordinator)
    shift = {
        "coordinator": cast.coordinator.public_id,
        "starts_at": "2026-05-04T18:00:00Z",
        "ends_at": "2026-05-05T08:00:00Z",
    }
    added = client.post("/api/v1/care/communities/riverside/rota", shift, content_type=JSON)
    assert added.status_code == 201 and added.json()["coordinator"] == "Coordinator Person"
    assert not str(added.json()["id"]).isdigit()  # a public id, never the database key
    rota = client.get("/api/v1/care/communities/riverside/rota").json()
    assert [r["coordinator_id"] for r in rota] == [cast.coordinator.public_id]
    backwards = {**shift, "ends_at": "2026-05-04T17:00:00Z"}
    _problem(
        client.post("/api/v1/care/communities/riverside/rota", backwards, content_type=JSON), 422
    )
    member = {**shift, "coordinator": cast.member.public_id}
    _problem(client.post("/api/v1/care/communities/riverside/rota", member, content_type=JSON), 403)
    url = "/api/v1/care/communities/riverside/settings"
    assert client.get(url).json()["is_drill"] is False
    changed = client.patch(url, {"is_drill": True, "repeat_minutes": 10}, content_type=JSON)
    assert changed.json() == {
        "is_drill": True,
        "drill_until": None,
        "grace_minutes": 30,
        "contact_timeout_minutes": 20,
        "repeat_minutes": 10,
    }
    _problem(client.patch(url, {"repeat_minutes": 0}, content_type=JSON), 422)
    for role in ("member", "caller"):
        client.force_login(getattr(cast, role))
        _problem(client.patch(url, {"is_drill": False}, content_type=JSON), 403)
        _problem(client.get("/api/v1/care/communities/riverside/rota"), 403)
    assert CareSettings.objects.get().is_drill is True
    assert OnCallShift.objects.count() == 1


def test_api_call_list_for_callers_with_numbers(client, cast, clock):
    SensitiveDetails.objects.create(user=cast.member, phone="+447700900123")
    make_plan(cast, channels=["web", "phone"])
    for minutes in (30, 60, 90):
        sweep_at(clock, START + minutes * M)
    client.force_login(cast.caller)
    [call] = client.get("/api/v1/care/communities/riverside/calls").json()
    assert call["phone"] == "+447700900123" and call["is_person"] is True
    client.force_login(cast.member)
    _problem(client.get("/api/v1/care/communities/riverside/calls"), 403)


def test_api_board_names_plans_by_public_id_only(client, cast, clock):
    # given a plan with a false alarm that is on no section of the board (all is well)
    plan = make_plan(cast, times=("20:00",))
    alert = services.care_help(actor=cast.member, plan=plan)
    services.care_alert_all_clear(actor=cast.coordinator, alert=alert, outcome="was_fine")
    client.force_login(cast.coordinator)
    board = client.get("/api/v1/care/communities/riverside/board").json()
    assert board["false_alarms"] == {plan.public_id: 1}
    assert str(CarePlan.objects.get().pk) not in board["false_alarms"]
    assert board["failing"] == []
