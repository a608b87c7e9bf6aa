"""The care call list: who to phone about an open alert, with the number, each read of a
person's number audit-logged; for callers and coordinators only; printable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutua.care import services
from mutua.core.errors import PermissionDenied
from mutua.core.models import AuditEntry
from mutua.people.models import SensitiveDetails
from tests.care.helpers import START, fresh, make_plan, sweep_at
from tests.factories import add_member, make_user

M = dt.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _phone(user, number: str) -> None:
    SensitiveDetails.objects.update_or_create(user=user, defaults={"phone": number})


def _missed(clock) -> None:
    """Reminder at 08:30, deadline 09:00, grace over at 09:30: the person is to be phoned."""
    for minutes in (30, 60, 90):
        sweep_at(clock, START + minutes * M)


def test_a_phone_plan_puts_the_persons_number_on_the_call_list(client, cast, clock):
    # given a plan that asks by phone, and a person with a number
    _phone(cast.member, "+44 7700 900123")
    plan = make_plan(cast, channels=["web", "phone"])
    # when the check-in is missed and the grace period is over
    _missed(clock)
    assert fresh(plan).current_alert is not None
    # then the call list shows the person's number to a caller, and the read is audit-logged
    client.force_login(cast.caller)
    page = client.get("/c/riverside/care/calls/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'href="tel:+44 7700 900123"' in text and "Member Person" in text
    assert 'class="call-list"' in text and "window.print()" in text and "112" in text
    entry = AuditEntry.objects.get(action="sensitive.read", actor=cast.caller)
    assert entry.subject == cast.member and entry.is_safeguarding
    assert entry.after["purpose"] == "care call list"


def test_an_outside_contact_is_on_the_call_list_at_their_step(cast, clock):
    plan = make_plan(cast)
    services.circle_add_outside(
        actor=cast.member, plan=plan, name="Sis", phone="+44 7700 900999", consent_note="agreed"
    )
    _missed(clock)
    assert services.care_call_list(viewer=cast.coordinator, community=cast.community) == []
    sweep_at(clock, START + 110 * M)  # the outside contact's step
    [call] = services.care_call_list(viewer=cast.coordinator, community=cast.community)
    assert (call.callee, call.phone, call.is_person) == ("Sis", "+44 7700 900999", False)
    assert call.alert.plan == plan


def test_cries_for_help_come_first_and_a_closed_alert_leaves_the_list(cast, clock):
    _phone(cast.member, "+447700900123")
    plan = make_plan(cast, channels=["web", "phone"])
    other = make_user("Olga Other", "olga@example.org")
    add_member(cast.community, other)
    helped = services.care_plan_create(
        actor=other, community=cast.community, person=other, times=["20:00"]
    )
    services.circle_add_outside(
        actor=other, plan=helped, name="Bro", phone="+447700900555", consent_note="agreed"
    )
    _missed(clock)
    services.care_help(actor=other, plan=helped)
    calls = services.care_call_list(viewer=cast.coordinator, community=cast.community)
    assert [c.callee for c in calls] == ["Bro", "Member Person"]
    services.care_checkin(actor=cast.member, plan=plan, how="web")
    calls = services.care_call_list(viewer=cast.coordinator, community=cast.community)
    assert [c.callee for c in calls] == ["Bro"]


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_members_and_outsiders_cannot_see_the_call_list(client, cast, clock, role):
    _phone(cast.member, "+447700900123")
    make_plan(cast, channels=["web", "phone"])
    _missed(clock)
    client.force_login(getattr(cast, role))
    response = client.get("/c/riverside/care/calls/")
    assert response.status_code == 403 and "900123" not in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.care_call_list(viewer=getattr(cast, role), community=cast.community)
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def _queries(viewer, community) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.care_call_list(viewer=viewer, community=community)
    return len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_the_call_list_costs_fixed_queries_plus_one_audited_read_per_number(cast, clock):
    from mutua.people.services import sensitive_read

    # given n people to phone, for n = 1 and n = 3
    people = []
    for i in range(3):
        person = make_user(f"Pat{i} Person", f"pat{i}@example.org")
        add_member(cast.community, person)
        _phone(person, f"+4477009001{i:02d}")
        services.care_plan_create(
            actor=person,
            community=cast.community,
            person=person,
            times=["09:00"],
            channels=["web", "phone"],
        )
        people.append(person)
    _missed(clock)
    services.care_call_list(viewer=cast.caller, community=cast.community)  # memberships cached
    three = _queries(cast.caller, cast.community)
    with CaptureQueriesContext(connection) as one_read:
        sensitive_read(viewer=cast.caller, person=people[0], purpose="care call list")
    per_read = len([q for q in one_read.captured_queries if "SAVEPOINT" not in q["sql"]])
    for person in people[1:]:
        services.care_checkin(actor=person, plan=person.care_plans.get(), how="web")
    one = _queries(cast.caller, cast.community)
    # then the list itself is a fixed number of queries; each number is one audited read
    assert three - one == 2 * per_read
    assert one - per_read <= 4
