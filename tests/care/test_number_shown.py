"""A "wrong number" names the number the caller was shown: if the number on file changed after
the call list was opened, nothing is marked wrong and the caller is sent to the new number."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import AlertEvent, CircleContact
from mutua.care.services.calls import NumberChanged, care_call_outcome_record
from mutua.notify.models import Notification
from mutua.people.services import phone_fingerprint, phone_reported_wrong, sensitive_update
from tests.care.helpers import START, fresh, make_plan, missed_by_phone, sweep_at

M = dt.timedelta(minutes=1)
OLD, NEW = "+44 7700 900123", "+44 7700 900456"
JSON = "application/json"
CALLS = "/api/v1/care/communities/riverside/calls"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def phoned(cast, clock):
    """A plan asking by phone whose 09:00 check-in was missed: the person is on the call list."""
    return missed_by_phone(cast, clock, OLD)


def _record(cast, plan, number_ref: str, contact: str = "") -> AlertEvent:
    return care_call_outcome_record(
        actor=cast.caller,
        community=cast.community,
        alert_id=plan.current_alert.public_id,
        contact_id=contact,
        outcome="wrong_number",
        number_ref=number_ref,
    )


def _nothing_written(cast, plan) -> None:
    assert not AlertEvent.objects.filter(plan=plan, kind="call_outcome").exists()
    assert not phone_reported_wrong(cast.member)
    assert not fresh(plan).is_flagged
    assert not Notification.objects.filter(kind__in=["care_number_wrong", "care_your_number"])


def _ref(plan, phone: str, contact: str = "") -> str:
    return phone_fingerprint(phone, scope=f"care-call:{plan.current_alert.public_id}:{contact}")


def test_the_call_list_names_the_number_it_shows(cast, phoned):
    [call] = services.care_call_list(viewer=cast.caller, community=cast.community)
    assert call.phone == OLD and call.number_ref == _ref(phoned, OLD)
    # a fingerprint, not the number; the same digits written differently match
    assert "900123" not in call.number_ref
    assert _ref(phoned, "+44 (7700) 900-123") == call.number_ref
    assert _ref(phoned, NEW) != call.number_ref
    # no number has its own fingerprint, and one call's cannot be matched with another's
    assert _ref(phoned, "") not in ("", call.number_ref)
    assert phone_fingerprint(OLD, scope="care-call:another:") != call.number_ref


def test_a_number_changed_since_the_list_was_opened_is_not_marked_wrong(cast, phoned):
    # given a caller who opened the list, and the person then saving a new number
    [call] = services.care_call_list(viewer=cast.caller, community=cast.community)
    sensitive_update(user=cast.member, phone=NEW)

    # when the caller says the number they were shown is dead
    with pytest.raises(NumberChanged, match="changed since the call list was opened"):
        _record(cast, phoned, call.number_ref)

    # then the new number is not marked wrong, and nothing else was written
    _nothing_written(cast, phoned)
    # and the list now shows the new number, which can be reported with its own fingerprint
    [again] = services.care_call_list(viewer=cast.caller, community=cast.community)
    assert again.phone == NEW
    _record(cast, phoned, again.number_ref)
    assert phone_reported_wrong(cast.member) and fresh(phoned).is_flagged


def test_the_number_shown_and_still_on_file_is_marked_wrong(cast, phoned):
    [call] = services.care_call_list(viewer=cast.caller, community=cast.community)
    event = _record(cast, phoned, call.number_ref)
    assert event.detail == "wrong_number" and phone_reported_wrong(cast.member)


def test_other_outcomes_are_recorded_whatever_the_number(cast, phoned):
    [call] = services.care_call_list(viewer=cast.caller, community=cast.community)
    sensitive_update(user=cast.member, phone=NEW)
    event = care_call_outcome_record(
        actor=cast.caller,
        community=cast.community,
        alert_id=phoned.current_alert.public_id,
        outcome="no_answer",
        number_ref=call.number_ref,
    )
    assert event.detail == "no_answer"


def test_an_outside_contacts_changed_number_is_not_marked_wrong(cast, clock):
    plan = make_plan(cast)
    sis = services.circle_add_outside(
        actor=cast.member, plan=plan, name="Sis", phone=OLD, consent_note="agreed"
    )
    for minutes in (30, 60, 90, 110):
        sweep_at(clock, START + minutes * M)
    plan = fresh(plan)
    [call] = services.care_call_list(viewer=cast.caller, community=cast.community)
    assert call.contact_id == sis.public_id
    CircleContact.objects.filter(pk=sis.pk).update(phone=NEW)  # corrected meanwhile

    with pytest.raises(NumberChanged):
        _record(cast, plan, call.number_ref, contact=sis.public_id)

    sis.refresh_from_db()
    assert sis.status == "accepted" and not fresh(plan).is_flagged


def test_no_number_then_a_new_one_is_not_marked_wrong(cast, clock):
    # given the person had no number when the list was opened, and saved one since
    plan = make_plan(cast, channels=["web", "phone"])
    for minutes in (30, 60, 90):
        sweep_at(clock, START + minutes * M)
    plan = fresh(plan)
    [call] = services.care_call_list(viewer=cast.caller, community=cast.community)
    assert call.phone == ""
    sensitive_update(user=cast.member, phone=NEW)
    with pytest.raises(NumberChanged):
        _record(cast, plan, call.number_ref)
    assert not phone_reported_wrong(cast.member)


def test_the_web_list_sends_the_number_shown_and_shows_the_new_one_when_it_changed(
    client, cast, phoned
):
    client.force_login(cast.caller)
    page = client.get("/c/riverside/care/calls/").content.decode()
    assert f'name="number_ref" value="{_ref(phoned, OLD)}"' in page
    sensitive_update(user=cast.member, phone=NEW)

    url = f"/c/riverside/care/calls/{phoned.current_alert.public_id}/outcome/"
    stale = {"outcome": "wrong_number", "contact": "", "number_ref": _ref(phoned, OLD)}
    response = client.post(url, stale)

    assert response.status_code == 409
    body = response.content.decode()
    assert "changed since the call list was opened" in body
    assert NEW in body and f'value="{_ref(phoned, NEW)}"' in body
    # nothing is left ticked: whoever records "wrong number" again has called the new one
    assert 'value="wrong_number" checked' not in body and " checked" not in body
    _nothing_written(cast, phoned)
    fresh_post = {**stale, "number_ref": _ref(phoned, NEW)}
    assert client.post(url, fresh_post).status_code == 302
    assert phone_reported_wrong(cast.member)


def test_the_api_refuses_a_stale_number_with_409_and_accepts_none(client, cast, phoned):
    client.force_login(cast.caller)
    [call] = client.get(CALLS).json()
    assert call["number_ref"] == _ref(phoned, OLD)
    sensitive_update(user=cast.member, phone=NEW)
    url = f"{CALLS}/{phoned.current_alert.public_id}/outcome"

    stale = client.post(
        url, {"outcome": "wrong_number", "number_ref": call["number_ref"]}, content_type=JSON
    )
    assert stale.status_code == 409 and stale.json()["code"] == "number-changed"
    _nothing_written(cast, phoned)
    # a client that does not send it is taken at its word, as before
    assert client.post(url, {"outcome": "wrong_number"}, content_type=JSON).status_code == 201
    assert phone_reported_wrong(cast.member)
