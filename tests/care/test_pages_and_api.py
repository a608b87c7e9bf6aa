"""Care pages (no JavaScript needed), the API, and the care sweep's dead-man's switch."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import CheckIn
from mutua.core.health import health_status
from tests.care.helpers import START, circle_member, fresh, make_plan, sweep_at


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_my_check_in_page_has_one_big_button_that_works_without_javascript(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    page = client.get("/care/").content.decode()
    assert 'class="big-button"' in page and "112" in page
    response = client.post(f"/care/plans/{plan.public_id}/checkin/")
    assert response.status_code == 302
    assert CheckIn.objects.get(plan=plan).how == "web"


def test_circle_member_sees_who_holds_the_alert_and_can_take_it(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    alert = services.care_help(actor=cast.member, plan=plan)
    client.force_login(carol)
    page = client.get(f"/care/plans/{plan.public_id}/").content.decode()
    assert "Nobody is on it yet." in page and "112" in page
    client.post(f"/care/alerts/{alert.public_id}/ack/")
    client.force_login(cast.coordinator)
    page = client.get(f"/care/plans/{plan.public_id}/").content.decode()
    assert "Carol Circle is on it" in page


def test_people_outside_the_circle_cannot_see_a_plan(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.caller)
    assert client.get(f"/care/plans/{plan.public_id}/").status_code == 404


def test_care_board_shows_escalations_and_the_sweep_in_red_when_stale(client, cast, clock):
    plan = make_plan(cast)
    services.care_help(actor=cast.member, plan=plan)
    client.force_login(cast.coordinator)
    page = client.get("/c/riverside/care/").content.decode()
    assert "Check-ins are NOT being watched" in page
    assert "Member Person" in page
    sweep_at(clock, START + dt.timedelta(minutes=1))
    page = client.get("/c/riverside/care/").content.decode()
    assert "Check-ins are NOT being watched" not in page
    client.force_login(cast.member)
    assert client.get("/c/riverside/care/").status_code == 403


def test_health_fails_when_the_care_sweep_is_stale_and_plans_exist(client, cast, clock):
    from mutua.core.health import heartbeat_record

    heartbeat_record()
    assert health_status()["ok"] is True  # no plans yet: the care sweep is not needed
    make_plan(cast)
    assert health_status()["ok"] is False and health_status()["care_sweep"] is False
    sweep_at(clock, START)
    heartbeat_record()
    assert health_status()["ok"] is True
    clock.move_to(START + dt.timedelta(minutes=6), tick=False)
    heartbeat_record()  # the worker is alive, but the care sweep stopped
    status = health_status()
    assert status["ok"] is False and status["worker"] is True
    assert client.get("/health").status_code == 503


def test_api_check_in_acknowledge_and_all_clear(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    client.force_login(cast.member)
    got = client.get("/api/v1/care/plans").json()
    assert [p["id"] for p in got] == [plan.public_id]
    help_ = client.post(
        f"/api/v1/care/plans/{plan.public_id}/help", content_type="application/json"
    )
    assert help_.status_code == 201
    alert_id = help_.json()["id"]
    client.force_login(carol)
    ack = client.post(
        f"/api/v1/care/alerts/{alert_id}/acknowledge", content_type="application/json"
    )
    assert ack.status_code == 200 and ack.json()["held_by"] == "Carol Circle"
    done = client.post(
        f"/api/v1/care/alerts/{alert_id}/all-clear",
        {"outcome": "was_fine"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["outcome"] == "was_fine"
    assert fresh(plan).state == "all_clear"


def test_api_refuses_a_coordinator_plan_without_consent_as_problem_json(client, cast, clock):
    client.force_login(cast.coordinator)
    response = client.post(
        "/api/v1/care/communities/riverside/plans",
        {"person": cast.member.public_id, "times": ["09:00"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")


def test_api_board_for_coordinators_only(client, cast, clock):
    make_plan(cast)
    client.force_login(cast.coordinator)
    assert client.get("/api/v1/care/communities/riverside/board").status_code == 200
    client.force_login(cast.member)
    assert client.get("/api/v1/care/communities/riverside/board").status_code == 403
