"""Worker tasks: thin wrappers that call services. Each is safe to run twice."""

from __future__ import annotations

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task, on_startup

from mutua.core import health, mail


@db_task(retries=3, retry_delay=30)
def send_email(to: str, subject: str, body: str) -> None:
    """Kept for callers that send a message without the outbox; prefer core.mail."""
    mail.deliver(to, subject, body)


@db_task()
def deliver_mail() -> None:
    """Woken after a commit that queued e-mail."""
    mail.mail_deliver_due()


@db_periodic_task(crontab(minute="*"))
@lock_task("mutua-mail-sweep")
def mail_sweep() -> None:
    """Whatever a wake-up missed, and the retries that have come due."""
    mail.mail_deliver_due()


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    health.heartbeat_record()


@on_startup()
def heartbeat_on_start() -> None:
    """Beat once when the worker starts, so /health turns green without waiting a minute."""
    try:
        health.heartbeat_record()
    finally:
        close_old_connections()
