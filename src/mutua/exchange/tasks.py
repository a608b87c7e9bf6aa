"""Worker tasks: each periodic task calls one sweep; sweeps are idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from mutua.exchange import sweeps


@db_periodic_task(crontab(minute="*/5"))
def exchange_release_stale() -> None:
    sweeps.release_stale_commitments()


@db_periodic_task(crontab(minute="*/15"))
def exchange_auto_confirm() -> None:
    sweeps.auto_confirm_commitments()


@db_periodic_task(crontab(minute="7"))
def exchange_offer_reminders() -> None:
    sweeps.remind_expiring_offers()
    sweeps.expire_offers()


@db_periodic_task(crontab(minute="*/15"))
def exchange_expire_needs() -> None:
    sweeps.expire_needs()


@db_periodic_task(crontab(minute="23"))
def exchange_materialise_arrangements() -> None:
    sweeps.materialise_arrangements()
