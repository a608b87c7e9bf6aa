"""Worker tasks: a weekly sweep sends the opt-in nudges; sending twice in a week does nothing."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from mutua.ledger import sweeps


@db_periodic_task(crontab(day_of_week="1", hour="10", minute="11"))
def ledger_send_nudges() -> None:
    sweeps.send_nudges()
