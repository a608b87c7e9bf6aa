"""Worker tasks: thin wrappers that call services. Each is safe to run twice."""

from __future__ import annotations

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from mutua.core import health, mail


@db_task(retries=3, retry_delay=30)
def send_email(to: str, subject: str, body: str) -> None:
    mail.deliver(to, subject, body)


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
