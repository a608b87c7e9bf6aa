"""The ledger on real PostgreSQL: row locks hold a floor under 20 threads; triggers refuse edits."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from mutua.ledger.models import Entry
from mutua.ledger.services import ledger_configure, transfer_send
from tests.factories import add_member, make_community, make_user
from tests.ledger.concurrency import race_against_the_floor

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_sends_never_pass_the_floor_on_postgresql():
    assert connection.vendor == "postgresql"
    race_against_the_floor(20)


@pytest.mark.django_db
def test_postgresql_refuses_to_update_or_delete_an_entry():
    steward = make_user("Steward")
    community = make_community(steward)
    ledger_configure(actor=steward, community=community, is_enabled=True)
    member = add_member(community).user
    transfer_send(actor=member, community=community, recipient=steward, minutes=30)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.all().delete()
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-30, 30]


def _at_once(threads: int, work) -> list[object]:
    import threading

    barrier = threading.Barrier(threads)
    results: list[object] = [None] * threads

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not any(w.is_alive() for w in workers)
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_corrections_of_one_transfer_write_one_on_postgresql():
    from mutua.core.errors import Conflict
    from mutua.ledger.models import Transfer
    from mutua.ledger.selectors import ledger_verify
    from mutua.ledger.services import transfer_reverse

    # given a transfer the recipient has already spent down to the floor
    steward = make_user("Steward")
    community = make_community(steward)
    ledger_configure(actor=steward, community=community, is_enabled=True)
    member, helper = add_member(community).user, add_member(community).user
    sent = transfer_send(actor=member, community=community, recipient=helper, minutes=120)
    transfer_send(actor=helper, community=community, recipient=steward, minutes=720)
    # when ten coordinators correct it at the same moment
    results = _at_once(
        10, lambda i: transfer_reverse(actor=steward, transfer=sent, reason=f"twice {i}")
    )
    # then exactly one correction is written (past the floor, flagged), the rest are told
    won = [r for r in results if isinstance(r, Transfer)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in won), results
    assert won[0].is_flagged
    assert Transfer.objects.filter(reverses=sent).count() == 1
    assert ledger_verify() == []


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_approvals_of_a_request_to_the_fund_pay_once_on_postgresql():
    from mutua.ledger.models import Transfer
    from mutua.ledger.services import fund_request_approve, fund_request_create

    steward = make_user("Steward")
    community = make_community(steward)
    ledger_configure(actor=steward, community=community, is_enabled=True)
    member, helper = add_member(community).user, add_member(community).user
    asked = fund_request_create(actor=member, community=community, recipient=helper, minutes=90)
    results = _at_once(10, lambda i: fund_request_approve(actor=steward, request=asked))
    assert all(getattr(r, "status", None) == "approved" for r in results), results
    assert Transfer.objects.filter(kind="fund_payment").count() == 1
