"""Issue 7's attack, end to end: real rows in the database, the real `trust_recompute`."""

from __future__ import annotations

import numpy as np

from mutua.trust import services
from mutua.trust.graphs import sybil_attack
from mutua.trust.models import TrustSettings
from tests.trust import sybil


def test_fake_accounts_vouching_densely_stay_under_five_percent_and_never_trusted(db):
    # given 1,000 honest members in a clustered small world of vouches and confirmed exchanges
    # (average degree about 10, five stewards as seeds) and 200 fakes who vouch for 20 others
    # each and stage exchanges among themselves, joined by 5 attack edges from honest
    # non-stewards, in a community with the default settings
    attack = sybil_attack(np.random.default_rng(11))
    community, memberships = sybil.build(attack, "sybil")
    honest_ids = {m.user_id for m in memberships[: attack.honest]}
    fake_ids = [m.user_id for m in memberships[attack.honest :]]
    assert attack.attack_edges == 5 and len(fake_ids) == 200
    # when trust is recomputed from the database
    assert services.trust_recompute(community) == 1200
    # then the fakes together hold under 5% of the trust mass and none is trusted
    mass, fake_levels, rows = sybil.shares(memberships, attack.honest)
    assert mass < 0.05
    assert "trusted" not in fake_levels
    # while honest members reach every level
    honest_levels = {rows[m.pk][1] for m in memberships[: attack.honest]}
    assert honest_levels == {"new", "known", "trusted"}
    # and a plain vouch count with the same default threshold would make every fake trusted
    conf = TrustSettings.objects.get(community=community)
    counts = sybil.vouch_counts(community)
    average = sum(counts.values()) / len(memberships)
    assert all(counts.get(f, 0) >= 10 for f in fake_ids)
    assert all(counts[f] / average >= conf.trusted_at for f in fake_ids)
    assert sum(counts.get(h, 0) for h in honest_ids) / len(honest_ids) < min(
        counts[f] for f in fake_ids
    )


def test_a_compromised_member_vouching_for_fifty_fakes_gives_them_bounded_gain(db):
    # given the same honest community, no attack edges, but one honest non-steward who vouches
    # for 50 of the 200 fakes
    attack = sybil_attack(np.random.default_rng(12), attack_edges=0, compromised_fan_out=50)
    community, memberships = sybil.build(attack, "traitor")
    assert memberships[attack.traitor].role == "member"
    # when trust is recomputed
    services.trust_recompute(community)
    # then all the fakes gain together at most damping / (1 - damping) of what the traitor
    # holds (before, they held nothing), under 1% of the mass, and none is trusted
    mass, fake_levels, rows = sybil.shares(memberships, attack.honest)
    damping = TrustSettings.objects.get(community=community).damping
    traitor_share = rows[memberships[attack.traitor].pk][0] / sum(r[0] for r in rows.values())
    assert mass <= damping / (1 - damping) * traitor_share + 1e-12
    assert mass < 0.01
    assert "trusted" not in fake_levels
