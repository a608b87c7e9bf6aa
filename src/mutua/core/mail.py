"""E-mail to an address, rendered in the recipient's language and delivered through an outbox.

`send_templated_mail_on_commit` renders the message inside the caller's transaction and writes
it to `OutgoingMail` in that same transaction; on commit it wakes the worker, and a sweep every
minute picks up whatever is still due (a crash between commit and wake loses nothing). Each
try is recorded; failures are retried with growing delays, then marked failed (decision 0009).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mutua.core.models import MailStatus, OutgoingMail

logger = logging.getLogger(__name__)
RETRY_MINUTES = (1, 5, 15, 60, 240)
STUCK_AFTER = dt.timedelta(minutes=10)


def site_language(language: str | None) -> str:
    """`language` if the site offers it, else the active one, else the default."""
    offered = dict(settings.LANGUAGES)
    for candidate in (language, translation.get_language(), settings.LANGUAGE_CODE):
        code = (candidate or "").split("-")[0]
        if code in offered:
            return code
    return "en"


def render_mail(template: str, context: dict, language: str = "en") -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
    return " ".join(subject.split()), body


def send_templated_mail_on_commit(
    *, to: str, template: str, context: dict, language: str | None = None
) -> OutgoingMail:
    """Render now (inside the transaction, with its data) in `language` (the recipient's; the
    active language when not given) and queue it; the worker is woken on commit."""
    language = site_language(language)
    subject, body = render_mail(template, context, language)
    message = OutgoingMail.objects.create(
        to_address=to,
        subject=subject[:300],
        body=body,
        language=language,
        next_attempt_at=timezone.now(),
    )

    if _batching.get():
        _batching.set(2)  # mail_batch() wakes the worker once at its end
    else:
        transaction.on_commit(_wake)
    return message


def _wake() -> None:
    from mutua.core.tasks import deliver_mail

    deliver_mail()


_batching: contextvars.ContextVar[int] = contextvars.ContextVar("mutua_mail_batch", default=0)


@contextmanager
def mail_batch() -> Iterator[None]:
    """Queue many messages (bulk invitations) and wake the worker once, on commit."""
    token = _batching.set(1)
    try:
        yield
        if _batching.get() == 2:
            transaction.on_commit(_wake)
    finally:
        _batching.reset(token)


def deliver(to: str, subject: str, body: str) -> None:
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()


def _claim(now: dt.datetime, batch: int) -> list[int]:
    with transaction.atomic():
        OutgoingMail.objects.filter(
            status=MailStatus.SENDING, claimed_at__lt=now - STUCK_AFTER
        ).update(status=MailStatus.PENDING)  # a worker died while sending: try again
        due = OutgoingMail.objects.filter(
            status=MailStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch])
        if ids:
            OutgoingMail.objects.filter(pk__in=ids, status=MailStatus.PENDING).update(
                status=MailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids


def _max_attempts() -> int:
    return int(getattr(settings, "MAIL_MAX_ATTEMPTS", len(RETRY_MINUTES) + 1))


def mail_deliver_due(*, now: dt.datetime | None = None, batch: int = 50) -> dict[str, int]:
    """Send what is due; record each outcome. Safe to run twice and from several workers."""
    now = now or timezone.now()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for message in OutgoingMail.objects.filter(pk__in=_claim(now, batch)):
        mine = OutgoingMail.objects.filter(pk=message.pk, status=MailStatus.SENDING)
        try:
            deliver(message.to_address, message.subject, message.body)
        except Exception as exc:  # any failure of the mail server is recorded, never raised
            permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) or not message.to_address
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if permanent or message.attempts >= _max_attempts():
                mine.update(status=MailStatus.FAILED, last_error=error)
                counts["failed"] += 1
                logger.warning("mail %s failed for good: %s", message.pk, error)
            else:
                delay = RETRY_MINUTES[min(message.attempts, len(RETRY_MINUTES)) - 1]
                mine.update(
                    status=MailStatus.PENDING,
                    last_error=error,
                    next_attempt_at=now + dt.timedelta(minutes=delay),
                )
                counts["retrying"] += 1
        else:
            mine.update(status=MailStatus.SENT, sent_at=timezone.now(), body="", last_error="")
            counts["sent"] += 1
    return counts


def mail_forget_address(addresses: Iterable[str]) -> int:
    """Account deletion: no mail still waiting goes out, and no row keeps the address."""
    wanted = [a for a in {a.strip().lower() for a in addresses} if a]
    if not wanted:
        return 0
    rows = OutgoingMail.objects.filter(to_address__in=wanted)
    rows.filter(status__in=[MailStatus.PENDING, MailStatus.SENDING]).update(
        status=MailStatus.FAILED, last_error="account deleted"
    )
    return rows.update(to_address="", body="")
