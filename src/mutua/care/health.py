"""The care sweep's dead-man's switch: /health answers 503 when it is stale and plans exist."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from mutua.core.health import heartbeat_age_ok, register_health_check

HEARTBEAT = "care-sweep"


def stale_after_seconds() -> int:
    return int(getattr(settings, "CARE_SWEEP_STALE_AFTER_SECONDS", 300))


def care_sweep_health(now: dt.datetime) -> dict | None:
    from mutua.care.models import CarePlan

    if not CarePlan.objects.filter(status__in=("active", "paused")).exists():
        return None
    ok, last = heartbeat_age_ok(HEARTBEAT, now, stale_after_seconds())
    return {"ok": ok, "care_sweep": ok, "care_sweep_last_beat": last}


register_health_check("care-sweep", care_sweep_health)
