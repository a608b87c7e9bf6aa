"""A caller who finds the person's own number dead: the plan stays flagged, coordinators keep
being told, and the person sees it on their private details, until the number on file changes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.flags import PERSON_NUMBER
from mutua.care.services.calls import care_call_outcome_record
from mutua.people.models import SensitiveDetails
from mutua.people.services import phone_reported_wrong, sensitive_update
from tests.care.helpers import START, fresh, kinds_for, make_plan, missed_by_phone, sweep_at
from tests.factories import add_member, make_community, make_user

M = dt.timedelta(minutes=1)
NUMBER = "+44 7700 900123"
PRIVATE = "/me/private/"
API = "/api/v1/me/private"
WARNING = "could not reach you on the phone number below"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def phoned(cast, clock):
    """A plan asking by phone whose 09:00 check-in was missed: the person is on the call list."""
    return missed_by_phone(cast, clock, NUMBER)


def _wrong_number(cast, plan) -> None:
    care_call_outcome_record(
        actor=cast.caller,
        community=cast.community,
        alert_id=plan.current_alert.public_id,
        outcome="wrong_number",
    )


def test_the_persons_dead_number_flags_their_plan_and_tells_them(client, cast, phoned):
    _wrong_number(cast, phoned)

    plan = fresh(phoned)
    assert plan.is_flagged and plan.flag_reason == PERSON_NUMBER
    assert phone_reported_wrong(cast.member)
    assert kinds_for(cast.coordinator)[-1] == "care_number_wrong"
    client.force_login(cast.member)
    assert WARNING in client.get(PRIVATE).content.decode()
    assert client.get(API).json()["phone_reported_wrong"] is True
    # a coordinator's plan page says why the plan needs mending
    client.force_login(cast.coordinator)
    page = client.get(f"/care/plans/{plan.public_id}/").content.decode()
    assert "own phone number is wrong" in page


def test_the_flag_holds_and_coordinators_are_reminded_until_the_number_changes(cast, clock, phoned):
    _wrong_number(cast, phoned)
    sweep_at(clock, START + 92 * M)
    assert kinds_for(cast.coordinator).count("care_flagged") == 1

    sweep_at(clock, START + dt.timedelta(days=1, minutes=93))  # the daily reminder

    assert fresh(phoned).is_flagged
    assert kinds_for(cast.coordinator).count("care_flagged") == 2


def test_saving_the_same_number_again_keeps_the_flag(client, cast, phoned):
    _wrong_number(cast, phoned)
    client.force_login(cast.member)

    client.put(API, {"phone": NUMBER}, content_type="application/json")

    assert fresh(phoned).is_flagged and phone_reported_wrong(cast.member)


def test_a_new_number_on_the_private_details_page_clears_the_flag_at_once(client, cast, phoned):
    _wrong_number(cast, phoned)
    client.force_login(cast.member)

    response = client.post(PRIVATE, {"address": "", "phone": "+44 7700 900456"})

    assert response.status_code == 302
    plan = fresh(phoned)
    assert not plan.is_flagged and plan.flag_reason == ""
    assert not phone_reported_wrong(cast.member)
    assert WARNING not in client.get(PRIVATE).content.decode()
    assert client.get(API).json()["phone_reported_wrong"] is False


def test_a_new_number_does_not_hide_a_broken_circle(cast, phoned):
    _wrong_number(cast, phoned)
    helper = make_user("Hana Helper", "hana@example.org")

    add_member(cast.community, helper)
    contact = services.circle_invite(actor=cast.member, plan=phoned, member=helper)
    services.circle_decline(member=helper, contact=contact)

    sensitive_update(user=cast.member, phone="+44 7700 900456")

    plan = fresh(phoned)
    assert plan.is_flagged and plan.flag_reason == "declined"


def test_the_persons_plans_in_other_communities_are_flagged_too(cast, phoned):
    elsewhere = make_community(make_user("Eli Steward", "eli@example.org"), slug="hillside")

    add_member(elsewhere, cast.member)
    other = services.care_plan_create(
        actor=cast.member, community=elsewhere, person=cast.member, times=["10:00"]
    )

    _wrong_number(cast, phoned)

    assert fresh(other).is_flagged
    sensitive_update(user=cast.member, phone="+44 7700 900456")
    assert not fresh(other).is_flagged


def test_an_empty_number_cannot_be_reported_wrong(cast, clock):
    plan = make_plan(cast, channels=["web", "phone"])
    for minutes in (30, 60, 90):
        sweep_at(clock, START + minutes * M)

    _wrong_number(cast, fresh(plan))

    assert not phone_reported_wrong(cast.member)
    assert not fresh(plan).is_flagged


def test_the_reason_is_read_in_the_readers_language_whoever_caused_it(client, cast, phoned):
    from django.utils import translation

    with translation.override("es"):  # a caller using the site in Spanish
        _wrong_number(cast, phoned)

    plan = fresh(phoned)
    assert plan.flag_reason == PERSON_NUMBER  # a code, not words
    client.force_login(cast.coordinator)
    english = client.get(f"/care/plans/{plan.public_id}/").content.decode()
    assert "own phone number is wrong" in english
    api = client.get(f"/api/v1/care/plans/{plan.public_id}").json()
    assert api["flag_code"] == PERSON_NUMBER and "own phone number" in api["flag_reason"]
    spanish = client.get(f"/care/plans/{plan.public_id}/", HTTP_ACCEPT_LANGUAGE="es")
    assert "propio teléfono" in spanish.content.decode()


def test_the_person_is_told_by_e_mail_once_never_by_sms(cast, phoned):
    from mutua.notify.models import Notification, OutboxMessage

    _wrong_number(cast, phoned)
    _wrong_number(cast, phoned)  # a second caller finds the same

    [note] = Notification.objects.filter(recipient=cast.member, kind="care_your_number")
    assert note.url.endswith(PRIVATE)
    channels = OutboxMessage.objects.filter(recipient=cast.member, kind="care_your_number")
    assert [m.channel for m in channels] == ["email"]
    assert "private details" in channels[0].body_text


def test_the_same_number_written_differently_keeps_the_flag(cast, phoned):
    _wrong_number(cast, phoned)

    sensitive_update(user=cast.member, phone="+447700900123")

    assert fresh(phoned).is_flagged and phone_reported_wrong(cast.member)


def test_removing_the_number_keeps_the_flag_until_there_is_one_to_try(cast, phoned):
    _wrong_number(cast, phoned)

    sensitive_update(user=cast.member, phone="")
    assert fresh(phoned).is_flagged and phone_reported_wrong(cast.member)

    sensitive_update(user=cast.member, phone="+44 7700 900456")
    assert not fresh(phoned).is_flagged


def test_a_circle_member_who_never_sees_the_number_cannot_say_it_is_wrong(cast, clock):
    from mutua.core.errors import PermissionDenied
    from mutua.notify.models import Notification
    from tests.care.helpers import circle_member

    SensitiveDetails.objects.create(user=cast.member, phone=NUMBER)
    plan = make_plan(cast, channels=["web", "phone"])
    friend = circle_member(cast, plan, "Fay Friend")
    for minutes in (30, 60, 90, 110):
        sweep_at(clock, START + minutes * M)
    plan = fresh(plan)
    assert plan.current_alert is not None

    with pytest.raises(PermissionDenied, match="who see the person's number"):
        care_call_outcome_record(
            actor=friend,
            community=cast.community,
            alert_id=plan.current_alert.public_id,
            outcome="wrong_number",
        )

    assert not phone_reported_wrong(cast.member) and not fresh(plan).is_flagged
    assert not Notification.objects.filter(kind="care_your_number").exists()
