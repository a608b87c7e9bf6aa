"""The care sweep's dead-man's switch: /health answers 503 when it is stale and plans exist,
and while any plan is stuck (the sweep runs, but cannot move that plan)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from mutua.core.health import heartbeat_age_ok, register_health_check

HEARTBEAT = "care-sweep"


def stale_after_seconds() -> int:
    return int(getattr(settings, "CARE_SWEEP_STALE_AFTER_SECONDS", 300))


def stuck_after() -> dt.timedelta:
    """How long a plan may fail, or wait past its due time, before it counts as stuck."""
    return dt.timedelta(seconds=int(getattr(settings, "CARE_PLAN_STUCK_AFTER_SECONDS", 900)))


def stuck_plans_exist(now: dt.datetime) -> bool:
    """Two indexed look-ups: a plan failing for too long, or a due time long passed."""
    from mutua.care.models import CarePlan

    limit = now - stuck_after()
    return (
        CarePlan.objects.filter(failing_since__lte=limit).exists()
        or CarePlan.objects.filter(next_due_at__lte=limit).exists()
    )


def care_sweep_health(now: dt.datetime) -> dict | None:
    from mutua.care.models import CarePlan

    if not CarePlan.objects.filter(status__in=("active", "paused")).exists():
        return None
    ok, last = heartbeat_age_ok(HEARTBEAT, now, stale_after_seconds())
    stuck = stuck_plans_exist(now)
    return {
        "ok": ok and not stuck,
        "care_sweep": ok,
        "care_sweep_last_beat": last,
        "care_plans_stuck": stuck,
    }


register_health_check("care-sweep", care_sweep_health)
