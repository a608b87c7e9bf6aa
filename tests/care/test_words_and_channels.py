"""Small things people notice: the history reads as sentences, a refusal shows the emergency
number, and asking again uses every channel the person can be reached on."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care.history import event_words
from mutua.notify.models import OutboxMessage
from mutua.people.models import SensitiveDetails
from tests.care.helpers import START, circle_member, make_plan, sweep_at

M = dt.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_plan_history_shows_words_not_codes(client, cast, clock):
    plan = make_plan(cast)
    circle_member(cast, plan, "Carol Circle")
    for minutes in (30, 60, 90, 110):
        sweep_at(clock, START + minutes * M)
    client.force_login(cast.member)
    page = client.get(f"/care/plans/{plan.public_id}/").content.decode()
    for words in (
        "Reminder sent",
        "Check-in time came with no answer yet",
        "Asked again, on every channel",
        "Someone in the circle was alerted",
    ):
        assert words in page
    assert "reminder:reminder:0" not in page and "ask:ask" not in page


@pytest.mark.parametrize(
    ("kind", "detail", "words"),
    [
        ("reminder:reminder:1", "", "Reminder sent"),
        ("all_clear", "was_fine", "All clear: They were fine"),
        ("checkin", "circle", "Checked in: By someone in the circle"),
        ("call", "Pat", "A phone call to make: Pat"),
        ("something_new", "", "something_new"),
    ],
)
def test_event_words_table(kind, detail, words):
    assert event_words(kind, detail) == words


def test_a_refusal_on_a_known_plan_shows_the_emergency_number(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    client.force_login(carol)
    response = client.post(f"/care/plans/{plan.public_id}/checkin/")  # only the person may
    assert response.status_code == 403
    assert "In an emergency call 112" in response.content.decode()


def test_asking_again_uses_every_channel_the_person_can_be_reached_on(cast, clock, settings):
    # given a plan that reminds by e-mail only, and a person who also has a phone
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/unused"
    SensitiveDetails.objects.create(user=cast.member, phone="+447700900123")
    make_plan(cast, channels=["web", "email"])
    sweep_at(clock, START + 30 * M)
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"email"}
    # when the check-in is missed and the grace period is over
    for minutes in (60, 90):
        sweep_at(clock, START + minutes * M)
    # then the person is asked again by e-mail and by text message too
    asked = OutboxMessage.objects.filter(kind__startswith="care_ask").values_list(
        "channel", "to_address", "status"
    )
    assert set(asked) == {
        ("email", "member@example.org", "pending"),
        ("sms", "+447700900123", "pending"),
    }
