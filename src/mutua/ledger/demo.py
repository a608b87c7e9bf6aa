"""The demo community keeps a ledger: its months of confirmed exchanges become transfers.

`build_ledger(community)` is called by the demo builder after `build_exchanges`. It turns the
ledger on (as the steward), marks the two members who asked for help most often as supported
by the fund (as a coordinator, audit-logged), then records every confirmed exchange in the
order it was confirmed, with the time it was confirmed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from mutua.communities.models import Community, Membership
from mutua.exchange.models import Commitment, Need
from mutua.ledger.models import Transfer
from mutua.ledger.services import (
    account_set_supported,
    ledger_configure,
    ledger_record_exchange,
)

SUPPORTED = 2


def _staff(community: Community, roles: tuple[str, ...]):
    m = (
        Membership.objects.filter(community=community, status="active", role__in=roles)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return m.user if m else None


def build_ledger(community: Community) -> dict:
    steward = _staff(community, ("steward",))
    if steward is None:
        return {"transfers": 0, "supported": 0}
    ledger_configure(actor=steward, community=community, is_enabled=True)
    coordinator = _staff(community, ("coordinator", "steward"))
    askers = (
        Need.objects.filter(community=community, author__isnull=False)
        .values("author")
        .annotate(n=Count("id"))
        .order_by("-n", "author")[:SUPPORTED]
    )
    supported = 0
    for row in askers:
        member = Membership.objects.get(community=community, user_id=row["author"]).user
        account_set_supported(
            actor=coordinator,
            community=community,
            member=member,
            is_supported=True,
            reason="Receives from the community fund for now (demo).",
        )
        supported += 1
    confirmed = (
        Commitment.objects.filter(need__community=community, status="confirmed")
        .select_related("need__community", "need__author", "helper")
        .order_by("confirmed_at", "id")
    )
    for commitment in confirmed.iterator(chunk_size=200):
        with transaction.atomic():
            ledger_record_exchange(commitment=commitment)
    return {
        "transfers": Transfer.objects.filter(community=community).count(),
        "supported": supported,
    }
