"""The worker heartbeat answers the health URL."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from mutua.core.health import health_status, heartbeat_record


def test_health_is_not_ok_before_the_worker_ever_beat(db):
    status = health_status()

    assert status == {
        "ok": False,
        "database": True,
        "worker": False,
        "worker_last_beat": None,
    }


def test_health_is_ok_right_after_a_heartbeat(db, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False)
    heartbeat_record()

    status = health_status()

    assert status["ok"] is True
    assert status["worker"] is True
    assert status["worker_last_beat"] == "2025-03-01T12:00:00+00:00"


def test_health_stays_ok_until_the_stale_limit(db, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False)
    heartbeat_record()

    time_machine.shift(dt.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS))

    assert health_status()["ok"] is True


def test_health_goes_stale_when_the_heartbeat_stops(db, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False)
    heartbeat_record()

    time_machine.shift(dt.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS + 1))
    status = health_status()

    assert status["ok"] is False
    assert status["database"] is True
    assert status["worker"] is False


def test_a_new_heartbeat_replaces_the_old_one(db, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False)
    heartbeat_record()
    time_machine.shift(dt.timedelta(hours=1))
    heartbeat_record()

    assert health_status()["ok"] is True
    from mutua.core.models import WorkerHeartbeat

    assert WorkerHeartbeat.objects.count() == 1
    assert WorkerHeartbeat.objects.get().beat_at == timezone.now()


def test_health_url_answers_503_when_stale_and_200_when_fresh(client, db):
    assert client.get("/health").status_code == 503

    heartbeat_record()

    assert client.get("/health").status_code == 200
