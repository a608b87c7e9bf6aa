"""Plans listed and discarded, helpers' list of what they were asked, a need's outreach state,
and a helper never asked twice for one need by two plans."""

from __future__ import annotations

import pytest

from mutua.core.models import AuditEntry
from mutua.matching import arrays, selectors, services, suggestions
from mutua.matching.models import DispatchPlan, PlanAssignment
from mutua.notify.models import Notification
from mutua.people.services import api_token_create
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _helper(community, name="Hana Helper", km=0.5):
    return new_member(community, name, approx_lat=LAT + km / 111.195, approx_lon=LON)


def _approved_plan(cast):
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    return services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)


def test_a_second_plan_does_not_ask_a_helper_already_asked_for_the_same_need(cast):
    # given two draft plans that both propose the nearest helper for one need
    near, nxt = _helper(cast.community, "Near", 0.2), _helper(cast.community, "Next", 1.0)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON, helpers_wanted=2)
    first = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    second = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    assert set(second.assignments.values_list("helper", flat=True)) == {near.pk, nxt.pk}
    services.dispatch_plan_approve(actor=cast.coordinator, plan=first)
    # when the second is approved too
    services.dispatch_plan_approve(actor=cast.coordinator, plan=second)
    # then nobody is asked twice: the second plan's rows are skipped, with the reason
    assert PlanAssignment.objects.filter(need=need, status="asked").count() == 2
    rows = PlanAssignment.objects.filter(plan=second)
    assert set(rows.values_list("status", flat=True)) == {"skipped"}
    assert rows.first().note == "Already asked for this need in another plan."


def test_a_skipped_helper_is_replaced_when_places_are_still_short(cast):
    # given a plan that asked the nearest helper, who then said not this time
    near, nxt = _helper(cast.community, "Near", 0.2), _helper(cast.community, "Next", 1.0)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    second = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    first = _approved_plan(cast)
    row = PlanAssignment.objects.get(plan=first, helper=near)
    services.plan_assignment_answer(helper=near, assignment=row, accept=False)
    PlanAssignment.objects.filter(plan=first, helper=nxt).update(status="declined")
    # when an older draft that proposed `near` again is approved
    services.dispatch_plan_approve(actor=cast.coordinator, plan=second)
    # then `near` is not asked again, and with nobody left the plan says why
    assert PlanAssignment.objects.get(plan=second, helper=near).status == "skipped"
    assert not PlanAssignment.objects.filter(plan=second, status="asked").exists()
    second.refresh_from_db()
    assert [u["reason"] for u in second.unmet] == ["all_asked"]
    assert need.public_id == second.unmet[0]["need"]


def test_discarding_a_plan_asks_nobody_and_is_audited(client, cast):
    _helper(cast.community)
    post_need(cast.community, cast.member, lat=LAT, lon=LON)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    r = client.post(f"/api/v1/dispatch-plans/{plan.public_id}/discard", **_auth(cast.member))
    assert r.status_code == 403
    r = client.post(f"/api/v1/dispatch-plans/{plan.public_id}/discard", **_auth(cast.coordinator))
    assert r.status_code == 200 and r.json()["status"] == "discarded"
    assert not Notification.objects.filter(kind="exchange_task_asked").exists()
    assert AuditEntry.objects.filter(action="matching.plan_discard").count() == 1
    r = client.post(f"/api/v1/dispatch-plans/{plan.public_id}/discard", **_auth(cast.coordinator))
    assert r.status_code == 409


def test_api_lists_plans_newest_first_for_coordinators_only(
    client, cast, django_assert_max_num_queries
):
    for _ in range(3):
        services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    auth = _auth(cast.coordinator)
    newest = DispatchPlan.objects.order_by("-created_at", "-id").first()
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/communities/riverside/dispatch-plans?limit=2", **auth)
    assert r.status_code == 200, r.content
    assert len(r.json()["items"]) == 2 and r.json()["items"][0]["id"] == newest.public_id
    r = client.get(
        f"/api/v1/communities/riverside/dispatch-plans?cursor={r.json()['next_cursor']}", **auth
    )
    assert len(r.json()["items"]) == 1
    r = client.get("/api/v1/communities/riverside/dispatch-plans", **_auth(cast.member))
    assert r.status_code == 403


def test_a_helper_sees_what_they_were_asked_on_a_page_and_in_the_api(client, cast):
    # given a helper asked for two needs, one of which they answered
    helper = _helper(cast.community)
    post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Shopping")
    post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Ride to the clinic")
    plan = _approved_plan(cast)
    answered = PlanAssignment.objects.filter(plan=plan).order_by("id").first()
    services.plan_assignment_answer(helper=helper, assignment=answered, accept=False)
    # when they open their list
    client.force_login(helper)
    page = client.get("/asks/").content.decode()
    # then both are there, the waiting one with its reasons
    assert "Waiting for your answer" in page and "Answered" in page
    assert "Shopping" in page and "Ride to the clinic" in page and "km away" in page
    r = client.get("/api/v1/plan-assignments?waiting=true", **_auth(helper))
    assert r.status_code == 200, r.content
    [item] = r.json()["items"]
    assert item["status"] == "asked" and item["community"] == "riverside"
    assert "km away" in item["reasons"]
    # and someone else's list does not show them
    assert client.get("/api/v1/plan-assignments", **_auth(cast.member)).json()["items"] == []


def test_coordinators_see_who_heard_about_a_need_on_its_page_and_in_the_api(client, cast):
    helper = _helper(cast.community)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    suggestions.need_suggest(need=need)
    state = selectors.need_outreach(viewer=cast.coordinator, need=need)
    assert state.round == 1 and [s.helper for s in state.suggestions] == [helper]
    r = client.get(f"/api/v1/needs/{need.public_id}/outreach", **_auth(cast.coordinator))
    assert r.status_code == 200, r.content
    assert r.json()["round"] == 1 and r.json()["suggestions"][0]["helper"] == helper.public_id
    assert "km away" in r.json()["suggestions"][0]["reasons"]
    client.force_login(cast.coordinator)
    page = client.get(f"/c/riverside/needs/{need.public_id}/").content.decode()
    assert "Who has heard about it" in page and "a few more people hear about it" in page
    r = client.get(f"/api/v1/needs/{need.public_id}/outreach", **_auth(cast.member))
    assert r.status_code == 403


def test_the_plan_page_can_set_a_plan_aside(client, cast):
    post_need(cast.community, cast.member, lat=LAT, lon=LON)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    client.force_login(cast.coordinator)
    client.post(f"/c/riverside/dispatch/plans/{plan.public_id}/review/", {"action": "discard"})
    plan.refresh_from_db()
    assert plan.status == "discarded"
