"""Under real threads on the file SQLite database: the daily suggestion cap holds, and two plans
approved at once ask a helper once."""

from __future__ import annotations

import pytest
from django.db import connection

from mutua.matching import arrays, services, suggestions
from mutua.matching.models import MatchingSettings, PlanAssignment, Suggestion, SuggestionDay
from mutua.notify.models import Notification
from tests.exchange.helpers import new_member, post_need
from tests.factories import add_member, make_community, make_user
from tests.support.threads import at_once

LAT, LON = 51.5, -0.12


def community_with_helper():
    arrays.cache_clear()
    steward = make_user("Steward")
    community = make_community(steward)
    coordinator = add_member(community, role="coordinator").user
    person = add_member(community).user
    helper = new_member(community, "Hana", approx_lat=LAT + 0.003, approx_lon=LON)
    return community, coordinator, person, helper


@pytest.mark.django_db(transaction=True)
def test_the_daily_cap_holds_when_needs_are_suggested_at_the_same_moment():
    assert connection.vendor != "sqlite" or "memory" not in str(connection.settings_dict["NAME"])
    # given a cap of two a day, one helper and five new needs
    community, _coordinator, person, helper = community_with_helper()
    MatchingSettings.objects.create(community=community, daily_suggestion_cap=2)
    needs = [post_need(community, person, lat=LAT, lon=LON, title=f"Need {i}") for i in range(5)]
    # when all five are suggested at once
    results = at_once([lambda nd=nd: suggestions.need_suggest(need=nd) for nd in needs])
    # then nothing failed and the helper heard about two needs only
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Suggestion.objects.filter(helper=helper).count() == 2
    assert SuggestionDay.objects.get(helper=helper).count == 2
    assert Notification.objects.filter(recipient=helper, kind="matching_suggestion").count() == 2
    arrays.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_two_plans_approved_at_the_same_moment_ask_the_helper_once():
    # given two draft plans that both propose the only helper for one need
    community, coordinator, person, helper = community_with_helper()
    need = post_need(community, person, lat=LAT, lon=LON)
    plans = [services.dispatch_plan_create(actor=coordinator, community=community) for _ in "ab"]
    # when both are approved at once
    results = at_once(
        [lambda p=p: services.dispatch_plan_approve(actor=coordinator, plan=p) for p in plans]
    )
    # then both approvals succeeded, and the helper was asked once
    assert not [r for r in results if isinstance(r, Exception)], results
    rows = PlanAssignment.objects.filter(need=need, helper=helper)
    assert sorted(rows.values_list("status", flat=True)) == ["asked", "skipped"]
    assert Notification.objects.filter(recipient=helper, kind="exchange_task_asked").count() == 1
    arrays.cache_clear()
