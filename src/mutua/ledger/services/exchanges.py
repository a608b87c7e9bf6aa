"""Confirmed exchanges become transfers; a no-show or dispute within the window reverses them.

The exchange services call these with one line each. Where the community keeps no ledger,
nothing happens. A ledger refusal never undoes the help itself: it is recorded from the fund,
or left for coordinators, and the exchange goes on. Credit past the helper's ceiling is never
refused either; the transfer is flagged so coordinators see the helper "could be asked".
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from mutua.core.audit import audit_record
from mutua.ledger.models import Account, Transfer
from mutua.ledger.services.common import (
    LimitReached,
    account_for,
    fund_for,
    settings_for,
)
from mutua.ledger.services.posting import BLOCK_FLOOR, post
from mutua.ledger.services.transfers import existing_reversal, reverse

if TYPE_CHECKING:
    from mutua.exchange.models import Commitment

ONE_CREDIT = 60


def exchange_minutes(commitment: Commitment) -> int:
    """The hours the helper gave, in minutes; one credit when nobody wrote the hours down."""
    hours = commitment.hours
    if hours is None or hours <= 0:
        return ONE_CREDIT
    return max(1, int((Decimal(hours) * 60).to_integral_value()))


def _source(commitment: Commitment) -> str:
    return f"commitment:{commitment.public_id}"


def ledger_record_exchange(*, commitment: Commitment) -> Transfer | None:
    """From the person helped to the helper; from the fund when they have no account, are
    supported, or would pass their floor. Each helper of a group need is credited separately."""
    need = commitment.need
    community = need.community
    if not settings_for(community).is_enabled:
        return None
    minutes = exchange_minutes(commitment)
    helper = account_for(community, commitment.helper)
    payer: Account | None = None
    if need.author_id is not None and need.author_id != commitment.helper_id:
        payer = account_for(community, need.author)
        if payer.is_supported:
            payer = None
    common = {
        "community": community,
        "kind": "exchange",
        "created_by": None,
        "reason": need.title[:300],
        "source": _source(commitment),
        "blocks": BLOCK_FLOOR,  # help already given is never refused its credit
        "at": commitment.confirmed_at,
    }
    if payer is not None:
        try:
            with transaction.atomic():
                return post(legs=[(payer, -minutes), (helper, minutes)], **common)
        except LimitReached:
            pass  # the fund steps in, without a word to anyone about it
    try:
        with transaction.atomic():
            return post(legs=[(fund_for(community), -minutes), (helper, minutes)], **common)
    except LimitReached:
        audit_record(
            actor=None,
            action="ledger.exchange_unrecorded",
            community=community,
            target=commitment,
            reason="the community fund is at its floor",
        )
        return None


NO_SHOW = "no-show reported"


def ledger_reverse_exchange(
    *, commitment: Commitment, actor=None, reason: str = NO_SHOW
) -> Transfer | None:
    """Reverse the exchange's transfer after a no-show or a dispute within the window.

    Always goes through (a correction restores the balances from before; no limit refuses it)
    and is flagged when it leaves someone past a limit. Idempotent: a second call, for the
    same or another reason, returns the first correction and moves nothing. None where the
    community keeps no ledger or the exchange moved no credits. The caller holds the
    transaction and has checked the actor's rights.
    """
    community = commitment.need.community
    if not settings_for(community).is_enabled:
        return None
    original = Transfer.objects.filter(source=_source(commitment)).first()
    if original is None:
        return None
    earlier = existing_reversal(original)
    if earlier is not None:
        earlier.is_replay = True  # type: ignore[attr-defined]
        return earlier
    with transaction.atomic():
        return reverse(
            transfer=original,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            reason=(reason or "").strip()[:300] or NO_SHOW,
            source=f"reversal:{commitment.public_id}",
        )
