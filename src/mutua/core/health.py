"""The worker's heartbeat: a dead-man's switch that an outside monitor can watch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils import timezone

from mutua.core.models import WorkerHeartbeat

WORKER = "worker"

# Other apps add their own dead-man's switches: a check returns None when it has nothing to
# say, or a dict with "ok" and details (merged into the status; "ok" False answers 503).
HealthCheck = Callable[[dt.datetime], "dict | None"]
_CHECKS: dict[str, HealthCheck] = {}


def register_health_check(name: str, check: HealthCheck) -> None:
    _CHECKS[name] = check


def heartbeat_age_ok(name: str, now: dt.datetime, limit_seconds: int) -> tuple[bool, str | None]:
    """(fresh, last beat ISO or None) for the heartbeat called `name`."""
    beat = WorkerHeartbeat.objects.filter(name=name).first()
    if beat is None:
        return False, None
    return now - beat.beat_at <= dt.timedelta(seconds=limit_seconds), beat.beat_at.isoformat()


def heartbeat_record(name: str = WORKER, now: dt.datetime | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})


def health_status(now: dt.datetime | None = None) -> dict:
    """Database reachable and worker heartbeat fresh; `ok` False means answer 503."""
    now = now or timezone.now()
    try:
        connection.ensure_connection()
        db_ok = True
    except Exception:
        db_ok = False
    beat = WorkerHeartbeat.objects.filter(name=WORKER).first() if db_ok else None
    limit = dt.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS)
    worker_ok = beat is not None and now - beat.beat_at <= limit
    status = {
        "ok": db_ok and worker_ok,
        "database": db_ok,
        "worker": worker_ok,
        "worker_last_beat": beat.beat_at.isoformat() if beat else None,
    }
    for check in list(_CHECKS.values()) if db_ok else []:
        extra = check(now)
        if extra:
            status["ok"] = status["ok"] and bool(extra.pop("ok"))
            status.update(extra)
    return status
