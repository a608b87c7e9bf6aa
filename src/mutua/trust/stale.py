"""Debounced recompute: evidence marks a community stale, one recompute answers a whole burst.

A vouch, a withdrawal or a visit in person does not recompute the community at once (at 100,000
members that is seconds of work per click). It sets `TrustSettings.recompute_due_at` a short
wait ahead, unless it is already set, and only that first mark queues a task, on commit, for
the end of the wait. Later evidence in the burst finds the mark and queues nothing. The task
and a sweep every minute (which catches a wake-up lost between our commit and the queue)
claim due communities and recompute each once; running either twice recomputes nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mutua.communities.models import Community
from mutua.trust.models import TrustSettings

DEBOUNCE = dt.timedelta(seconds=60)


def trust_recompute_soon(*, community: Community) -> bool:
    """Mark `community` stale; True when this mark queued the (single) recompute.

    Other apps whose evidence changed (a commitment kept or missed) may call it too.
    """
    with transaction.atomic():
        # The row lock makes a concurrent claim wait for this transaction, so a recompute that
        # clears the mark always reads the evidence committed with it.
        conf, _created = TrustSettings.objects.select_for_update().get_or_create(
            community=community
        )
        if conf.recompute_due_at is not None:
            return False
        due = timezone.now() + DEBOUNCE
        TrustSettings.objects.filter(pk=conf.pk).update(recompute_due_at=due)
        community_id = community.pk
        transaction.on_commit(lambda: _wake(community_id))
        return True


def _wake(community_id: int) -> None:
    from mutua.trust.tasks import trust_recompute_task

    trust_recompute_task.schedule(args=(community_id,), delay=DEBOUNCE.total_seconds())


def trust_recompute_if_stale(community: Community) -> int:
    """Recompute `community` if it is marked stale; returns how many scores were written."""
    from mutua.trust.recompute import trust_recompute

    claimed = TrustSettings.objects.filter(
        community=community, recompute_due_at__isnull=False
    ).update(recompute_due_at=None)
    return trust_recompute(community) if claimed else 0


def trust_recompute_due(now: dt.datetime | None = None) -> int:
    """The sweep: recompute every community whose wait is over; returns how many."""
    now = now or timezone.now()
    ids = list(
        TrustSettings.objects.filter(recompute_due_at__lte=now)
        .order_by("recompute_due_at")
        .values_list("community_id", flat=True)
    )
    from mutua.trust.recompute import trust_recompute

    done = 0
    for community in Community.objects.filter(pk__in=ids):
        claimed = TrustSettings.objects.filter(
            community=community, recompute_due_at__lte=now
        ).update(recompute_due_at=None)
        if claimed:
            trust_recompute(community)
            done += 1
    # Gates apply once trust has been computed: a community that has members but no scores yet
    # (new, or no evidence changed since it started) gets its first recompute here, within a
    # minute, rather than at the next six-hourly pass.
    never = (
        Community.objects.filter(memberships__status="active")
        .exclude(trust_settings__computed_at__isnull=False)
        .distinct()
    )
    for community in never:
        trust_recompute(community)
        done += 1
    return done
