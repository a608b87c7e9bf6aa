"""Trust recompute and gates on PostgreSQL (the bulk reads, writes and expressions)."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied
from mutua.exchange import services as exchange
from mutua.trust import services
from mutua.trust.models import TrustScore, Vouch
from tests.factories import add_member, make_user

pytestmark = pytest.mark.postgres


def test_recompute_with_vouches_and_kept_help_on_postgres(cast):
    Vouch.objects.create(community=cast.community, voucher=cast.steward, vouchee=cast.member)
    need = exchange.need_post(actor=cast.caller, community=cast.community, title="Soup")
    c = exchange.commitment_assign(actor=cast.coordinator, need=need, helper=cast.member)
    exchange.commitment_mark_done(actor=cast.member, commitment=c)
    exchange.commitment_confirm(actor=cast.caller, commitment=c)
    newcomers = [make_user() for _ in range(20)]
    for person in newcomers:
        add_member(cast.community, person)
    assert services.trust_recompute(cast.community) == 24
    assert services.trust_recompute(cast.community) == 24  # idempotent: replaces, never adds
    assert TrustScore.objects.filter(membership__community=cast.community).count() == 24
    assert services.trust_level_of(cast.member, cast.community) in ("known", "trusted")
    assert TrustScore.objects.get(membership__user=cast.member).explanation["kept"] == 1
    with pytest.raises(PermissionDenied, match="known"):
        services.trust_gate_require(newcomers[0], cast.community, "vouch")


def test_the_sybil_attack_from_the_database_on_postgres(db):
    # given issue 7's attack as real rows: 1,000 honest members with vouches and exchanges,
    # five stewards, 200 densely vouching fakes behind 5 attack edges
    import numpy as np

    from mutua.trust.graphs import sybil_attack
    from tests.trust import sybil

    attack = sybil_attack(np.random.default_rng(11))
    community, memberships = sybil.build(attack, "sybil-pg")
    # when trust is recomputed on PostgreSQL
    assert services.trust_recompute(community) == 1200
    # then the fakes hold under 5% of the mass and none of them is trusted
    mass, fake_levels, _rows = sybil.shares(memberships, attack.honest)
    assert mass < 0.05 and "trusted" not in fake_levels


def test_a_burst_of_vouches_is_answered_by_one_recompute_on_postgres(
    cast, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from mutua.trust.stale import DEBOUNCE, trust_recompute_due

    services.trust_recompute(cast.community)
    people = [make_user() for _ in range(4)]
    for person in people:
        add_member(cast.community, person)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for person in people:
            services.vouch_create(voucher=cast.steward, vouchee=person, community=cast.community)
    assert len(callbacks) == 1
    assert trust_recompute_due(timezone.now() + DEBOUNCE) == 1
    assert trust_recompute_due(timezone.now() + DEBOUNCE) == 0
    assert all(services.trust_level_of(p, cast.community) == "known" for p in people)
