"""Pages and API of matching: thin layers over the same services."""

from __future__ import annotations

import datetime as dt

import pytest

from mutua.core.signed_links import signed_link_create
from mutua.exchange.models import Commitment
from mutua.exchange.services.responses import TASK_ACCEPT, TASK_DECLINE
from mutua.matching import arrays
from mutua.matching.models import DispatchPlan, PlanAssignment
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


def test_need_page_shows_coordinators_the_best_helpers_with_reasons(client, cast):
    _helper(cast.community)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    client.force_login(cast.coordinator)
    page = client.get(f"/c/riverside/needs/{need.public_id}/").content.decode()
    assert "Who could help" in page
    assert "Hana Helper" in page
    assert "km away" in page


def test_need_page_does_not_show_members_who_is_ranked(client, cast):
    _helper(cast.community)
    need = post_need(cast.community, cast.coordinator, lat=LAT, lon=LON)
    client.force_login(cast.member)
    page = client.get(f"/c/riverside/needs/{need.public_id}/").content.decode()
    assert "Hana Helper" not in page


def test_coordinator_creates_reviews_and_approves_a_plan_on_the_web(client, cast):
    helper = _helper(cast.community)
    post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Shopping")
    client.force_login(cast.coordinator)
    assert client.get("/c/riverside/dispatch/plans/").status_code == 200
    r = client.post("/c/riverside/dispatch/plans/new/")
    plan = DispatchPlan.objects.get()
    assert r.status_code == 302 and plan.public_id in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert "Hana Helper" in page and "km away" in page
    client.post(f"/c/riverside/dispatch/plans/{plan.public_id}/review/", {"action": "approve"})
    row = PlanAssignment.objects.get()
    assert row.status == "asked"
    # the helper answers from their page
    client.force_login(helper)
    assert "Shopping" in client.get(f"/asks/{row.public_id}/").content.decode()
    client.post(f"/asks/{row.public_id}/", {"answer": "yes"})
    assert PlanAssignment.objects.get().status == "accepted"


def test_members_cannot_open_dispatch_plans(client, cast):
    client.force_login(cast.member)
    assert client.get("/c/riverside/dispatch/plans/").status_code == 403


def test_api_ranks_plans_approves_and_answers(client, cast):
    helper = _helper(cast.community)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    coordinator = _auth(cast.coordinator)
    r = client.get(f"/api/v1/needs/{need.public_id}/matches?k=5", **coordinator)
    assert r.status_code == 200, r.content
    assert r.json()[0]["helper"] == helper.public_id and "km away" in r.json()[0]["reasons"]
    r = client.post(
        "/api/v1/communities/riverside/dispatch-plans", {}, content_type="application/json",
        **coordinator,
    )  # fmt: skip
    assert r.status_code == 201, r.content
    plan_id = r.json()["id"]
    r = client.post(f"/api/v1/dispatch-plans/{plan_id}/approve", **coordinator)
    assert r.status_code == 200, r.content
    assignment = r.json()["assignments"][0]
    assert assignment["status"] == "asked"
    r = client.post(
        f"/api/v1/plan-assignments/{assignment['id']}/answer", {"accept": False},
        content_type="application/json", **_auth(helper),
    )  # fmt: skip
    assert r.status_code == 200, r.content
    assert (
        client.get(f"/api/v1/dispatch-plans/{plan_id}", **coordinator).json()["assignments"][0][
            "status"
        ]
        == "declined"
    )


def test_api_refuses_rankings_to_members_with_problem_json(client, cast):
    need = post_need(cast.community, cast.coordinator, lat=LAT, lon=LON)
    r = client.get(f"/api/v1/needs/{need.public_id}/matches", **_auth(cast.member))
    assert r.status_code == 403
    assert r["Content-Type"].startswith("application/problem+json")


def test_dispatch_board_shows_the_top_three_helpers_for_each_need_with_reasons(client, cast):
    # given four helpers near one unanswered need
    for i, km in enumerate((0.4, 0.8, 1.2, 1.6)):
        _helper(cast.community, f"Helper {i}", km=km)
    post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Shopping")
    # when a coordinator opens the dispatch board
    client.force_login(cast.coordinator)
    page = client.get("/c/riverside/dispatch/").content.decode()
    # then the three best placed are listed with reasons, the fourth is not
    assert "Best placed to help" in page
    for i in range(3):
        assert f"<strong>Helper {i}</strong>" in page
    assert "<strong>Helper 3</strong>" not in page
    assert "km away" in page


@pytest.mark.parametrize("needs", [1, 6])
def test_dispatch_board_query_count_does_not_grow_with_needs(
    client, cast, needs, django_assert_max_num_queries
):
    # given some helpers and 1 or 6 unanswered needs, and a warm matching cache
    for km in (0.4, 0.8, 1.2, 1.6):
        _helper(cast.community, f"Helper {km}", km=km)
    for n in range(needs):
        post_need(cast.community, cast.member, lat=LAT, lon=LON, title=f"Need {n}")
    client.force_login(cast.coordinator)
    assert client.get("/c/riverside/dispatch/").status_code == 200
    # when the board is opened again, then the query count is the same bound for 1 or 6 needs
    with django_assert_max_num_queries(23):  # 22, plus the community time zone
        page = client.get("/c/riverside/dispatch/").content.decode()
    assert page.count("Best placed to help") == needs


def _answer_by_email_link(client, helper, need, action):
    path = signed_link_create(
        user=helper, action=action, target_id=need.public_id, ttl=dt.timedelta(days=1)
    )
    return client.post(path)


def test_a_decline_from_the_email_link_replans_the_need_like_the_ask_page(client, cast):
    # given an approved plan that asked the nearest of two helpers
    near, nxt = _helper(cast.community, "Near", km=0.2), _helper(cast.community, "Next", km=1.0)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    client.force_login(cast.coordinator)
    client.post("/c/riverside/dispatch/plans/new/")
    plan = DispatchPlan.objects.get()
    client.post(f"/c/riverside/dispatch/plans/{plan.public_id}/review/", {"action": "approve"})
    assert PlanAssignment.objects.get().helper == near
    client.logout()
    # when the helper says "not this time" through the signed link in the e-mail
    r = _answer_by_email_link(client, near, need, TASK_DECLINE)
    # then the plan records the decline and asks the next best helper for the same need
    assert r.status_code == 200
    rows = {r.helper: r.status for r in PlanAssignment.objects.filter(plan=plan, need=need)}
    assert rows == {near: "declined", nxt: "asked"}


def test_an_accept_from_the_email_link_is_recorded_on_the_plan(client, cast):
    # given an approved plan that asked a helper
    helper = _helper(cast.community)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    client.force_login(cast.coordinator)
    client.post("/c/riverside/dispatch/plans/new/")
    plan = DispatchPlan.objects.get()
    client.post(f"/c/riverside/dispatch/plans/{plan.public_id}/review/", {"action": "approve"})
    client.logout()
    # when they accept through the e-mail link
    assert _answer_by_email_link(client, helper, need, TASK_ACCEPT).status_code == 200
    # then they have a place and the plan's row says so
    assert Commitment.objects.filter(need=need, helper=helper, status="active").exists()
    assert PlanAssignment.objects.get().status == "accepted"
