"""The database refuses to edit entries; `mutua ledger verify` catches a tampered balance."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from mutua.ledger.models import Account, Entry, Transfer
from mutua.ledger.services import account_for, transfer_reverse, transfer_send


@pytest.fixture
def sent(ledger):
    return transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=45
    )


def test_the_database_refuses_to_update_an_entry(sent):
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(transfer=sent).update(amount=1)
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-45, 45]


def test_the_database_refuses_to_delete_an_entry(sent):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_entry")
    assert Entry.objects.count() == 2


def test_verify_is_clean_after_transfers_and_reversals(ledger, sent, capsys):
    transfer_reverse(actor=ledger.coordinator, transfer=sent, reason="wrong person")
    call_command("ledger", "verify")
    assert "verified" in capsys.readouterr().out


def test_verify_catches_a_balance_edited_behind_the_ledgers_back(ledger, sent, capsys):
    # given someone edits a cached balance directly
    account = account_for(ledger.community, ledger.caller)
    Account.objects.filter(pk=account.pk).update(balance=500)
    # when verify runs, then it fails and names the account
    with pytest.raises(CommandError):
        call_command("ledger", "verify")
    err = capsys.readouterr().err
    assert f"account {account.pk}" in err and "500" in err


def test_verify_catches_a_reversal_pointing_nowhere(ledger, sent, capsys):
    # a reversal marker on a transfer that is not a reversal is a discrepancy
    other = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=5
    )
    Transfer.objects.filter(pk=other.pk).update(reverses=sent)
    with pytest.raises(CommandError):
        call_command("ledger", "verify")
    assert f"transfer {other.pk}" in capsys.readouterr().err
