"""Sensitive-detail rule: the helper of an active commitment sees the person's details."""

from __future__ import annotations

from mutua.core.permissions import register_sensitive_rule


@register_sensitive_rule
def assigned_helper_sees_person(viewer, person) -> bool:
    from mutua.exchange.models import ACTIVE_COMMITMENT, Commitment

    return Commitment.objects.filter(
        helper=viewer, need__author=person, status__in=ACTIVE_COMMITMENT
    ).exists()
