"""Periodic and on-demand recomputation of trust (idempotent: a recompute replaces scores)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def trust_recompute_task(community_id: int) -> int:
    """Queued once per burst of evidence (trust.stale); does nothing if already answered."""
    from mutua.communities.models import Community
    from mutua.trust.stale import trust_recompute_if_stale

    community = Community.objects.filter(pk=community_id).first()
    return trust_recompute_if_stale(community) if community else 0


@db_periodic_task(crontab(minute="*"))
def trust_recompute_due_task() -> int:
    """Every minute, recompute communities whose evidence changed (a lost wake-up is caught)."""
    from mutua.trust.stale import trust_recompute_due

    return trust_recompute_due()


@db_periodic_task(crontab(minute="17", hour="*/6"))
def trust_recompute_all() -> int:
    """Every six hours, recompute each community that has members."""
    from mutua.communities.models import Community
    from mutua.trust.recompute import trust_recompute

    total = 0
    for community in Community.objects.filter(memberships__status="active").distinct():
        total += trust_recompute(community)
    return total
