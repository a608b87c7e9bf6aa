"""Two workers sweeping the outbox at once never send a message twice (SQLite file database)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from mutua.notify.services import notification_send, outbox_deliver_due
from tests.notify.conftest import FLAKY, person


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_send_each_message_exactly_once(flaky, settings):
    settings.NOTIFY_DAILY_CAP = 100
    ana = person()
    for n in range(30):
        notification_send(recipient=ana, kind=FLAKY, context={"title": "t"}, dedupe_key=str(n))
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            for _ in range(20):
                outbox_deliver_due(batch=4)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(flaky.sent) == 30 and len(set(flaky.sent)) == 30
