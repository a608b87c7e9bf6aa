"""The demo hook leaves a plan to review and suggestions sent."""

from __future__ import annotations

from mutua.matching import arrays
from mutua.matching.demo import build_matching
from mutua.matching.models import Suggestion
from tests.exchange.helpers import new_member, post_need


def test_build_matching_stores_a_plan_and_sends_suggestions(cast):
    arrays.cache_clear()
    helper = new_member(cast.community, "Hana", approx_lat=51.501, approx_lon=-0.12)
    post_need(cast.community, cast.member, lat=51.5, lon=-0.12)
    plan = build_matching(cast.community)
    assert plan is not None and plan.status == "draft"
    assert list(plan.assignments.values_list("helper", flat=True)) == [helper.pk]
    assert Suggestion.objects.filter(helper=helper).exists()
    arrays.cache_clear()
