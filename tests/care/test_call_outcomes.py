"""The phone channel complete: callers are told of a call to make (the number stays on the call
list), and what came of each call is recorded with who and when, on the web and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import AlertEvent, CircleContact
from mutua.care.selectors import plan_history
from mutua.care.services.calls import care_call_outcome_record
from mutua.core.errors import Conflict, NotFound, ValidationFailed
from mutua.notify.kinds import kind_get
from mutua.notify.models import Notification, OutboxMessage
from mutua.people.models import SensitiveDetails
from tests.care.helpers import START, fresh, kinds_for, make_plan, sweep_at

M = dt.timedelta(minutes=1)
JSON = "application/json"
NUMBER = "+44 7700 900123"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _missed(clock) -> None:
    """Reminder at 08:30, deadline 09:00, grace over at 09:30: the person is to be phoned."""
    for minutes in (30, 60, 90):
        sweep_at(clock, START + minutes * M)
    clock.move_to(START + 91 * M, tick=False)


@pytest.fixture
def phoned(cast, clock):
    """A plan asking by phone whose 09:00 check-in was missed: the person is on the call list."""
    SensitiveDetails.objects.create(user=cast.member, phone=NUMBER)
    plan = make_plan(cast, channels=["web", "phone"])
    _missed(clock)
    return fresh(plan)


def _outcome_url(plan) -> str:
    return f"/c/riverside/care/calls/{plan.current_alert.public_id}/outcome/"


def _api_url(plan) -> str:
    return f"/api/v1/care/communities/riverside/calls/{plan.current_alert.public_id}/outcome"


def _written() -> tuple[int, int, int]:
    return AlertEvent.objects.count(), Notification.objects.count(), OutboxMessage.objects.count()


def test_callers_are_told_of_a_call_with_the_call_list_link_and_no_number(cast, phoned):
    # then the caller, as well as the coordinators on call, has a call to make
    assert kinds_for(cast.caller) == ["care_call"]
    assert "care_call" in kinds_for(cast.coordinator)
    assert kinds_for(cast.outsider) == [] and "care_call" not in kinds_for(cast.member)
    note = Notification.objects.get(recipient=cast.caller, kind="care_call")
    assert note.actions[0]["url"].endswith("/c/riverside/care/calls/")
    # the number itself is only on the call list, never in a message
    for message in OutboxMessage.objects.filter(recipient=cast.caller):
        assert "900123" not in message.subject + message.body_text + message.sms_text
        assert "/c/riverside/care/calls/" in message.body_text + message.sms_text
    # a safety message: it bypasses quiet hours
    assert kind_get("care_call").critical
    assert OutboxMessage.objects.filter(recipient=cast.caller, is_critical=False).count() == 0
    # and the step is logged for the caller, so they hear who holds it and the all-clear
    assert AlertEvent.objects.filter(plan=phoned, kind="call", recipient=cast.caller).exists()


def test_a_drill_call_to_a_caller_says_test(cast, clock):
    SensitiveDetails.objects.create(user=cast.member, phone=NUMBER)
    make_plan(cast, channels=["web", "phone"], is_drill=True)
    _missed(clock)
    subjects = list(
        OutboxMessage.objects.filter(recipient=cast.caller).values_list("subject", flat=True)
    )
    assert subjects and all(s.startswith("TEST") for s in subjects)
    assert Notification.objects.get(recipient=cast.caller).title.startswith("TEST")


def test_reached_and_fine_gives_the_all_clear_to_everyone_alerted(client, cast, phoned):
    client.force_login(cast.caller)
    response = client.post(_outcome_url(phoned), {"outcome": "fine"})
    assert response.status_code == 302
    alert = phoned.current_alert
    alert.refresh_from_db()
    assert alert.resolved_at is not None and alert.outcome == "was_fine"
    assert alert.resolved_by == cast.caller
    p = fresh(phoned)
    assert p.current_alert is None and p.state == "all_clear"
    assert kinds_for(cast.coordinator)[-1] == "care_all_clear"
    event = AlertEvent.objects.get(plan=phoned, kind="call_outcome")
    assert (event.detail, event.recipient, event.at) == ("fine", cast.caller, START + 91 * M)
    # the call leaves the list with its alert
    assert services.care_call_list(viewer=cast.caller, community=cast.community) == []


def test_reached_and_going_the_caller_holds_the_alert(client, cast, phoned, clock):
    client.force_login(cast.caller)
    response = client.post(_api_url(phoned), {"outcome": "going"}, content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "going" and response.json()["by"] == "Caller"
    p = fresh(phoned)
    assert p.state == "held" and p.current_alert.held_by == cast.caller
    assert kinds_for(cast.coordinator)[-1] == "care_held"
    [call] = client.get("/api/v1/care/communities/riverside/calls").json()
    assert call["held_by"] == str(cast.caller)
    # the hold is kept at the hourly check (a caller may hold it), and they are reminded there
    sweep_at(clock, START + 152 * M)
    p = fresh(phoned)
    assert p.state == "held" and p.current_alert.held_by == cast.caller
    reminder = Notification.objects.filter(recipient=cast.caller, kind="care_still_held").get()
    assert "/c/riverside/care/calls/" in reminder.url


def test_no_answer_is_shown_on_the_call_list_and_in_the_plan_history(client, cast, phoned):
    client.force_login(cast.caller)
    response = client.post(_outcome_url(phoned), {"outcome": "no_answer"}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "No answer — Caller, 09:31" in text
    # the alert stays open, and the ladder goes on
    assert fresh(phoned).current_alert.resolved_at is None
    [call] = services.care_call_list(viewer=cast.coordinator, community=cast.community)
    assert [(o.outcome, o.by) for o in call.outcomes] == [("no_answer", "Caller")]
    newest = plan_history(plan=phoned)["events"][0]
    assert (newest.kind, newest.detail, newest.recipient) == (
        "call_outcome",
        "no_answer",
        cast.caller,
    )


def test_a_wrong_number_of_an_outside_contact_flags_the_plan_for_mending(client, cast, clock):
    plan = make_plan(cast)
    sis = services.circle_add_outside(
        actor=cast.member, plan=plan, name="Sis", phone="+44 7700 900999", consent_note="agreed"
    )
    _missed(clock)
    sweep_at(clock, START + 110 * M)  # the outside contact's step
    client.force_login(cast.caller)
    [call] = client.get("/api/v1/care/communities/riverside/calls").json()
    assert call["contact"] == sis.public_id and call["outcomes"] == []
    body = {"outcome": "wrong_number", "contact": sis.public_id}
    response = client.post(_api_url(fresh(plan)), body, content_type=JSON)
    assert response.status_code == 201, response.content
    sis.refresh_from_db()
    assert sis.status == "ineligible"
    p = fresh(plan)
    assert p.is_flagged and p.flag_reason == "contact_number"
    assert "phone number is wrong" in str(p.flag_reason_words)
    event = AlertEvent.objects.get(plan=plan, kind="call_outcome")
    assert (event.contact, event.detail) == (sis, "wrong_number")
    # the coordinators hear about the circle at the next sweep
    sweep_at(clock, START + 111 * M)
    assert "care_flagged" in kinds_for(cast.coordinator)


def test_a_wrong_number_of_the_person_tells_the_coordinators_at_once(cast, phoned):
    care_call_outcome_record(
        actor=cast.caller,
        community=cast.community,
        alert_id=phoned.current_alert.public_id,
        outcome="wrong_number",
    )
    assert kinds_for(cast.coordinator)[-1] == "care_number_wrong"
    assert kinds_for(cast.steward)[-1] == "care_number_wrong"
    message = OutboxMessage.objects.filter(
        recipient=cast.coordinator, kind="care_number_wrong", channel="email"
    )
    assert "Caller" in message.first().body_text
    assert fresh(phoned).current_alert.resolved_at is None


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_who_may_not_use_call_lists_cannot_record_a_call(client, cast, phoned, role):
    before = _written()
    client.force_login(getattr(cast, role))
    web = client.post(_outcome_url(phoned), {"outcome": "fine"})
    assert web.status_code == 403
    api = client.post(_api_url(phoned), {"outcome": "fine"}, content_type=JSON)
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/problem+json")
    assert _written() == before
    assert fresh(phoned).current_alert.resolved_at is None


def test_a_bad_outcome_is_a_field_error_and_nothing_is_written(client, cast, phoned):
    before = _written()
    client.force_login(cast.caller)
    web = client.post(_outcome_url(phoned), {"outcome": "maybe"})
    assert web.status_code == 422
    text = web.content.decode()
    assert 'class="has-error"' in text and "Select a valid choice" in text
    api = client.post(_api_url(phoned), {"outcome": "maybe"}, content_type=JSON)
    assert api.status_code == 422 and "outcome" in api.json()["errors"]
    with pytest.raises(ValidationFailed) as refused:
        care_call_outcome_record(
            actor=cast.caller,
            community=cast.community,
            alert_id=phoned.current_alert.public_id,
            outcome="maybe",
        )
    assert "outcome" in refused.value.field_errors
    assert _written() == before
    assert fresh(phoned).current_alert.resolved_at is None


def test_a_call_about_a_closed_alert_is_refused(client, cast, phoned):
    alert = phoned.current_alert
    services.care_checkin(actor=cast.member, plan=phoned, how="web")
    before = _written()
    with pytest.raises(Conflict):
        care_call_outcome_record(
            actor=cast.caller, community=cast.community, alert_id=alert.public_id, outcome="fine"
        )
    client.force_login(cast.caller)
    url = f"/api/v1/care/communities/riverside/calls/{alert.public_id}/outcome"
    response = client.post(url, {"outcome": "no_answer"}, content_type=JSON)
    assert response.status_code == 409 and "already closed" in response.json()["detail"]
    assert _written() == before


def test_going_when_someone_else_holds_it_is_refused_and_writes_nothing(cast, phoned):
    services.care_alert_acknowledge(actor=cast.coordinator, alert=phoned.current_alert)
    before = _written()
    with pytest.raises(Conflict):
        care_call_outcome_record(
            actor=cast.caller,
            community=cast.community,
            alert_id=phoned.current_alert.public_id,
            outcome="going",
        )
    assert _written() == before
    assert fresh(phoned).current_alert.held_by == cast.coordinator


def test_a_call_not_on_the_list_is_refused(cast, phoned):
    # an outside contact never called for this alert, and a contact of no circle
    stranger = CircleContact.objects.create(
        plan=phoned, kind="outside", name="X", status="accepted"
    )
    with pytest.raises(ValidationFailed):
        care_call_outcome_record(
            actor=cast.caller,
            community=cast.community,
            alert_id=phoned.current_alert.public_id,
            contact_id="nosuchcontactid0",
            outcome="fine",
        )
    with pytest.raises(NotFound):
        care_call_outcome_record(
            actor=cast.caller,
            community=cast.community,
            alert_id=phoned.current_alert.public_id,
            contact_id=stranger.public_id,
            outcome="fine",
        )
