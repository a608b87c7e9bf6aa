"""Worker tasks: they only call services, and each is safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from mutua.notify.services import digest_send_daily, outbox_deliver_due

MAX_BATCHES = 20


def _deliver() -> None:
    for _ in range(MAX_BATCHES):
        report = outbox_deliver_due(batch=100)
        if report.claimed < 100:
            break


@db_task()
def wake_sender() -> None:
    """Enqueued on commit by notification_send: deliver now rather than at the next minute."""
    _deliver()


@db_periodic_task(crontab(minute="*"))
def deliver_outbox() -> None:
    """The sweep that delivers whatever is due, whether or not anyone woke the sender."""
    _deliver()


@db_periodic_task(crontab(minute="0", hour="7"))
def send_daily_digest() -> None:
    digest_send_daily()
