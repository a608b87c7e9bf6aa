"""Trust for the demo community: vouches and a visit in person, so every level appears.

`build_trust(community)` is called by the demo builder after the exchanges exist (kept help is
evidence too). Everything goes through the services, so the demo keeps the rules members meet:
only members with standing vouch, at most the monthly limit each. Trust spreads in rounds, as it
would over weeks: the stewards vouch first, the people they vouched for become known and vouch
in turn. The last third of the members is left without vouches, so "new" appears too. It
returns how many members are at each level.
"""

from __future__ import annotations

import contextlib

from mutua.communities.models import Community, Membership
from mutua.core.errors import Conflict, DomainError, PermissionDenied
from mutua.trust import engine, services
from mutua.trust.models import TrustScore
from mutua.trust.recompute import trust_recompute

NOTES = ("We run the food bank shift together.", "Neighbour for years.", "Helped my mum often.")
WANTED = 2  # vouches each vouched-for member should end with (two backers: trusted is possible)
ROUNDS = 8


def _levels(community: Community) -> dict[str, list]:
    found: dict[str, list] = {lvl: [] for lvl in engine.LEVELS}
    for score in TrustScore.objects.filter(
        membership__community=community, membership__status="active"
    ).select_related("membership__user"):
        found[score.level].append(score.membership)
    return found


def _with_standing(community: Community, members: list[Membership]) -> list:
    ranked = dict(
        TrustScore.objects.filter(membership__community=community).values_list(
            "membership_id", "level"
        )
    )
    return [
        m.user for m in members if m.role == "steward" or ranked.get(m.pk, engine.NEW) != engine.NEW
    ]


def _round(community: Community, vouchers: list, targets: list, given: dict, spent: set) -> int:
    """Each voucher with standing vouches for the targets who have fewest vouches so far."""
    made = 0
    for voucher in vouchers:
        if voucher.pk in spent:
            continue
        for target in sorted(targets, key=lambda t: len(given[t.pk])):
            if len(given[target.pk]) >= WANTED:
                break
            if target.pk == voucher.pk or voucher.pk in given[target.pk]:
                continue
            try:
                services.vouch_create(
                    voucher=voucher,
                    vouchee=target,
                    community=community,
                    note=NOTES[(made + target.pk) % len(NOTES)],
                )
            except Conflict:  # this month's vouches are used up
                spent.add(voucher.pk)
                break
            except PermissionDenied:  # not known yet: maybe next round
                break
            given[target.pk].add(voucher.pk)
            made += 1
    return made


def build_trust(community: Community) -> dict[str, int]:
    """Vouch so that the demo shows new, known and trusted members; then compute trust."""
    members = list(
        Membership.objects.filter(community=community, status="active")
        .select_related("user")
        .order_by("id")
    )
    stewards = [m for m in members if m.role == "steward"]
    others = [m for m in members if m.role != "steward"]
    trust_recompute(community)  # gates apply from here: only members with standing vouch
    if not stewards or len(others) < 3:
        return {k: len(v) for k, v in _levels(community).items()}
    # Coordinators first, so the people who run the community are known early and vouch too.
    others.sort(key=lambda m: (m.role != "coordinator", m.pk))
    targets = [m.user for m in others[: max(2, (len(others) * 2) // 3)]]
    coordinator = next((m.user for m in members if m.role == "coordinator"), None)
    if coordinator is not None and targets[-1].pk != coordinator.pk:
        # A refusal (the community asks staff for two-factor sign-in) only leaves it out.
        with contextlib.suppress(DomainError):
            services.verification_set(
                actor=coordinator, community=community, user=targets[-1], met_in_person=True
            )
    given: dict[int, set[int]] = {t.pk: set() for t in targets}
    spent: set[int] = set()
    for _round_number in range(ROUNDS):
        vouchers = _with_standing(community, members)
        made = _round(community, vouchers, targets, given, spent)
        trust_recompute(community)
        if not made or all(len(v) >= WANTED for v in given.values()):
            break
    return {k: len(v) for k, v in _levels(community).items()}
