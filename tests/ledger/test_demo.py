"""The demo's confirmed exchanges become transfers, and `verify` is clean on them."""

from __future__ import annotations

import random

from django.core.management import call_command

from mutua.exchange.demo import build_exchanges
from mutua.exchange.models import Commitment
from mutua.ledger.demo import build_ledger
from mutua.ledger.models import Account, Transfer
from tests.factories import add_member


def test_the_demo_records_every_confirmed_exchange_and_verifies_clean(cast, capsys):
    members = [cast.member, cast.caller, cast.coordinator] + [
        add_member(cast.community).user for _ in range(5)
    ]
    build_exchanges(cast.community, members, random.Random(3))
    # the exchanges were confirmed while the ledger was off: nothing recorded yet
    assert not Transfer.objects.exists()
    result = build_ledger(cast.community)
    confirmed = Commitment.objects.filter(status="confirmed").count()
    assert confirmed > 0
    assert result["transfers"] == confirmed
    assert result["supported"] == 2
    assert Account.objects.filter(is_supported=True).count() == 2
    # transfers carry the time the help was confirmed
    first = Commitment.objects.filter(status="confirmed").order_by("confirmed_at").first()
    assert Transfer.objects.order_by("created_at").first().created_at == first.confirmed_at
    call_command("ledger", "verify")
    assert "verified" in capsys.readouterr().out
