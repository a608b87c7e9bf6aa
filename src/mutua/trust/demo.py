"""Trust for the demo community: vouches and a visit in person, so every level appears.

`build_trust(community)` is called by the demo builder after the exchanges exist (kept help is
evidence too). It returns how many members are at each level.
"""

from __future__ import annotations

from mutua.communities.models import Community, Membership
from mutua.trust import engine
from mutua.trust.models import TrustScore, Verification, Vouch
from mutua.trust.recompute import trust_recompute

NOTES = ("We run the food bank shift together.", "Neighbour for years.", "Helped my mum often.")


def _vouch(community: Community, voucher, vouchee, note: str = "") -> None:
    if voucher.pk == vouchee.pk:
        return
    Vouch.objects.get_or_create(
        community=community,
        voucher=voucher,
        vouchee=vouchee,
        revoked_at=None,
        defaults={"note": note},
    )


def _levels(community: Community) -> dict[str, list]:
    found: dict[str, list] = {lvl: [] for lvl in engine.LEVELS}
    for score in TrustScore.objects.filter(
        membership__community=community, membership__status="active"
    ).select_related("membership__user"):
        found[score.level].append(score.membership)
    return found


def build_trust(community: Community) -> dict[str, int]:
    """Vouch so that the demo shows new, known and trusted members; then compute trust."""
    members = list(
        Membership.objects.filter(community=community, status="active")
        .select_related("user")
        .order_by("id")
    )
    stewards = [m.user for m in members if m.role == "steward"]
    staff = [m.user for m in members if m.role in ("steward", "coordinator")]
    others = [m.user for m in members if m.role not in ("steward",)]
    if not stewards or len(others) < 3:
        trust_recompute(community)
        return {k: len(v) for k, v in _levels(community).items()}
    # Staff vouch for the first half of the others; the last third stays new (no vouches yet).
    vouched = others[: max(2, (len(others) * 2) // 3)]
    for i, person in enumerate(vouched):
        _vouch(community, staff[i % len(staff)], person, NOTES[i % len(NOTES)])
    coordinators = [m for m in members if m.role == "coordinator"]
    if coordinators and stewards[0].pk != coordinators[0].user_id:
        Verification.objects.get_or_create(
            community=community,
            user=vouched[0],
            revoked_at=None,
            defaults={"verified_by": coordinators[0].user},
        )
    trust_recompute(community)
    # Give the best-placed known members a second backer with standing, until someone is trusted.
    for _round in range(4):
        levels = _levels(community)
        if levels["trusted"] and any(m.role != "steward" for m in levels["trusted"]):
            break
        backers = [m.user for m in levels["known"]] + stewards
        for membership in levels["known"][:3]:
            for backer in backers:
                if backer.pk != membership.user_id:
                    _vouch(community, backer, membership.user)
        trust_recompute(community)
    return {k: len(v) for k, v in _levels(community).items()}
