"""An outside emergency contact's consent: how and when they agreed, and who noted it. Required
on the web and the API; shown only to those who manage the plan."""

from __future__ import annotations

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import CircleContact
from mutua.core.errors import ValidationFailed
from tests.care.helpers import START, circle_member, make_plan

JSON = "application/json"
NOTE = "Jo agreed by phone on 3 May to be called day or night"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _web(**extra) -> dict:
    return {"form": "outside", "outside-name": "Jo", "outside-phone": "+447700900456", **extra}


def test_the_consent_note_and_who_noted_it_are_stored(cast, clock):
    plan = make_plan(cast)
    contact = services.circle_add_outside(
        actor=cast.coordinator, plan=plan, name="Jo", phone="+447700900456", consent_note=NOTE
    )
    contact = CircleContact.objects.get(pk=contact.pk)
    assert contact.consent_note == NOTE
    assert contact.consent_recorded_by == cast.coordinator
    assert contact.consent_recorded_at == START


@pytest.mark.parametrize("note", ["", "   ", "x" * 301])
def test_a_missing_or_too_long_note_is_refused_and_nothing_is_written(cast, clock, note):
    plan = make_plan(cast)
    with pytest.raises(ValidationFailed) as refused:
        services.circle_add_outside(
            actor=cast.member, plan=plan, name="Jo", phone="+447700900456", consent_note=note
        )
    assert "consent_note" in refused.value.field_errors
    assert not CircleContact.objects.filter(kind="outside").exists()


def test_the_web_form_needs_the_note(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    url = f"/care/plans/{plan.public_id}/circle/"
    missing = client.post(url, _web())
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    assert not CircleContact.objects.filter(kind="outside").exists()
    assert client.post(url, _web(**{"outside-consent_note": NOTE})).status_code == 302
    assert CircleContact.objects.get(kind="outside").consent_recorded_by == cast.member


def test_the_api_needs_the_note(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    url = f"/api/v1/care/plans/{plan.public_id}/circle/outside"
    body = {"name": "Jo", "phone": "+447700900456"}
    assert client.post(url, body, content_type=JSON).status_code == 422
    blank = client.post(url, {**body, "consent_note": "  "}, content_type=JSON)
    assert blank.status_code == 422
    assert not CircleContact.objects.filter(kind="outside").exists()
    added = client.post(url, {**body, "consent_note": NOTE}, content_type=JSON)
    assert added.status_code == 201 and added.json()["consent_note"] == NOTE


def test_the_person_and_coordinators_see_the_note_on_the_circle_page(client, cast, clock):
    plan = make_plan(cast)
    services.circle_add_outside(
        actor=cast.coordinator, plan=plan, name="Jo", phone="+447700900456", consent_note=NOTE
    )
    for viewer in (cast.member, cast.coordinator):
        client.force_login(viewer)
        page = client.get(f"/care/plans/{plan.public_id}/circle/").content.decode()
        assert NOTE in page and "noted by Coordinator Person" in page


def test_a_circle_member_who_does_not_manage_the_plan_never_sees_the_note(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    services.circle_add_outside(
        actor=cast.member, plan=plan, name="Jo", phone="+447700900456", consent_note=NOTE
    )
    client.force_login(carol)
    page = client.get(f"/care/plans/{plan.public_id}/circle/")
    assert page.status_code == 200 and "Jo" in page.content.decode()
    assert NOTE not in page.content.decode()
    circle = client.get(f"/api/v1/care/plans/{plan.public_id}/circle").json()
    outside = [c for c in circle if c["kind"] == "outside"]
    assert outside and outside[0]["consent_note"] == ""
    history = client.get(f"/api/v1/care/plans/{plan.public_id}/history").json()
    assert NOTE not in str(history)
