"""Pages that mend and manage: take a contact off, add the coordinator on call, leave a circle,
end a plan, the community's care settings and drills; every drill labelled TEST on every page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import CarePlan, CareSettings, CircleContact
from mutua.core.models import AuditEntry
from mutua.core.signed_links import signed_link_create
from tests.care.helpers import START, circle_member, fresh, make_plan


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _declined(cast, plan):
    from tests.factories import add_member, make_user

    dana = make_user("Dana Decliner", "dana@example.org")
    add_member(cast.community, dana)
    contact = services.circle_invite(actor=cast.member, plan=plan, member=dana)
    services.circle_decline(member=dana, contact=contact)
    return contact


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_a_flagged_circle_is_mended_on_the_circle_page(client, cast, clock, role):
    # given a plan flagged because a contact declined
    plan = make_plan(cast)
    contact = _declined(cast, plan)
    assert fresh(plan).is_flagged
    client.force_login(getattr(cast, role))
    page = client.get(f"/care/plans/{plan.public_id}/circle/").content.decode()
    assert "This plan needs mending" in page and "Take Dana Decliner off the circle" in page
    # when the person or a coordinator takes the contact off
    url = f"/care/plans/{plan.public_id}/circle/{contact.public_id}/remove/"
    assert client.post(url).status_code == 302
    # then the contact is gone, the flag is down, and the removal is in the audit log
    assert not CircleContact.objects.filter(pk=contact.pk).exists()
    assert not fresh(plan).is_flagged
    assert AuditEntry.objects.filter(action="care.circle_remove").count() == 1


@pytest.mark.parametrize("role", ["caller", "outsider", "circle"])
def test_others_cannot_take_a_contact_off_and_nothing_changes(client, cast, clock, role):
    plan = make_plan(cast)
    contact = _declined(cast, plan)
    carol = circle_member(cast, plan, "Carol Circle")
    client.force_login(carol if role == "circle" else getattr(cast, role))
    response = client.post(f"/care/plans/{plan.public_id}/circle/{contact.public_id}/remove/")
    assert response.status_code in (403, 404)
    assert "112" in response.content.decode() or response.status_code == 404
    assert CircleContact.objects.filter(pk=contact.pk).exists() and fresh(plan).is_flagged
    assert not AuditEntry.objects.filter(action="care.circle_remove").exists()


def test_the_coordinator_on_call_is_added_once(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    url = f"/care/plans/{plan.public_id}/circle/on-call/"
    assert client.post(url).status_code == 302
    assert CircleContact.objects.filter(plan=plan, kind="on_call").count() == 1
    again = client.post(url)
    assert again.status_code == 409 and "already in this circle" in again.content.decode()
    assert CircleContact.objects.filter(plan=plan, kind="on_call").count() == 1
    client.force_login(cast.caller)
    assert client.post(url).status_code == 404


def test_a_circle_member_leaves_from_their_check_ins_page(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    client.force_login(carol)
    page = client.get("/care/").content.decode()
    assert "Leave the circle of Member Person" in page
    contact = CircleContact.objects.get(member=carol)
    assert client.post(f"/care/circle/{contact.public_id}/leave/").status_code == 302
    assert CircleContact.objects.get(pk=contact.pk).status == "left"
    assert fresh(plan).is_flagged


def test_ending_a_plan_asks_first_then_stops_every_check_in(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    page = client.get(f"/care/plans/{plan.public_id}/end/")
    assert page.status_code == 200 and "Pause instead" in page.content.decode()
    assert fresh(plan).status == "active"  # the GET changes nothing
    assert client.post(f"/care/plans/{plan.public_id}/end/").status_code == 302
    p = fresh(plan)
    assert p.status == "ended" and p.next_due_at is None
    assert AuditEntry.objects.filter(action="care.plan_end").count() == 1


def test_a_plan_with_an_open_alert_cannot_be_ended_and_others_cannot_end_it(client, cast, clock):
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    services.care_help(actor=cast.member, plan=plan)
    client.force_login(cast.member)
    refused = client.post(f"/care/plans/{plan.public_id}/end/")
    assert refused.status_code == 409 and "112" in refused.content.decode()
    client.force_login(carol)
    assert client.post(f"/care/plans/{plan.public_id}/end/").status_code == 403
    client.force_login(cast.caller)
    assert client.post(f"/care/plans/{plan.public_id}/end/").status_code == 404
    assert fresh(plan).status == "active"


def test_coordinators_switch_drills_on_and_set_the_defaults(client, cast, clock):
    client.force_login(cast.coordinator)
    assert client.get("/c/riverside/care/settings/").status_code == 200
    data = {
        "is_drill": "on",
        "grace_minutes": "45",
        "contact_timeout_minutes": "10",
        "repeat_minutes": "5",
    }
    assert client.post("/c/riverside/care/settings/", data).status_code == 302
    row = CareSettings.objects.get(community=cast.community)
    assert (row.is_drill, row.grace_minutes, row.contact_timeout_minutes) == (True, 45, 10)
    assert AuditEntry.objects.filter(action="care.settings").count() == 1
    # a plan set up from now on takes the defaults
    assert make_plan(cast, grace=None).contact_timeout_minutes == 10


def test_bad_settings_are_field_errors_and_other_roles_are_refused(client, cast, clock):
    client.force_login(cast.coordinator)
    bad = {"grace_minutes": "0", "contact_timeout_minutes": "10", "repeat_minutes": "5"}
    response = client.post("/c/riverside/care/settings/", bad)
    assert response.status_code == 400 and "greater than or equal to 1" in response.content.decode()
    for role in ("member", "caller", "outsider"):
        client.force_login(getattr(cast, role))
        assert client.get("/c/riverside/care/settings/").status_code == 403
        assert client.post("/c/riverside/care/settings/", {"is_drill": "on"}).status_code == 403
    assert not CareSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="care.settings").exists()


def test_a_community_wide_drill_is_labelled_test_on_every_page(client, cast, clock):
    # given a community in drill mode; the plan itself has no drill switch of its own
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    services.care_settings_update(actor=cast.coordinator, community=cast.community, is_drill=True)
    assert CarePlan.objects.get(pk=plan.pk).is_drill is False
    # then the member's page, the plan page, the circle's view and the board say TEST
    client.force_login(cast.member)
    assert "This is a drill" in client.get("/care/").content.decode()
    assert "This is a drill" in client.get(f"/care/plans/{plan.public_id}/").content.decode()
    client.force_login(carol)
    assert "TEST" in client.get("/care/").content.decode()
    client.force_login(cast.coordinator)
    board = client.get("/c/riverside/care/").content.decode()
    assert "<strong>TEST</strong>" in board
    # and so does the page a check-in link opens
    client.logout()
    link = signed_link_create(
        user=cast.member, action="care.checkin", target_id=plan.public_id, ttl=dt.timedelta(hours=1)
    )
    assert "This is a drill" in client.get(link).content.decode()


def test_a_live_community_shows_no_test_label(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    assert "This is a drill" not in client.get("/care/").content.decode()
    assert "This is a drill" not in client.get(f"/care/plans/{plan.public_id}/").content.decode()


def test_the_board_costs_the_same_queries_for_many_plans(cast, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mutua.care.selectors import care_board
    from tests.factories import add_member, make_user

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            care_board(viewer=cast.coordinator, community=cast.community)
        return len(queries)

    make_plan(cast)
    count()  # the coordinator's membership is read once, then remembered
    one = count()
    for i in range(4):
        person = make_user(f"Pat{i} Person", f"pat{i}@example.org")
        add_member(cast.community, person)
        plan = services.care_plan_create(
            actor=person, community=cast.community, person=person, times=["09:00"]
        )
        CarePlan.objects.filter(pk=plan.pk).update(is_drill=True)
    assert count() == one
