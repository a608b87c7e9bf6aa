"""Worker tasks: the care sweep every minute (idempotent; it records its own heartbeat)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from mutua.care.services import care_sweep


@db_periodic_task(crontab(minute="*"))
def care_sweep_every_minute() -> None:
    care_sweep()
