"""Property: whatever sequence of transfers, reversals and limit changes, the ledger holds.

Zero-sum per community; every balance equals the sum of its entries; no transfer moves a
balance past a blocking floor.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.core.errors import Conflict
from mutua.ledger.models import Account, Entry, Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.ledger.services import (
    LimitReached,
    account_for,
    account_set_limits,
    fund_for,
    ledger_configure,
    transfer_record,
    transfer_reverse,
)

PEOPLE = 5  # four members and the fund (index 4)
transfer_op = st.tuples(
    st.just("transfer"),
    st.integers(0, PEOPLE - 1),
    st.integers(0, PEOPLE - 1),
    st.integers(1, 400),
)
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 50), st.just(0), st.just(0))
limit_op = st.tuples(st.just("limit"), st.integers(0, 3), st.integers(-900, 0), st.integers(0, 900))
community_limit_op = st.tuples(
    st.just("community"), st.integers(-900, 0), st.integers(0, 3000), st.integers(-900, 0)
)
operations = st.lists(
    st.one_of(transfer_op, transfer_op, reverse_op, limit_op, community_limit_op), max_size=25
)


def _floor(account: Account, community) -> int:
    from mutua.ledger.services.common import limits_of, settings_for

    return limits_of(account, settings_for(community)).floor


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_keeps_the_ledger_balanced_and_within_blocking_floors(ledger, ops):
    with transaction.atomic():
        community = ledger.community
        people = [ledger.steward, ledger.coordinator, ledger.caller, ledger.member]
        accounts = [account_for(community, p) for p in people] + [fund_for(community)]
        who = [*people, None]
        for op, a, b, c in ops:
            try:
                if op == "transfer" and a != b:
                    transfer = transfer_record(
                        actor=ledger.coordinator,
                        community=community,
                        payers=[(who[a], c)],
                        payees=[(who[b], c)],
                        reason="property",
                    )
                    payer = Account.objects.get(pk=accounts[a].pk)
                    if not transfer.is_flagged:
                        # then the payer is within the floor that applied
                        assert payer.balance >= _floor(payer, community)
                elif op == "reverse":
                    candidates = list(
                        Transfer.objects.exclude(kind="reversal").filter(reversed_by__isnull=True)
                    )
                    if candidates:
                        transfer_reverse(
                            actor=ledger.coordinator,
                            transfer=candidates[a % len(candidates)],
                            reason="property",
                        )
                elif op == "limit":
                    account_set_limits(
                        actor=ledger.coordinator,
                        community=community,
                        member=people[a],
                        floor_minutes=b,
                        ceiling_minutes=c,
                        reason="property",
                    )
                elif op == "community":
                    ledger_configure(
                        actor=ledger.coordinator,
                        community=community,
                        floor_minutes=a,
                        ceiling_minutes=b,
                        fund_floor_minutes=c,
                    )
            except (LimitReached, Conflict):
                pass  # a refusal changes nothing; the invariants below still hold
            # invariants after every step
            total = Entry.objects.filter(account__community=community).aggregate(s=Sum("amount"))
            assert (total["s"] or 0) == 0
            for account in Account.objects.filter(community=community):
                summed = account.entries.aggregate(s=Sum("amount"))["s"] or 0
                assert account.balance == summed
        assert ledger_verify() == []
        transaction.set_rollback(True)
