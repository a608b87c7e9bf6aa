"""Matching on real PostgreSQL: a plan is stored, approved, declined and re-planned; the daily
suggestion cap and "ask a helper once" hold under real threads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from mutua.matching import arrays, services, suggestions
from mutua.matching.models import MatchingSettings, PlanAssignment, Suggestion, SuggestionDay
from mutua.people.models import AvailabilityWindow
from tests.exchange.helpers import new_member, post_need
from tests.factories import add_member, make_community, make_user
from tests.support.threads import at_once

pytestmark = pytest.mark.postgres

LAT, LON = 51.5, -0.12


@pytest.mark.django_db
def test_plan_approve_decline_and_replan_on_postgresql():
    assert connection.vendor == "postgresql"
    arrays.cache_clear()
    steward = make_user("Steward")
    community = make_community(steward)
    coordinator = add_member(community, role="coordinator").user
    person = add_member(community).user
    near = new_member(community, "Near", approx_lat=LAT + 0.002, approx_lon=LON)
    other = new_member(community, "Other", approx_lat=LAT + 0.01, approx_lon=LON)
    AvailabilityWindow.objects.create(
        profile=near.profile, weekday=0, start=dt.time(8), end=dt.time(12)
    )
    need = post_need(community, person, lat=LAT, lon=LON)
    plan = services.dispatch_plan_create(actor=coordinator, community=community)
    services.dispatch_plan_approve(actor=coordinator, plan=plan)
    first = PlanAssignment.objects.get(plan=plan)
    assert first.helper == near
    assert isinstance(first.terms["distance_km"], float)  # stored as JSON, not as a string
    services.plan_assignment_answer(helper=near, assignment=first, accept=False)
    statuses = dict(
        PlanAssignment.objects.filter(plan=plan, need=need).values_list("helper", "status")
    )
    assert statuses == {near.pk: "declined", other.pk: "asked"}
    arrays.cache_clear()


def _community_with_helper():
    arrays.cache_clear()
    community = make_community(make_user("Steward"))
    coordinator = add_member(community, role="coordinator").user
    person = add_member(community).user
    helper = new_member(community, "Hana", approx_lat=LAT + 0.003, approx_lon=LON)
    return community, coordinator, person, helper


def test_the_daily_cap_holds_under_concurrent_suggestions_on_postgresql(transactional_db):
    # given a cap of two a day, one helper and six new needs
    community, _coordinator, person, helper = _community_with_helper()
    MatchingSettings.objects.create(community=community, daily_suggestion_cap=2)
    needs = [post_need(community, person, lat=LAT, lon=LON, title=f"Need {i}") for i in range(6)]
    arrays.community_arrays(community)  # warm, so the threads race on the cap, not the cache
    # when all six are suggested at the same moment
    results = at_once([lambda nd=nd: suggestions.need_suggest(need=nd) for nd in needs])
    # then none failed, and the helper heard about two needs only
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Suggestion.objects.filter(helper=helper).count() == 2
    assert SuggestionDay.objects.get(helper=helper).count == 2
    arrays.cache_clear()


def test_two_plans_approved_at_once_ask_the_helper_once_on_postgresql(transactional_db):
    community, coordinator, person, helper = _community_with_helper()
    need = post_need(community, person, lat=LAT, lon=LON)
    plans = [services.dispatch_plan_create(actor=coordinator, community=community) for _ in "ab"]
    results = at_once(
        [lambda p=p: services.dispatch_plan_approve(actor=coordinator, plan=p) for p in plans]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = PlanAssignment.objects.filter(need=need, helper=helper).values_list(
        "status", flat=True
    )
    assert sorted(statuses) == ["asked", "skipped"]
    arrays.cache_clear()
