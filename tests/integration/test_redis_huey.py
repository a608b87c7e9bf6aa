"""The worker for real: huey consumers on Redis (in a thread and as `mutua run_huey`) and on
the default SQLite queue, running our own tasks."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from email import message_from_string
from pathlib import Path

import pytest
import redis
from huey import RedisHuey, SqliteHuey

from mutua.core import tasks
from mutua.core.models import WorkerHeartbeat
from tests.support.ports import wait_until
from tests.support.services import redis_url

ROOT = Path(__file__).resolve().parents[2]


def _register_our_tasks(huey):
    """Register mutua.core.tasks' functions (same names, so consumers elsewhere know them)."""
    return huey.task()(tasks.send_email.func), huey.task()(tasks.heartbeat.func)


def _mails(folder: Path) -> list:
    return [message_from_string(p.read_text()) for p in sorted(folder.glob("*.log"))]


@contextlib.contextmanager
def _consumer_in_this_process(huey):
    """A real huey Consumer (threads), without keeping the signal handlers it installs."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=False)
    consumer.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


@pytest.fixture
def redis_huey():
    """A RedisHuey with a queue name of its own, emptied afterwards."""
    huey = RedisHuey(f"mutua-test-{uuid.uuid4().hex[:12]}", url=redis_url(), immediate=False)
    yield huey
    huey.flush()


@pytest.mark.redis
@pytest.mark.xdist_group("redis")
@pytest.mark.django_db(transaction=True)
def test_redis_consumer_delivers_an_email_task(redis_huey, settings, tmp_path):
    # given our send_email task on a Redis queue and e-mail written to files
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    send_email, _heartbeat = _register_our_tasks(redis_huey)
    # when it is enqueued and a consumer runs
    send_email("zoe@example.org", "Welcome to Hillside Aid", "We are glad you came.")
    assert redis_huey.pending_count() == 1
    with _consumer_in_this_process(redis_huey):
        wait_until(lambda: _mails(tmp_path), timeout=20, what="the e-mail file")
    # then the message was written, once
    [message] = _mails(tmp_path)
    assert message["To"] == "zoe@example.org"
    assert message["Subject"] == "Welcome to Hillside Aid"
    assert redis_huey.pending_count() == 0


@pytest.mark.redis
@pytest.mark.xdist_group("redis")
@pytest.mark.django_db(transaction=True)
def test_redis_consumer_records_the_worker_heartbeat(redis_huey):
    # given no heartbeat yet
    _send_email, heartbeat = _register_our_tasks(redis_huey)
    assert not WorkerHeartbeat.objects.exists()
    # when the heartbeat task goes through Redis and a consumer
    heartbeat()
    with _consumer_in_this_process(redis_huey):
        wait_until(
            lambda: WorkerHeartbeat.objects.filter(name="worker").exists(),
            timeout=20,
            what="the heartbeat row",
        )
    # then the heartbeat row is written and the queue is empty
    assert WorkerHeartbeat.objects.filter(name="worker").count() == 1
    assert redis_huey.pending_count() == 0


def _run_worker(tmp_path: Path, huey_url: str = ""):
    """Migrate a fresh site in tmp_path and start `mutua run_huey` there, as an operator would."""
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutua.settings",
        "MUTUA_VAR_DIR": str(var),
        "EMAIL_URL": f"file://{tmp_path / 'mail'}",
        "HUEY_URL": huey_url,
        "SECRET_KEY": "integration-test",
    }
    for name in ("DATABASE_URL", "CACHE_URL", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    mutua = [sys.executable, "-m", "mutua.cli"]
    migrate = subprocess.run(
        [*mutua, "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, f"mutua migrate failed:\n{migrate.stdout}{migrate.stderr}"
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [*mutua, "run_huey"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    return proc, var


def _stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _heartbeat_in(db_file: Path) -> str | None:
    try:
        with contextlib.closing(sqlite3.connect(db_file, timeout=5)) as db:
            row = db.execute(
                "SELECT beat_at FROM core_workerheartbeat WHERE name = 'worker'"
            ).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _worker_log(tmp_path: Path) -> str:
    return (tmp_path / "worker.log").read_text()


def test_default_sqlite_worker_beats_and_sends_mail(tmp_path):
    # given a site on the defaults (SQLite database, SQLite queue) with its worker running
    proc, var = _run_worker(tmp_path)
    try:
        # then the worker's periodic heartbeat lands in the database
        wait_until(lambda: _heartbeat_in(var / "mutua.sqlite3"), timeout=60, what="heartbeat")
        # and when the web side enqueues an e-mail into the same SQLite queue
        queue = SqliteHuey("mutua", filename=str(var / "huey.sqlite3"))
        send_email, _heartbeat = _register_our_tasks(queue)
        send_email("yan@example.org", "Your neighbour replied", "Ben can help on Saturday.")
        # then the worker writes it out
        wait_until(lambda: _mails(tmp_path / "mail"), timeout=30, what="the e-mail file")
    except Exception:
        print(_worker_log(tmp_path))
        raise
    finally:
        _stop(proc)
    [message] = _mails(tmp_path / "mail")
    assert message["To"] == "yan@example.org"


@pytest.mark.redis
@pytest.mark.xdist_group("redis")
def test_run_huey_on_redis_beats_and_sends_mail(tmp_path):
    # given an empty Redis database and a site whose worker uses Redis (HUEY_URL)
    url = redis_url().rsplit("/", 1)[0] + "/15"
    redis.Redis.from_url(url).flushdb()
    proc, var = _run_worker(tmp_path, huey_url=url)
    try:
        # then the heartbeat arrives through the Redis-backed scheduler
        wait_until(lambda: _heartbeat_in(var / "mutua.sqlite3"), timeout=60, what="heartbeat")
        # and an e-mail enqueued into Redis from elsewhere is delivered
        queue = RedisHuey("mutua", url=url)
        send_email, _heartbeat = _register_our_tasks(queue)
        send_email("xia@example.org", "A check-in is due", "Please say you are OK.")
        wait_until(lambda: _mails(tmp_path / "mail"), timeout=30, what="the e-mail file")
    except Exception:
        print(_worker_log(tmp_path))
        raise
    finally:
        _stop(proc)
        redis.Redis.from_url(url).flushdb()
    [message] = _mails(tmp_path / "mail")
    assert message["Subject"] == "A check-in is due"
