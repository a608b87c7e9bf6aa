"""Matching through the database: ranking with reasons, dispatch plans, answers, suggestions."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.utils import timezone

from mutua.core.errors import Conflict, PermissionDenied
from mutua.exchange.models import Commitment
from mutua.matching import arrays, meet, selectors, services, suggestions
from mutua.matching.explanations import reason_words
from mutua.matching.models import MatchingSettings, PlanAssignment, Suggestion
from mutua.notify.models import Notification
from mutua.people.models import ProfileSkill, Skill
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def helper_at(community, km_north: float, name: str = "", skill: Skill | None = None):
    user = new_member(community, name, approx_lat=LAT + km_north / 111.195, approx_lon=LON)
    if skill is not None:
        ProfileSkill.objects.create(profile=user.profile, skill=skill)
    return user


def km_between(need, membership) -> float:
    """Great-circle distance between the need's approximate place and the helper's."""
    p1, p2 = math.radians(need.approx_lat), math.radians(membership.approx_lat)
    dlat, dlon = p2 - p1, math.radians(membership.approx_lon - need.approx_lon)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def need_here(community, author, **kwargs):
    return post_need(community, author, lat=LAT, lon=LON, **kwargs)


def test_rank_lists_the_nearest_fitting_helpers_first_with_true_reasons(cast):
    # given two helpers with the skill, 0.8 and 2.5 km away, and one without it
    shopping = Skill.objects.create(slug="shopping-x", name="Shopping")
    far = helper_at(cast.community, 2.5, "Far Helper", shopping)
    near = helper_at(cast.community, 0.8, "Near Helper", shopping)
    helper_at(cast.community, 0.1, "No Skill")
    need = need_here(cast.community, cast.member, skill_ids=[shopping.pk])
    # when a coordinator ranks helpers for the need
    matches = selectors.matching_rank(viewer=cast.coordinator, need=need)
    # then only the two with the skill, nearest first, with reasons that match the data
    assert [m.user for m in matches] == [near, far]
    for match in matches:
        km = km_between(need, match.user.memberships.get(community=cast.community))
        assert match.reasons.startswith(f"{km:.1f} km away; has the 'Shopping' skill")
        assert "no tasks this week" in match.reasons


def test_members_cannot_see_the_ranking(cast):
    need = need_here(cast.community, cast.member)
    with pytest.raises(PermissionDenied):
        selectors.matching_rank(viewer=cast.member, need=need)


def test_ranking_a_warm_community_takes_few_queries(cast, django_assert_max_num_queries):
    for km in (0.5, 1.0, 1.5):
        helper_at(cast.community, km)
    need = need_here(cast.community, cast.member)
    selectors.matching_rank(viewer=cast.coordinator, need=need)
    with django_assert_max_num_queries(12):
        assert len(selectors.matching_rank(viewer=cast.coordinator, need=need)) == 3


def test_a_helper_on_a_break_is_never_suggested(cast):
    resting = helper_at(cast.community, 0.2)
    resting.profile.capacity_status = "break"
    resting.profile.save()
    need = need_here(cast.community, cast.member)
    assert selectors.matching_rank(viewer=cast.coordinator, need=need) == []


def test_approving_a_plan_asks_each_proposed_helper(cast):
    # given two needs and two helpers
    a, b = helper_at(cast.community, 0.3), helper_at(cast.community, 0.6)
    need_here(cast.community, cast.member, title="Shopping")
    need_here(cast.community, cast.member, title="Ride to the clinic")
    # when a coordinator creates a plan
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    rows = list(plan.assignments.all())
    # then each need has one proposed helper, spread over both, and nobody was asked yet
    assert {r.helper for r in rows} == {a, b}
    assert {r.status for r in rows} == {"proposed"}
    assert not Notification.objects.filter(kind="exchange_task_asked").exists()
    # when the plan is approved
    services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)
    # then both helpers are asked
    assert set(plan.assignments.values_list("status", flat=True)) == {"asked"}
    asked = Notification.objects.filter(kind="exchange_task_asked")
    assert set(asked.values_list("recipient", flat=True)) == {a.pk, b.pk}
    with pytest.raises(Conflict):
        services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)


def test_members_cannot_create_or_approve_plans(cast):
    with pytest.raises(PermissionDenied):
        services.dispatch_plan_create(actor=cast.member, community=cast.community)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    with pytest.raises(PermissionDenied):
        services.dispatch_plan_approve(actor=cast.member, plan=plan)
    assert plan.status == "draft"


def test_accepting_gives_the_helper_a_place(cast):
    helper = helper_at(cast.community, 0.3)
    need = need_here(cast.community, cast.member)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)
    row = PlanAssignment.objects.get(plan=plan)
    services.plan_assignment_answer(helper=helper, assignment=row, accept=True)
    assert Commitment.objects.filter(need=need, helper=helper, status="active").exists()
    row.refresh_from_db()
    assert row.status == "accepted"


def test_a_decline_replans_that_need_with_the_next_best_helper(cast):
    # given a plan that asked the nearest helper
    near, nxt = helper_at(cast.community, 0.2), helper_at(cast.community, 1.0)
    need = need_here(cast.community, cast.member)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)
    first = PlanAssignment.objects.get(plan=plan)
    assert first.helper == near
    # when they decline
    services.plan_assignment_answer(helper=near, assignment=first, accept=False)
    # then the next best is asked for the same need, and coordinators heard of the decline
    rows = {r.helper: r.status for r in PlanAssignment.objects.filter(plan=plan, need=need)}
    assert rows == {near: "declined", nxt: "asked"}
    assert Notification.objects.filter(kind="exchange_task_asked", recipient=nxt).exists()
    assert Notification.objects.filter(
        kind="exchange_task_declined", recipient=cast.coordinator
    ).exists()
    with pytest.raises(Conflict):
        services.plan_assignment_answer(helper=near, assignment=first, accept=True)


def test_someone_else_cannot_answer_for_the_helper(cast):
    helper_at(cast.community, 0.2)
    need_here(cast.community, cast.member)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)
    row = PlanAssignment.objects.get(plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_assignment_answer(helper=cast.member, assignment=row, accept=True)
    assert PlanAssignment.objects.get(pk=row.pk).status == "asked"


def test_unmet_needs_in_a_plan_say_why(cast):
    helper_at(cast.community, 0.2)
    rare = Skill.objects.create(slug="welding-x", name="Welding")
    need_here(cast.community, cast.member, skill_ids=[rare.pk])
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    assert [u["reason"] for u in plan.unmet] == ["nobody_with_skill"]
    assert reason_words("nobody_with_skill") == "Nobody with that skill in that area."


def test_the_daily_suggestion_cap_holds(cast):
    # given a cap of two suggestions a day and one helper near four new needs
    MatchingSettings.objects.create(community=cast.community, daily_suggestion_cap=2)
    helper = helper_at(cast.community, 0.3)
    for i in range(4):
        need_here(cast.community, cast.member, title=f"Need {i}")
    # when the outreach sweep runs twice
    suggestions.outreach_sweep()
    suggestions.outreach_sweep()
    # then the helper heard about two needs only
    assert Suggestion.objects.filter(helper=helper).count() == 2
    assert Notification.objects.filter(recipient=helper, kind="matching_suggestion").count() == 2
    # and the next day, the cap allows two more
    later = timezone.now() + dt.timedelta(days=1, hours=1)
    suggestions.outreach_sweep(now=later)
    assert Suggestion.objects.filter(helper=helper).count() == 4


def test_outreach_widens_later_and_sooner_for_urgent_needs(cast):
    MatchingSettings.objects.create(community=cast.community, suggest_per_round=1)
    first, second = helper_at(cast.community, 0.2), helper_at(cast.community, 0.9)
    urgent = need_here(cast.community, cast.member, urgency="immediate")
    now = timezone.now()
    suggestions.need_suggest(need=urgent, now=now)
    assert list(Suggestion.objects.values_list("helper", flat=True)) == [first.pk]
    # not yet due: nothing more
    assert suggestions.outreach_sweep(now=now + dt.timedelta(minutes=10)) == 0
    # after 30 minutes the circle widens to the next helper
    assert suggestions.outreach_sweep(now=now + dt.timedelta(minutes=31)) == 1
    assert set(Suggestion.objects.values_list("helper", flat=True)) == {first.pk, second.pk}


def test_matching_offers_are_suggested_for_a_need_and_needs_for_an_offer(cast):
    from mutua.exchange.services import offer_post

    giver = new_member(cast.community, "Giver")
    offer = offer_post(
        owner=giver,
        community=cast.community,
        title="Weekly shopping trips",
        kind="errand",
    )
    offer_post(
        owner=giver,
        community=cast.community,
        title="Piano lessons",
        kind="knowledge",
    )
    need = need_here(cast.community, cast.member, title="Shopping this week", kind="errand")
    assert meet.offers_for_need(viewer=cast.member, need=need) == [offer]
    assert meet.needs_for_offer(viewer=giver, offer=offer) == [need]


def test_a_helper_free_only_at_other_times_is_not_suggested(cast):
    # given a helper free on Sundays only and one who set no windows (free any time)
    from mutua.people.models import AvailabilityWindow

    sunday = helper_at(cast.community, 0.2, "Sunday Only")
    AvailabilityWindow.objects.create(
        profile=sunday.profile, weekday=6, start=dt.time(9), end=dt.time(12)
    )
    anytime = helper_at(cast.community, 0.5, "Any Time")
    # when a need is for next Monday 9:00-10:00 (community time, UTC)
    today = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    monday = today + dt.timedelta(days=7 - today.weekday())
    need = need_here(
        cast.community, cast.member, starts_at=monday, ends_at=monday + dt.timedelta(hours=1)
    )
    # then only the helper free then is ranked
    assert [m.user for m in selectors.matching_rank(viewer=cast.coordinator, need=need)] == [
        anytime
    ]
