"""The worker's heartbeat: a dead-man's switch that an outside monitor can watch."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from mutua.core.models import WorkerHeartbeat

WORKER = "worker"


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
    return {
        "ok": db_ok and worker_ok,
        "database": db_ok,
        "worker": worker_ok,
        "worker_last_beat": beat.beat_at.isoformat() if beat else None,
    }
