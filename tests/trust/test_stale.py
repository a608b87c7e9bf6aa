"""Debounced recompute: a burst of evidence is answered by one recompute, once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey.contrib.djhuey import HUEY

from mutua.trust import services
from mutua.trust.models import TrustScore, TrustSettings
from mutua.trust.stale import DEBOUNCE, trust_recompute_due, trust_recompute_if_stale
from mutua.trust.tasks import trust_recompute_task
from tests.trust.helpers import member


def _due(community):
    return TrustSettings.objects.get(community=community).recompute_due_at


def test_a_burst_of_vouches_queues_one_recompute_that_answers_them_all(
    cast, django_capture_on_commit_callbacks
):
    # given trust computed once, and five people nobody has vouched for
    services.trust_recompute(cast.community)
    first = TrustSettings.objects.get(community=cast.community).computed_at
    people = [member(cast.community) for _ in range(5)]
    scheduled_before = HUEY.scheduled_count()
    # when the steward vouches for all of them, each vouch in its own transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for person in people:
            services.vouch_create(voucher=cast.steward, vouchee=person, community=cast.community)
    # then only the first vouch queued a task, for the end of the wait, and nothing ran yet
    assert len(callbacks) == 1
    assert HUEY.scheduled_count() == scheduled_before + 1
    assert TrustSettings.objects.get(community=cast.community).computed_at == first
    # and when the wait is over, one recompute sees every vouch
    assert trust_recompute_due(timezone.now() + DEBOUNCE) == 1
    assert all(services.trust_level_of(p, cast.community) == "known" for p in people)
    # and a second sweep, or the queued task arriving late, recomputes nothing again
    assert trust_recompute_due(timezone.now() + DEBOUNCE) == 0
    assert trust_recompute_task.call_local(cast.community.pk) == 0


def test_the_sweep_leaves_a_community_whose_wait_is_not_over(cast):
    services.trust_recompute(cast.community)
    services.trust_recompute_soon(community=cast.community)
    assert trust_recompute_due(timezone.now()) == 0
    assert _due(cast.community) is not None
    assert trust_recompute_due(timezone.now() + DEBOUNCE + dt.timedelta(seconds=1)) == 1
    assert _due(cast.community) is None


def test_the_queued_task_recomputes_a_stale_community_once(cast):
    # given evidence that marked the community stale
    services.trust_recompute_soon(community=cast.community)
    # when the task runs (as the worker would at the end of the wait), scores are written
    assert trust_recompute_task.call_local(cast.community.pk) == 4
    assert TrustScore.objects.filter(membership__community=cast.community).count() == 4
    # and running it again does nothing
    assert trust_recompute_if_stale(cast.community) == 0


def test_a_recompute_on_demand_answers_the_pending_mark(cast):
    services.trust_recompute_soon(community=cast.community)
    services.trust_recompute_request(actor=cast.coordinator, community=cast.community)
    assert _due(cast.community) is None
    assert trust_recompute_due(timezone.now() + DEBOUNCE) == 0


def test_evidence_after_a_recompute_marks_the_community_again(cast):
    # given a burst that was answered
    services.trust_recompute(cast.community)
    services.vouch_create(voucher=cast.steward, vouchee=cast.member, community=cast.community)
    assert trust_recompute_due(timezone.now() + DEBOUNCE) == 1
    # when a later vouch arrives, then it starts a new wait of its own
    services.vouch_create(voucher=cast.steward, vouchee=cast.caller, community=cast.community)
    assert _due(cast.community) is not None
    assert trust_recompute_due(timezone.now() + DEBOUNCE) == 1
    assert services.trust_level_of(cast.caller, cast.community) == "known"


def test_a_community_never_computed_gets_its_first_scores_from_the_minute_sweep(cast):
    # given a community whose members have changed nothing since it started (gates still open)
    assert not TrustSettings.objects.filter(
        community=cast.community, computed_at__isnull=False
    ).exists()
    assert not services.gates_active(cast.community)

    # when the every-minute sweep runs
    trust_recompute_due()

    # then trust is computed and the gates apply: a newcomer is "new", the steward trusted
    assert services.gates_active(cast.community)
    newcomer = member(cast.community)
    assert services.trust_level_of(newcomer, cast.community) == "new"
    assert services.trust_level_of(cast.steward, cast.community) == "trusted"
    # and the next sweep leaves a computed community alone
    assert trust_recompute_due() == 0
