"""Demo data for matching: a stored dispatch plan and proactive suggestions.

`build_matching(community)` is called by the demo builder after the exchange demo, so the
community already has members (with locations and skills) and open needs.
"""

from __future__ import annotations

from mutua.communities.models import Community, Membership
from mutua.matching import arrays, services
from mutua.matching.models import DispatchPlan


def build_matching(community: Community) -> DispatchPlan | None:
    """Make one draft dispatch plan (for a coordinator to review) and one outreach round."""
    coordinator = (
        Membership.objects.filter(
            community=community, status="active", role__in=("coordinator", "steward")
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    if coordinator is None:
        return None
    arrays.cache_clear()
    plan = services.dispatch_plan_create(actor=coordinator.user, community=community)
    services.outreach_sweep()
    return plan
