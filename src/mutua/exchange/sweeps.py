"""Sweeps: pure functions of the clock over indexed due fields; running one twice is harmless.

Each claims due rows in batches and handles every row in its own short transaction (SQLite
IMMEDIATE takes the write lock per transaction), re-checking the row under its lock.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mutua.exchange.models import (
    ArrangementStatus,
    Commitment,
    Need,
    Offer,
    StandingArrangement,
)
from mutua.exchange.services import arrangements, completion, offers
from mutua.exchange.services.arrangements import HORIZON

BATCH = 200


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])


def release_stale_commitments(now: dt.datetime | None = None) -> int:
    """Active commitments past due_at + grace are released; helper and coordinators are told."""
    now = now or timezone.now()
    done = 0
    for pk in _ids(Commitment.objects.filter(status="active", release_at__lte=now)):
        with transaction.atomic():
            done += completion.release_stale(Commitment(pk=pk, need_id=_need_id(pk)), now)
    return done


def _need_id(commitment_pk: int) -> int:
    return Commitment.objects.values_list("need_id", flat=True).get(pk=commitment_pk)


def auto_confirm_commitments(now: dt.datetime | None = None) -> int:
    """Help marked done and not confirmed within the community's N days confirms itself."""
    now = now or timezone.now()
    done = 0
    for pk in _ids(Commitment.objects.filter(status="done_pending", auto_confirm_at__lte=now)):
        with transaction.atomic():
            done += completion.auto_confirm(Commitment(pk=pk, need_id=_need_id(pk)), now)
    return done


def remind_expiring_offers(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    due = Offer.objects.filter(status="open", reminded_at__isnull=True, remind_at__lte=now)
    for pk in _ids(due):
        with transaction.atomic():
            done += offers.remind_expiring(Offer(pk=pk), now)
    return done


def expire_offers(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        return Offer.objects.filter(status="open", expires_at__lte=now).update(
            status="expired", updated_at=now
        )


def expire_needs(now: dt.datetime | None = None) -> int:
    """Needs nobody took by their expiry close as expired (partly taken ones keep their helpers)."""
    now = now or timezone.now()
    with transaction.atomic():
        return Need.objects.filter(status="open", expires_at__lte=now).update(
            status="expired", status_changed_at=now, updated_at=now
        )


def materialise_arrangements(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    due = StandingArrangement.objects.filter(
        status=ArrangementStatus.ACTIVE, materialised_until__lt=now + HORIZON
    )
    # Every active arrangement falls due again each hour (its horizon moves with the clock), so
    # walk all of them in batches by id: taking only the first batch would starve the rest.
    last = 0
    while ids := _ids(due.filter(pk__gt=last)):
        for pk in ids:
            done += arrangements.arrangement_materialise(StandingArrangement(pk=pk), now)
        last = ids[-1]
    return done


def run_all(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "released": release_stale_commitments(now),
        "auto_confirmed": auto_confirm_commitments(now),
        "offers_reminded": remind_expiring_offers(now),
        "offers_expired": expire_offers(now),
        "needs_expired": expire_needs(now),
        "occurrences": materialise_arrangements(now),
    }
