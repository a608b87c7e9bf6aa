"""Property: whatever sequence of sends, exchanges, gifts, records, corrections, limit changes
and block/flag switches, the ledger holds.

After every step: zero-sum per community; every balance equals the sum of its entries. For every
transfer written, checked against the balances and limits just before it (read from the
database, not from any cache): it is flagged exactly when it passed a limit; where the community
blocks, no transfer but a correction passes a floor, and none but help credited (an exchange)
or a correction passes a ceiling. Corrections are never refused by a limit.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mutua.core.errors import Conflict
from mutua.exchange import services as exchange
from mutua.ledger import engine
from mutua.ledger.models import Account, Entry, LedgerSettings, Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.ledger.services import (
    LimitReached,
    account_for,
    account_set_limits,
    fund_for,
    fund_gift,
    ledger_configure,
    ledger_reverse_exchange,
    transfer_record,
    transfer_reverse,
    transfer_send,
)
from mutua.ledger.services.common import forget_settings, limits_of

PEOPLE = 4  # steward, coordinator, caller, member; index 4 is the fund in records
person = st.integers(0, PEOPLE - 1)
minutes = st.integers(1, 400)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("send"), person, person, minutes),
        st.tuples(st.just("record"), st.integers(0, PEOPLE), st.integers(0, PEOPLE), minutes),
        st.tuples(st.just("gift"), person, st.just(0), minutes),
        st.tuples(st.just("exchange"), person, person, st.integers(1, 24)),  # quarter hours
        st.tuples(st.just("reverse"), st.integers(0, 50), st.just(0), st.just(0)),
        st.tuples(st.just("dispute"), st.integers(0, 50), st.booleans(), st.just(0)),
        st.tuples(st.just("limit"), person, st.integers(-900, 0), st.integers(0, 900)),
        st.tuples(
            st.just("community"), st.integers(-900, 0), st.integers(0, 3000), st.integers(-900, 0)
        ),
        st.tuples(st.just("mode"), st.booleans(), st.just(0), st.just(0)),
    ),
    max_size=20,
)


def _state(community):
    """Balances and limits as the database has them now (never the cached settings)."""
    ledger = LedgerSettings.objects.get(community=community)
    accounts = list(Account.objects.filter(community=community))
    return (
        ledger.breach_mode,
        {a.pk: a.balance for a in accounts},
        {a.pk: limits_of(a, ledger) for a in accounts},
    )


def _check_new_transfers(community, before, last_pk: int) -> None:
    mode, balances, limits = before
    for transfer in Transfer.objects.filter(community=community, pk__gt=last_pk).order_by("pk"):
        legs = dict(transfer.entries.values_list("account_id", "amount"))
        found = engine.breaches(balances, legs, limits)
        assert transfer.is_flagged == bool(found), (transfer.kind, found)
        if mode == engine.BLOCK and transfer.kind != "reversal":
            blocking = {"floor"} if transfer.kind == "exchange" else {"floor", "ceiling"}
            assert not [b for b in found if b.limit in blocking], (transfer.kind, found)
        balances = engine.apply(balances, legs) | {
            k: v for k, v in balances.items() if k not in legs
        }


def _exchange(ledger, people, a: int, b: int, quarters: int):
    need = exchange.need_post(
        actor=people[a], community=ledger.community, title="Help", allow_self_assign=True
    )
    commitment = exchange.need_self_assign(helper=people[b], need=need)
    commitment = exchange.commitment_mark_done(
        actor=people[b], commitment=commitment, hours=Decimal(quarters) / 4
    )
    return exchange.commitment_confirm(actor=people[a], commitment=commitment)


def _step(ledger, people, commitments, op) -> None:
    kind, a, b, c = op
    community, coordinator = ledger.community, ledger.coordinator
    who = [*people, None]
    if kind == "send" and a != b:
        transfer_send(actor=people[a], community=community, recipient=people[b], minutes=c)
    elif kind == "record" and a != b:
        transfer_record(
            actor=coordinator,
            community=community,
            payers=[(who[a], c)],
            payees=[(who[b], c)],
            reason="property",
        )
    elif kind == "gift":
        fund_gift(actor=people[a], community=community, minutes=c)
    elif kind == "exchange" and a != b:
        commitments.append(_exchange(ledger, people, a, b, c))
    elif kind == "reverse":
        candidates = list(
            Transfer.objects.exclude(kind="reversal").filter(reversed_by__isnull=True)
        )
        if candidates:  # a correction is never refused by a limit: no LimitReached here
            transfer_reverse(
                actor=coordinator, transfer=candidates[a % len(candidates)], reason="property"
            )
    elif kind == "dispute" and commitments:
        commitment = commitments[a % len(commitments)]
        reason = "disputed" if b else "no-show reported"
        first = ledger_reverse_exchange(commitment=commitment, actor=coordinator, reason=reason)
        again = ledger_reverse_exchange(commitment=commitment, actor=coordinator)
        # idempotent: the second call returns the first correction (None when nothing moved)
        assert getattr(first, "pk", None) == getattr(again, "pk", None)
    elif kind == "limit":
        account_set_limits(
            actor=coordinator,
            community=community,
            member=people[a],
            floor_minutes=b,
            ceiling_minutes=c,
            reason="property",
        )
    elif kind == "community":
        ledger_configure(
            actor=coordinator,
            community=community,
            floor_minutes=a,
            ceiling_minutes=b,
            fund_floor_minutes=c,
        )
    elif kind == "mode":
        ledger_configure(
            actor=ledger.steward, community=community, breach_mode="flag" if a else "block"
        )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_keeps_the_ledger_balanced_and_within_blocking_limits(ledger, ops):
    community = ledger.community
    # The fixture's community object outlives each example's rollback: forget its cached
    # settings, or limits changed (and rolled back) in one example would leak into the next.
    forget_settings(community)
    try:
        with transaction.atomic():
            people = [ledger.steward, ledger.coordinator, ledger.caller, ledger.member]
            for p in people:
                account_for(community, p)
            fund_for(community)
            commitments: list = []
            for op in ops:
                before = _state(community)
                last = Transfer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                try:
                    with transaction.atomic():
                        _step(ledger, people, commitments, op)
                    event(f"{op[0]} done")  # --hypothesis-show-statistics
                except LimitReached:
                    assert op[0] not in ("reverse", "dispute")  # corrections always go through
                    event(f"{op[0]} refused at a limit")
                except Conflict:
                    event(f"{op[0]} refused")  # e.g. the ledger is asked to reverse a correction
                _check_new_transfers(community, before, last)
                total = Entry.objects.filter(account__community=community).aggregate(
                    s=Sum("amount")
                )
                assert (total["s"] or 0) == 0
                for account in Account.objects.filter(community=community):
                    summed = account.entries.aggregate(s=Sum("amount"))["s"] or 0
                    assert account.balance == summed
            assert ledger_verify() == []
            transaction.set_rollback(True)
    finally:
        forget_settings(community)


def test_limits_changed_in_a_rolled_back_transaction_are_not_remembered(ledger):
    # given a limit change that is rolled back
    community = ledger.community
    with transaction.atomic():
        ledger_configure(actor=ledger.coordinator, community=community, floor_minutes=-60)
        transaction.set_rollback(True)
    forget_settings(community)  # what the property test does between examples
    # then the next transfer sees the floor the database has (-10 hours), not -1 hour
    transfer_send(actor=ledger.member, community=community, recipient=ledger.caller, minutes=120)
    assert Account.objects.get(pk=account_for(community, ledger.member).pk).balance == -120
