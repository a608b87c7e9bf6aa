"""Ledger arithmetic, without Django: balancing legs, limit checks, verification.

Amounts are whole minutes. A transfer is a mapping of account key -> signed amount whose values
sum to zero. Limits apply only in the direction a leg moves a balance: a payment is checked
against the floor, a credit against the ceiling, so a transfer that brings a balance back
towards zero is never refused.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

BLOCK, FLAG = "block", "flag"


class Unbalanced(ValueError):
    """The legs of a transfer do not sum to zero, or a leg is zero or not whole."""


@dataclass(frozen=True)
class Limits:
    floor: int | None  # None: no floor
    ceiling: int | None  # None: no ceiling


@dataclass(frozen=True)
class Breach:
    key: Hashable
    limit: str  # "floor" or "ceiling"
    balance_after: int
    bound: int


def merge_legs(legs: Iterable[tuple[Hashable, int]]) -> dict[Hashable, int]:
    """Add legs on the same account together and check that the result balances."""
    merged: dict[Hashable, int] = {}
    for key, amount in legs:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise Unbalanced("amounts are whole minutes")
        merged[key] = merged.get(key, 0) + amount
    merged = {k: v for k, v in merged.items() if v != 0}
    if len(merged) < 2:
        raise Unbalanced("a transfer moves credits between at least two accounts")
    if sum(merged.values()) != 0:
        raise Unbalanced("the legs of a transfer must sum to zero")
    return merged


def breaches(
    balances: Mapping[Hashable, int],
    legs: Mapping[Hashable, int],
    limits: Mapping[Hashable, Limits],
) -> list[Breach]:
    """Which legs would move a balance past its floor (paying) or ceiling (receiving)."""
    found = []
    for key, amount in legs.items():
        after = balances[key] + amount
        limit = limits.get(key, Limits(None, None))
        if amount < 0 and limit.floor is not None and after < limit.floor:
            found.append(Breach(key, "floor", after, limit.floor))
        if amount > 0 and limit.ceiling is not None and after > limit.ceiling:
            found.append(Breach(key, "ceiling", after, limit.ceiling))
    return found


def apply(balances: Mapping[Hashable, int], legs: Mapping[Hashable, int]) -> dict[Hashable, int]:
    return {key: balances[key] + amount for key, amount in legs.items()}


def reverse_legs(legs: Mapping[Hashable, int]) -> dict[Hashable, int]:
    return {key: -amount for key, amount in legs.items()}


def split_given_received(amounts: Iterable[int]) -> tuple[int, int]:
    """Minutes credited (help given) and minutes debited (help received), both positive."""
    given = received = 0
    for amount in amounts:
        if amount > 0:
            given += amount
        else:
            received -= amount
    return given, received


def find_discrepancies(
    *,
    cached: Mapping[int, int],
    summed: Mapping[int, int],
    community_of: Mapping[int, int],
    unbalanced_transfers: Mapping[int, int],
    bad_reversals: Iterable[int],
) -> list[str]:
    """Every way the stored ledger disagrees with its entries, in words naming where."""
    problems = []
    for account, balance in sorted(cached.items()):
        total = summed.get(account, 0)
        if balance != total:
            problems.append(
                f"account {account} (community {community_of.get(account)}): stored balance "
                f"{balance} but its entries sum to {total}"
            )
    for account in sorted(set(summed) - set(cached)):
        problems.append(f"entries point at account {account}, which does not exist")
    per_community: dict[int, int] = {}
    for account, total in summed.items():
        community = community_of.get(account, -1)
        per_community[community] = per_community.get(community, 0) + total
    for community, total in sorted(per_community.items()):
        if total != 0:
            problems.append(f"community {community}: entries sum to {total}, not zero")
    for transfer, total in sorted(unbalanced_transfers.items()):
        problems.append(f"transfer {transfer}: entries sum to {total}, not zero")
    for transfer in sorted(bad_reversals):
        problems.append(f"transfer {transfer}: a reversal that does not point at a real transfer")
    return problems
