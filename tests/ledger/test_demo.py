"""The demo's confirmed exchanges become transfers, and `verify` is clean on them."""

from __future__ import annotations

import random

from django.core.management import call_command

from mutua.communities.models import Community
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


def test_the_real_demo_builder_records_the_ledger_and_verifies_clean(db, capsys):
    # given the demo exactly as `mutua demo` builds it, at a small size to fit the suite
    from mutua.demo.builder import build_demo

    build_demo(seed=7, size=30)
    riverside = Community.objects.get(slug="riverside")
    # then every confirmed exchange there is a transfer, two members are supported,
    confirmed = Commitment.objects.filter(need__community=riverside, status="confirmed").count()
    assert confirmed > 0
    assert Transfer.objects.filter(community=riverside, kind="exchange").count() == confirmed
    assert Account.objects.filter(community=riverside, is_supported=True).count() == 2
    # and `mutua ledger verify` is clean
    call_command("ledger", "verify")
    assert "verified" in capsys.readouterr().out
