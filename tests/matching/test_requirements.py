"""Requirements the person sets, through the database: same gender for personal care, no pets."""

from __future__ import annotations

import pytest

from mutua.exchange.models import Need
from mutua.matching import arrays, selectors, services
from mutua.matching.explanations import reason_words
from mutua.people.models import Profile
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def helper(community, name: str, km: float, *, gender: str = "", has_pets: bool = False):
    user = new_member(community, name, approx_lat=LAT + km / 111.195, approx_lon=LON)
    Profile.objects.filter(user=user).update(gender=gender, has_pets=has_pets)
    return user


def need_requiring(community, author, requirements: list[str], gender_wanted: str = "") -> Need:
    """Posted plainly, then given its requirements as a coordinator records them at intake."""
    need = post_need(community, author, lat=LAT, lon=LON, title="Help with washing")
    Need.objects.filter(pk=need.pk).update(requirements=requirements, gender_wanted=gender_wanted)
    need.refresh_from_db()
    return need


def test_a_same_gender_need_is_matched_only_with_helpers_of_the_gender_asked_for(cast):
    # given a man nearest, a woman, and a helper who did not say, all close by
    helper(cast.community, "Mo Man", 0.2, gender="man")
    woman = helper(cast.community, "Wendy Woman", 0.6, gender="woman")
    helper(cast.community, "Una Unsaid", 0.3)
    need = need_requiring(cast.community, cast.member, ["same_gender"], "woman")
    # when a coordinator ranks helpers and plans
    ranked = selectors.matching_rank(viewer=cast.coordinator, need=need)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    # then only the woman is ranked and proposed
    assert [m.user for m in ranked] == [woman]
    assert list(plan.assignments.values_list("helper", flat=True)) == [woman.pk]
    # and the reason says so without naming anyone's gender
    reasons = ranked[0].reasons
    assert "fits the person's request for personal care" in reasons
    assert "woman" not in reasons.lower() and "gender" not in reasons.lower()
    assert "woman" not in str(plan.assignments.get().terms).lower()


def test_a_same_gender_need_that_did_not_say_which_gender_matches_nobody(cast):
    helper(cast.community, "Wendy Woman", 0.6, gender="woman")
    need_requiring(cast.community, cast.member, ["same_gender"], "")
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    assert [u["reason"] for u in plan.unmet] == ["nobody_for_personal_care"]
    assert "personal care" in reason_words("nobody_for_personal_care")


def test_a_no_pets_need_is_matched_only_with_helpers_without_pets(cast):
    # given a helper with pets nearest and one without further away
    helper(cast.community, "Pat Pets", 0.2, has_pets=True)
    without = helper(cast.community, "Nora None", 0.9)
    need = need_requiring(cast.community, cast.member, ["no_pets"])
    # then only the helper without pets is ranked, with that reason
    ranked = selectors.matching_rank(viewer=cast.coordinator, need=need)
    assert [m.user for m in ranked] == [without]
    assert "has no pets at home" in ranked[0].reasons


def test_when_every_helper_keeps_pets_the_plan_says_why(cast):
    helper(cast.community, "Pat Pets", 0.2, has_pets=True)
    need_requiring(cast.community, cast.member, ["no_pets"])
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    assert [u["reason"] for u in plan.unmet] == ["nobody_without_pets"]
    assert plan.assignments.count() == 0
