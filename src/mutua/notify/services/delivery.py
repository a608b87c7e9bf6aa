"""The sender: claims due outbox rows, sends them outside the claim, records each try."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from mutua.notify import engine
from mutua.notify.channels import ChannelError, channel_get
from mutua.notify.models import DeliveryAttempt, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)
STUCK_AFTER = dt.timedelta(minutes=10)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0


def _claim(now: dt.datetime, batch: int) -> list[int]:
    """Mark up to `batch` due rows as sending. Exclusive: PostgreSQL skips rows another worker
    holds; on SQLite the IMMEDIATE transaction holds the write lock for the whole claim."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids


def _record(message: OutboxMessage, *, ok: bool, detail: str, permanent: bool, now: dt.datetime):
    max_attempts = int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 6))
    mine = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, claimed_at=message.claimed_at
    )
    with transaction.atomic():
        DeliveryAttempt.objects.create(message=message, at=now, ok=ok, detail=detail[:2000])
        if ok:
            mine.update(status=OutboxStatus.SENT, sent_at=now, last_error="")
            return "sent"
        if permanent or message.attempts >= max_attempts:
            mine.update(status=OutboxStatus.FAILED, last_error=detail[:2000])
            return "failed"
        mine.update(
            status=OutboxStatus.PENDING,
            next_attempt_at=now + engine.retry_delay(message.attempts),
            last_error=detail[:2000],
        )
        return "retrying"


def outbox_deliver_due(*, now: dt.datetime | None = None, batch: int = 100) -> DeliveryReport:
    """Send what is due, once: claimed rows are sending, so a second run skips them."""
    now = now or timezone.now()
    report = DeliveryReport()
    report.released = OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(status=OutboxStatus.PENDING, next_attempt_at=now)
    ids = _claim(now, batch)
    report.claimed = len(ids)
    claimed = OutboxMessage.objects.filter(pk__in=ids).select_related("notification")
    for message in claimed.order_by("next_attempt_at", "id"):
        ok, permanent = True, False
        channel = channel_get(message.channel)
        try:
            if channel is None:
                raise ChannelError(f"no channel {message.channel!r}", permanent=True)
            detail = channel.send(message)
        except ChannelError as exc:
            ok, permanent, detail = False, exc.permanent, exc.detail
        except Exception as exc:  # a bug in a channel must not stop the batch
            logger.exception("channel %s failed on message %s", message.channel, message.pk)
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        outcome = _record(message, ok=ok, detail=detail, permanent=permanent, now=now)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
