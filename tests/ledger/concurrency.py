"""Many threads paying from one account against one floor (SQLite and PostgreSQL tests)."""

from __future__ import annotations

import threading

from django.db import connection

from mutua.ledger.models import Account, Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.ledger.services import LimitReached, account_for, ledger_configure, transfer_send
from tests.factories import add_member, make_community, make_user


def race_against_the_floor(threads: int) -> None:
    # given a payer 5 hours above a floor of -10 hours... that is, at -5 hours
    steward = make_user("Steward")
    community = make_community(steward)
    ledger_configure(actor=steward, community=community, is_enabled=True)
    payer = add_member(community).user
    recipients = [add_member(community).user for _ in range(threads)]
    transfer_send(actor=payer, community=community, recipient=steward, minutes=300)
    barrier = threading.Barrier(threads)
    results: list[object] = [None] * threads

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[i] = transfer_send(
                actor=payer, community=community, recipient=recipients[i], minutes=60
            )
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    # when every thread sends one hour at the same moment
    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not any(w.is_alive() for w in workers)
    # then exactly five succeed, the rest are refused at the floor, and the ledger is sound
    won = [r for r in results if isinstance(r, Transfer)]
    refused = [r for r in results if isinstance(r, LimitReached)]
    assert len(won) == 5, results
    assert len(refused) == threads - 5, results
    assert Account.objects.get(pk=account_for(community, payer).pk).balance == -600
    assert ledger_verify() == []
