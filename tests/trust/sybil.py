"""A generated attack written to the database as real rows, quickly (bulk inserts).

Members, profiles, vouches and confirmed exchanges (a need and a kept commitment each) are the
rows `trust_recompute` reads in production. Bulk inserts skip the services' per-vouch checks on
purpose: the fakes' dense vouching would take them months under the monthly limit, and the
test is about what the scores make of the graph once it exists.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Count
from django.utils import timezone

from mutua.communities.models import Community, Membership
from mutua.exchange.models import Commitment, Need
from mutua.people.models import Profile, User
from mutua.trust.graphs import Attack
from mutua.trust.models import TrustScore, Vouch

BATCH = 2000


def build(attack: Attack, slug: str) -> tuple[Community, list[Membership]]:
    """Community `slug` with one member per node of `attack` (seeds are its stewards)."""
    community = Community.objects.create(name=f"Attack {slug}", slug=slug)
    users = User.objects.bulk_create(
        [User(email=f"{slug}-{i}@example.org", password="!") for i in range(attack.n)],
        batch_size=BATCH,
    )
    Profile.objects.bulk_create(
        [Profile(user=u, display_name=f"Neighbour {i}") for i, u in enumerate(users)],
        batch_size=BATCH,
    )
    seeds = set(attack.seeds.tolist())
    memberships = Membership.objects.bulk_create(
        [
            Membership(community=community, user=u, role="steward" if i in seeds else "member")
            for i, u in enumerate(users)
        ],
        batch_size=BATCH,
    )
    ids = np.array([u.pk for u in users], dtype=np.int64)
    pairs = np.unique(np.stack([attack.src, attack.dst], axis=1), axis=0)
    Vouch.objects.bulk_create(
        [
            Vouch(community=community, voucher_id=int(a), vouchee_id=int(b))
            for a, b in ids[pairs].tolist()
            if a != b
        ],
        batch_size=BATCH,
    )
    _exchanges(community, ids[attack.ex_author], ids[attack.ex_helper])
    return community, memberships


def _exchanges(community: Community, authors: np.ndarray, helpers: np.ndarray) -> None:
    due = timezone.now() - dt.timedelta(days=3)
    needs = Need.objects.bulk_create(
        [
            Need(community=community, author_id=int(a), title="Help", status="done")
            for a in authors.tolist()
        ],
        batch_size=BATCH,
    )
    Commitment.objects.bulk_create(
        [
            Commitment(
                need=need,
                helper_id=int(h),
                status="confirmed",
                due_at=due,
                release_at=due,
                done_marked_at=due - dt.timedelta(hours=1),
                confirmed_at=due,
            )
            for need, h in zip(needs, helpers.tolist(), strict=True)
        ],
        batch_size=BATCH,
    )


def shares(memberships: list[Membership], honest: int) -> tuple[float, list[str], dict]:
    """The fakes' share of the trust mass, the levels they reached, and every score row."""
    rows = {
        pk: (score, level)
        for pk, score, level in TrustScore.objects.filter(
            membership__community_id=memberships[0].community_id
        ).values_list("membership_id", "score", "level")
    }
    total = sum(score for score, _level in rows.values())
    fakes = [m.pk for m in memberships[honest:]]
    return sum(rows[f][0] for f in fakes) / total, [rows[f][1] for f in fakes], rows


def vouch_counts(community: Community) -> dict[int, int]:
    """Live vouches received per user: what a plain vouch count would rank by."""
    return dict(
        Vouch.objects.filter(community=community, revoked_at__isnull=True)
        .values("vouchee_id")
        .annotate(c=Count("id"))
        .values_list("vouchee_id", "c")
    )
