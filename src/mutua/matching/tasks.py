"""Worker tasks: the outreach sweep (new needs, widening circles, new offers) and the
arrangement terms sweep. Idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from mutua.matching import renewals, suggestions


@db_periodic_task(crontab(minute="*"))
def matching_outreach() -> None:
    suggestions.outreach_sweep()


@db_periodic_task(crontab(minute="17"))
def matching_arrangement_terms() -> None:
    renewals.arrangement_terms_sweep()
