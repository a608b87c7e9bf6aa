"""The care sweep: claims plans whose `next_due_at` has come, advances each, records a heartbeat.

Idempotent (steps are driven by the stored state and every message has a dedupe key), catches
up after downtime, and safe with two workers: PostgreSQL rows are claimed with SKIP LOCKED;
SQLite serialises writers (IMMEDIATE transactions). Messages go to the outbox in the same
transaction as the state change.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from mutua.care import notifications as kinds
from mutua.care.health import HEARTBEAT
from mutua.care.models import CarePlan, CareSettings
from mutua.care.services.circle import plan_flag_refresh
from mutua.care.services.common import context, coordinators
from mutua.care.services.ladder import plan_advance
from mutua.core.health import heartbeat_record

logger = logging.getLogger(__name__)

BATCH = 500
FLAG_EVERY = dt.timedelta(days=1)


@dataclass
class SweepReport:
    plans: int = 0
    steps: int = 0
    failed: int = 0
    flags: int = 0


def _claim(now: dt.datetime, batch: int, skip: set[int]) -> list[CarePlan]:
    qs = CarePlan.objects.filter(next_due_at__lte=now).exclude(pk__in=skip).order_by("next_due_at")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    plans = list(qs.select_related("community", "person__profile", "current_alert")[:batch])
    # One query per batch for the communities' drill switch, instead of one per plan.
    if not plans:
        return plans
    drilling = set(
        CareSettings.objects.filter(
            community_id__in={p.community_id for p in plans}, is_drill=True
        ).values_list("community_id", flat=True)
    )
    for plan in plans:
        plan.__dict__["_care_drill"] = plan.is_drill or plan.community_id in drilling
    return plans


def _flag_reminders(now: dt.datetime, batch: int) -> int:
    done = 0
    with transaction.atomic():
        qs = CarePlan.objects.filter(is_flagged=True, flag_remind_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        for plan in qs.select_related("community", "person__profile")[:batch]:
            plan_flag_refresh(plan, now=now)  # mended meanwhile, or trust came back
            if not plan.is_flagged:
                continue
            for user in coordinators(plan.community):
                kinds.notify(
                    user,
                    kinds.FLAGGED,
                    context(plan, reason=plan.flag_reason),
                    community=plan.community,
                    dedupe_key=f"care:{plan.pk}:flag:{plan.flag_remind_at:%Y%m%d%H%M}",
                )
            plan.flag_remind_at = now + FLAG_EVERY
            plan.save(update_fields=["flag_remind_at", "updated_at"])
            done += 1
    return done


def care_sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> SweepReport:
    """Advance every due plan, in batches of `batch` per transaction."""
    now = now or timezone.now()
    report = SweepReport()
    failed: set[int] = set()
    while True:
        with transaction.atomic():
            plans = _claim(now, batch, failed)
            for plan in plans:
                try:
                    with transaction.atomic():
                        report.steps += plan_advance(plan, now=now)
                    report.plans += 1
                except Exception:
                    logger.exception("care sweep could not advance plan %s", plan.pk)
                    failed.add(plan.pk)
                    report.failed += 1
        if len(plans) < batch:
            break
    report.flags = _flag_reminders(now, batch)
    heartbeat_record(name=HEARTBEAT, now=now)
    return report
