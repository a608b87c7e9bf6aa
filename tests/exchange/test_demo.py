"""The demo history is made through the services and looks like six months of life."""

from __future__ import annotations

import random

from mutua.exchange.demo import build_exchanges
from mutua.exchange.models import Commitment, Need, Offer, StandingArrangement
from tests.exchange.helpers import new_member


def test_build_exchanges_makes_history_and_open_needs(cast):
    members = [new_member(cast.community, f"Neighbour {i}") for i in range(6)]
    counts = build_exchanges(cast.community, members, random.Random(3))
    assert counts["exchanges"] > 20
    assert Commitment.objects.filter(status="confirmed").count() == counts["exchanges"]
    assert Need.objects.filter(status="open").exists()
    assert Offer.objects.count() == counts["offers"] > 0
    assert StandingArrangement.objects.count() == counts["arrangements"] > 0
