"""Worker tasks: the outreach sweep (new needs, widening circles). Idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from mutua.matching import services


@db_periodic_task(crontab(minute="*"))
def matching_outreach() -> None:
    services.outreach_sweep()
