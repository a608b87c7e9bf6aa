"""A helper's capacity holds across plans: asks waiting for an answer in approved plans count as
load when planning, approving and re-planning, so a helper with room for one task is never asked
for two needs at once."""

from __future__ import annotations

import pytest

from mutua.exchange.models import Commitment
from mutua.exchange.services import task_accept_by_link
from mutua.matching import arrays, engine, live, selectors, services
from mutua.matching.models import MatchingSettings, PlanAssignment
from mutua.notify.models import Notification
from mutua.people.services import profile_update
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _helper(community, name: str, km: float):
    return new_member(community, name, approx_lat=LAT + km / 111.195, approx_lon=LON)


def _need(cast, title: str, km: float = 0.0):
    return post_need(cast.community, cast.member, lat=LAT + km / 111.195, lon=LON, title=title)


def _plan(cast):
    return services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)


def _approve(cast, plan):
    return services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)


def _asks_to(user) -> set[str]:
    return set(
        PlanAssignment.objects.filter(helper=user, status="asked").values_list(
            "need__title", flat=True
        )
    )


def _capacity(cast, n: int) -> None:
    MatchingSettings.objects.create(community=cast.community, capacity=n)


def test_a_new_plan_does_not_propose_a_helper_whose_only_place_is_taken_by_a_waiting_ask(cast):
    # given capacity 1 and a helper asked for a first need by an approved plan, not answered yet
    _capacity(cast, 1)
    helper = _helper(cast.community, "Hana", 0.2)
    _need(cast, "First")
    _approve(cast, _plan(cast))
    assert _asks_to(helper) == {"First"}
    # when a second need comes in and another plan is made
    second = _need(cast, "Second")
    plan = _plan(cast)
    # then the helper is not proposed for it, and the plan says everyone is busy
    assert not plan.assignments.filter(need=second).exists()
    assert [(u["need"], u["reason"]) for u in plan.unmet] == [
        (second.public_id, engine.AT_CAPACITY)
    ]


def test_a_limited_helper_counts_a_waiting_ask_as_their_one_task(cast):
    helper = _helper(cast.community, "Lee Limited", 0.2)
    profile_update(user=helper, capacity_status="limited")
    _need(cast, "First")
    _approve(cast, _plan(cast))
    second = _need(cast, "Second")
    assert not _plan(cast).assignments.filter(need=second).exists()
    assert selectors.matching_rank(viewer=cast.coordinator, need=second) == []


def test_a_helper_with_room_for_two_is_proposed_for_a_second_need_while_an_ask_waits(cast):
    # the happy path: capacity 2, one ask waiting
    _capacity(cast, 2)
    helper = _helper(cast.community, "Hana", 0.2)
    _need(cast, "First")
    _approve(cast, _plan(cast))
    second = _need(cast, "Second")
    _approve(cast, _plan(cast))
    assert _asks_to(helper) == {"First", "Second"}
    assert PlanAssignment.objects.get(need=second).status == "asked"


def test_two_draft_plans_approved_one_after_the_other_ask_a_helper_within_capacity(cast):
    # given capacity 1, one helper, and two drafts made before either was approved: the first
    # proposes the helper for the far need, the second (made when a nearer need came) for it
    _capacity(cast, 1)
    helper = _helper(cast.community, "Hana", 0.0)
    _need(cast, "Far", km=3.0)
    first = _plan(cast)
    _need(cast, "Near", km=0.1)
    second = _plan(cast)
    assert list(first.assignments.values_list("need__title", flat=True)) == ["Far"]
    assert list(second.assignments.values_list("need__title", flat=True)) == ["Near"]
    # when both are approved
    _approve(cast, first)
    _approve(cast, second)
    # then the helper is asked once; the second ask is skipped, saying why, and nobody else fits
    assert _asks_to(helper) == {"Far"}
    skipped = second.assignments.get(need__title="Near")
    assert skipped.status == "skipped"
    assert "as much as they can take on" in skipped.note
    second.refresh_from_db()
    reasons = {u["title"]: u["reason"] for u in second.unmet}
    assert reasons == {"Far": engine.AT_CAPACITY, "Near": engine.AT_CAPACITY}
    asked = Notification.objects.filter(recipient=helper, kind="exchange_task_asked")
    assert asked.count() == 1


def test_a_replan_after_a_decline_does_not_ask_a_helper_waiting_on_another_ask(cast):
    # given capacity 1, an approved plan that asked each of two helpers for one need
    _capacity(cast, 1)
    near, other = _helper(cast.community, "Near", 0.1), _helper(cast.community, "Other", 0.2)
    a = _need(cast, "Need A")
    _need(cast, "Need B", km=0.3)
    plan = _approve(cast, _plan(cast))
    assert {r.helper: r.need.title for r in plan.assignments.filter(status="asked")} == {
        near: "Need A",
        other: "Need B",
    }
    # when the helper asked for A says "not this time"
    row = PlanAssignment.objects.get(plan=plan, helper=near)
    services.plan_assignment_answer(helper=near, assignment=row, accept=False)
    # then the other helper, still waiting on their ask for B, is not asked for A as well
    assert _asks_to(other) == {"Need B"}
    plan.refresh_from_db()
    assert [u["need"] for u in plan.unmet] == [a.public_id]


def test_a_waiting_ask_counts_as_load_and_a_place_taken_counts_once(cast):
    # given capacity 1 and a helper asked for one need
    _capacity(cast, 1)
    helper = _helper(cast.community, "Hana", 0.2)
    first = _need(cast, "First")
    _approve(cast, _plan(cast))
    assert live.loads_of([helper.pk]) == {helper.pk: 1}
    # when they take the place through the exchange (the plan's row still says "asked")
    task_accept_by_link(helper=helper, need=first)
    # then the place is counted once, as a commitment, not also as an ask
    assert Commitment.objects.filter(need=first, helper=helper, status="active").exists()
    assert PlanAssignment.objects.get(helper=helper).status == "asked"
    assert live.loads_of([helper.pk]) == {helper.pk: 1}


def test_a_need_whose_only_place_was_asked_for_is_not_planned_again(cast):
    # given one place, asked for and not answered yet, and a second helper free
    _helper(cast.community, "Hana", 0.2)
    _need(cast, "First")
    _approve(cast, _plan(cast))
    other = _helper(cast.community, "Ola", 0.3)
    # when another plan is made, then nobody else is proposed for that place
    plan = _plan(cast)
    assert plan.needs_count == 0
    assert not plan.assignments.exists()
    assert _asks_to(other) == set()


def test_a_declined_ask_frees_the_helper_for_another_need(cast):
    _capacity(cast, 1)
    helper = _helper(cast.community, "Hana", 0.2)
    _need(cast, "First")
    _approve(cast, _plan(cast))
    row = PlanAssignment.objects.get(helper=helper)
    services.plan_assignment_answer(helper=helper, assignment=row, accept=False)
    assert live.loads_of([helper.pk]) == {}
    second = _need(cast, "Second", km=0.2)  # nearer the helper than the need they declined
    assert [a.helper for a in _plan(cast).assignments.filter(need=second)] == [helper]
