"""The demo history is made through the services and looks like six months of life: the
ordinary help and the rarer turns it takes."""

from __future__ import annotations

import random

from django.db.models import Q

from mutua.exchange.demo import build_exchanges
from mutua.exchange.models import (
    Commitment,
    Expense,
    Need,
    Offer,
    Response,
    StandingArrangement,
)
from tests.exchange.helpers import new_member
from tests.factories import make_area


def _build(cast, seed: int = 3) -> dict:
    make_area(cast.community, "North")
    members = [new_member(cast.community, f"Neighbour {i}") for i in range(8)]
    return build_exchanges(cast.community, members, random.Random(seed))


def test_build_exchanges_makes_history_and_open_needs(cast):
    counts = _build(cast)
    assert counts["exchanges"] > 20
    assert Commitment.objects.filter(status="confirmed").count() >= counts["exchanges"]
    assert Need.objects.filter(status="open").exists()
    assert Offer.objects.count() == counts["offers"] > 0


def test_the_demo_shows_every_turn_help_takes(cast):
    counts = _build(cast)
    assert Response.objects.filter(status="accepted").exists()
    assert Need.objects.filter(author__isnull=True, consent_recorded_at__isnull=False).count() == 3
    assert Commitment.objects.filter(no_show_reported_at__isnull=False).count() == 1
    assert Commitment.objects.filter(status="released", end_reason__contains="due time").exists()
    assert Commitment.objects.filter(follow_up=True).count() >= 3  # no-show, request, dispute
    assert Commitment.objects.filter(disputed_at__isnull=False).count() == 1
    assert Need.objects.filter(service_area__isnull=False).exists()
    assert Need.objects.filter(status="expired").count() == counts["expired"] == 2
    assert Need.objects.filter(status__in=["cancelled", "not_needed"]).count() >= 2
    assert Expense.objects.filter(repaid_at__isnull=False).exists()
    active = StandingArrangement.objects.filter(status="active")
    assert active.count() == counts["arrangements"] == 2
    assert StandingArrangement.objects.filter(status="pending").count() == 1
    assert Need.objects.filter(arrangement__in=active, status="committed").exists()
    assert not Need.objects.filter(~Q(category=""), ~Q(category__in=_categories(cast))).exists()


def _categories(cast) -> list[str]:
    from mutua.exchange.services.common import settings_for

    return settings_for(cast.community).categories


def test_the_same_seed_builds_the_same_history(db):
    from tests.factories import make_community, make_user

    histories = []
    for name in ("First", "Second"):
        community = make_community(make_user(f"{name} Steward"))
        new_member(community, f"{name} Coordinator", role="coordinator")
        members = [new_member(community, f"{name} {i}") for i in range(8)]
        counts = build_exchanges(community, members, random.Random(5))
        rows = Need.objects.filter(community=community).order_by("pk")
        histories.append((counts, list(rows.values_list("title", "status", "urgency"))))
    assert histories[0] == histories[1]
