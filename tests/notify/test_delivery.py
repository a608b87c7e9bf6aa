"""outbox_deliver_due: claims once, retries with backoff, gives up, frees stuck rows."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail

from mutua.notify.models import DeliveryAttempt, OutboxMessage
from mutua.notify.services import notification_send, outbox_deliver_due
from tests.notify.conftest import ALARM, FLAKY, NOTE, person

T0 = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC)


def _send(user, kind=NOTE, **kw):
    return notification_send(recipient=user, kind=kind, context={"title": "Lift to clinic"}, **kw)


def test_running_the_sweep_twice_sends_nothing_twice(db):
    ana = person()
    _send(ana)
    first = outbox_deliver_due()
    second = outbox_deliver_due()
    assert (first.sent, second.claimed) == (1, 0)
    assert len(mail.outbox) == 1
    assert DeliveryAttempt.objects.filter(ok=True).count() == 1


def test_failed_delivery_is_retried_with_exponential_backoff(db, flaky, settings):
    # given a gateway that fails twice
    flaky.failures = 2
    ana = person()
    with time_machine.travel(T0, tick=False):
        _send(ana, kind=FLAKY)
        # when the sweep runs it fails and waits a minute
        assert outbox_deliver_due().retrying == 1
    message = OutboxMessage.objects.get(channel="flaky")
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert message.last_error == "gateway down"
    # a sweep before then does nothing
    assert outbox_deliver_due(now=T0 + dt.timedelta(seconds=59)).claimed == 0
    # the second failure waits two minutes
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        assert outbox_deliver_due().retrying == 1
    message.refresh_from_db()
    assert message.next_attempt_at == T0 + dt.timedelta(minutes=3)
    # the third try succeeds
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        assert outbox_deliver_due().sent == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3
    assert flaky.sent == [message.public_id]
    assert list(message.log.values_list("ok", flat=True)) == [False, False, True]


def test_delivery_gives_up_after_the_last_attempt(db, flaky, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    flaky.failures = 99
    ana = person()
    _send(ana, kind=FLAKY)
    now = OutboxMessage.objects.get().next_attempt_at
    for _ in range(5):
        outbox_deliver_due(now=now)
        now += dt.timedelta(hours=7)
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.attempts == 3
    assert message.log.count() == 3


def test_a_permanent_refusal_fails_at_once(db, flaky):
    flaky.permanent = True
    _send(person(), kind=FLAKY)
    assert outbox_deliver_due().failed == 1
    assert OutboxMessage.objects.get().status == "failed"


def test_rows_stuck_in_sending_return_to_pending_after_ten_minutes(db):
    # given a worker that claimed a row and died before sending it
    ana = person()
    with time_machine.travel(T0, tick=False):
        _send(ana)
    OutboxMessage.objects.filter(channel="email").update(status="sending", claimed_at=T0)
    # a sweep nine minutes later leaves it alone
    assert outbox_deliver_due(now=T0 + dt.timedelta(minutes=9)).released == 0
    assert mail.outbox == []
    # eleven minutes later it is released and sent
    report = outbox_deliver_due(now=T0 + dt.timedelta(minutes=11))
    assert (report.released, report.sent) == (1, 1)
    assert len(mail.outbox) == 1


def test_email_is_multipart_with_one_click_unsubscribe_headers(db):
    ana = person()
    _send(ana)
    outbox_deliver_due()
    [message] = mail.outbox
    assert message.subject == "Lift to clinic"
    assert message.alternatives[0].mimetype == "text/html"
    assert "Lift to clinic" in message.alternatives[0].content
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://mutua.example/unsubscribe/") and unsubscribe.endswith(
        ">"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_safety_email_has_no_unsubscribe_header(db):
    _send(person(), kind=ALARM)
    outbox_deliver_due()
    [message] = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "safety message" in message.body


def test_batch_size_limits_one_sweep(db):
    ana = person()
    for n in range(3):
        _send(ana, dedupe_key=str(n))
    assert outbox_deliver_due(batch=2).sent == 2
    assert outbox_deliver_due(batch=2).sent == 1
