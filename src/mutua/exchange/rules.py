"""Sensitive-detail rule: the helper of an active commitment sees the person's details, once
they pass the home-address trust gate of the need's community."""

from __future__ import annotations

from mutua.core.permissions import register_sensitive_rule


@register_sensitive_rule
def assigned_helper_sees_person(viewer, person) -> bool:
    from mutua.exchange.models import ACTIVE_COMMITMENT, Commitment
    from mutua.trust.services import trust_gate_refusal

    communities = (
        Commitment.objects.filter(helper=viewer, need__author=person, status__in=ACTIVE_COMMITMENT)
        .select_related("need__community")
        .order_by("need__community_id")
        .distinct()
    )
    seen: set[int] = set()
    for commitment in communities:
        community = commitment.need.community
        if community.pk in seen:
            continue
        seen.add(community.pk)
        if not trust_gate_refusal(viewer, community, "private_task"):
            return True
    return False
