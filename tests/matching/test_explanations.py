"""Explanations are complete and true: every fact behind a suggestion, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mutua.communities.models import Membership
from mutua.exchange.models import Need
from mutua.matching import arrays, selectors, services
from mutua.matching.explanations import REASON_WORDS, explain, reason_words
from mutua.matching.models import PlanAssignment
from mutua.people.models import AvailabilityWindow, Profile
from mutua.trust.models import TrustScore
from tests.exchange.helpers import new_member, post_need
from tests.matching.test_services import km_between

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def helper(community, name, km, *, languages=("en",), level=None, sunday_only=False):
    user = new_member(community, name, approx_lat=LAT + km / 111.195, approx_lon=LON)
    Profile.objects.filter(user=user).update(languages=list(languages))
    if level:
        TrustScore.objects.create(
            membership=Membership.objects.get(community=community, user=user),
            level=level,
            normalised=0.9,
            computed_at=timezone.now(),
        )
    if sunday_only:
        AvailabilityWindow.objects.create(
            profile=user.profile, weekday=6, start=dt.time(9), end=dt.time(12)
        )
    return user


def next_sunday_morning() -> dt.datetime:
    today = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    return today + dt.timedelta(days=(6 - today.weekday()) % 7 or 7)


def test_an_explanation_states_language_time_requirements_and_trust_that_are_true(cast):
    # given a trusted Spanish speaker free on Sunday mornings, with a car
    ana = helper(cast.community, "Ana", 0.4, languages=("en", "es"), level="trusted",
                 sunday_only=True)  # fmt: skip
    Profile.objects.filter(user=ana).update(has_car=True)
    helper(cast.community, "Ben", 0.1, languages=("en",), level="known")  # no Spanish
    # and a need on Sunday morning, in Spanish, asking for a car
    start = next_sunday_morning()
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON, languages=["es"],
                     starts_at=start, ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    Need.objects.filter(pk=need.pk).update(requirements=["car"])
    need.refresh_from_db()
    # when a coordinator ranks helpers
    [match] = selectors.matching_rank(viewer=cast.coordinator, need=need)
    # then the one who fits is explained with each fact, in words
    assert match.user == ana
    km = km_between(need, Membership.objects.get(community=cast.community, user=ana))
    assert match.reasons == (
        f"{km:.1f} km away; speaks Spanish; has a car; free at that time; no tasks this week; "
        "trusted here"
    )
    assert match.terms["trust_level"] == "trusted" and "trust" not in match.terms


def test_a_helper_without_set_times_is_explained_as_counted_free(cast):
    helper(cast.community, "Cleo", 0.3)
    start = next_sunday_morning()
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON, starts_at=start,
                     ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    [match] = selectors.matching_rank(viewer=cast.coordinator, need=need)
    assert "has not set times, so counted as free" in match.reasons
    assert "free at that time" not in match.reasons
    # trust has not been computed in this community: nothing is said about it
    assert not any(w in match.reasons for w in ("trusted here", "known here", "new here"))


def test_a_need_without_a_time_says_nothing_about_availability(cast):
    helper(cast.community, "Dee", 0.3, sunday_only=True)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    [match] = selectors.matching_rank(viewer=cast.coordinator, need=need)
    assert match.terms["availability"] == "any_time"
    assert "free" not in match.reasons


def test_stored_plan_rows_explain_the_same_facts(cast):
    eve = helper(cast.community, "Eve", 0.5, languages=("en", "pl"), level="new")
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON, languages=["pl"])
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    row = PlanAssignment.objects.get(plan=plan, need=need)
    km = km_between(need, Membership.objects.get(community=cast.community, user=eve))
    assert explain(row.terms) == f"{km:.1f} km away; speaks Polish; no tasks this week; new here"


def test_every_unmet_reason_including_a_decline_has_words():
    for code in REASON_WORDS:
        assert reason_words(code) != code
    assert reason_words("declined").startswith("The helpers asked said not this time")


def test_a_decline_with_nobody_left_records_the_declined_reason(cast):
    # given a plan that asked the only helper nearby
    only = helper(cast.community, "Fay", 0.2)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)
    row = PlanAssignment.objects.get(plan=plan)
    # when they say not this time
    services.plan_assignment_answer(helper=only, assignment=row, accept=False)
    # then the plan says why the need is still without a helper, in words
    plan.refresh_from_db()
    assert plan.unmet == [
        {"need": need.public_id, "title": need.title, "missing": 1, "reason": "declined"}
    ]
