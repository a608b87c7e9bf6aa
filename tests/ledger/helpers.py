"""Small helpers for ledger tests, all through the services."""

from __future__ import annotations

from mutua.ledger.models import Account, Entry
from mutua.ledger.services import account_for


def balance(community, user) -> int:
    return Account.objects.get(pk=account_for(community, user).pk).balance


def entries_sum(account: Account) -> int:
    return sum(Entry.objects.filter(account=account).values_list("amount", flat=True))
