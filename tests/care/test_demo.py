"""The demo builder's care part: plans in every state."""

from __future__ import annotations

from mutua.care.demo import build_care
from mutua.care.models import CarePlan
from tests.factories import add_member


def test_demo_has_care_plans_in_every_state(cast):
    for _ in range(14):
        add_member(cast.community)
    assert build_care(cast.community)["plans"] == 10
    states = set(CarePlan.objects.values_list("state", flat=True))
    assert {"waiting", "reminded", "grace", "asking", "escalating", "held", "all_clear"} <= states
    assert CarePlan.objects.filter(status="paused").exists()
    assert CarePlan.objects.filter(is_drill=True).exists()
    assert CarePlan.objects.filter(is_flagged=True).exists()
