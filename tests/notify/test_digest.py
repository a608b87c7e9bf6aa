"""The daily digest, composed from sources other apps register."""

from __future__ import annotations

import datetime as dt

import pytest

from mutua.notify.kinds import DIGEST
from mutua.notify.models import NotificationPreference, OutboxMessage
from mutua.notify.services import digest_send_daily, register_digest_source
from mutua.notify.services.digest import _SOURCES
from tests.notify.conftest import person

NOW = dt.datetime(2025, 5, 1, 7, tzinfo=dt.UTC)


@pytest.fixture
def sources():
    saved = list(_SOURCES)
    _SOURCES.clear()
    yield _SOURCES
    _SOURCES[:] = saved


def test_with_no_sources_nothing_is_sent(db, sources):
    person()
    assert digest_send_daily(now=NOW) == 0
    assert not OutboxMessage.objects.exists()


def test_one_digest_per_member_with_something_in_it_and_once_a_day(db, sources):
    ana, bo, cy = person("Ana"), person("Bo"), person("Cy")
    NotificationPreference.objects.create(user=cy, kind=DIGEST, channel="email", enabled=False)
    seen_since = []

    def needs_that_fit(user, since):
        seen_since.append(since)
        if user == bo:
            return []
        return [{"title": "Shopping for Mrs Lee", "url": "/needs/abc/", "summary": "Tuesday"}]

    register_digest_source(needs_that_fit)
    assert digest_send_daily(now=NOW) == 1
    assert digest_send_daily(now=NOW + dt.timedelta(hours=1)) == 0  # same day: not again
    [message] = OutboxMessage.objects.filter(kind=DIGEST)
    assert message.recipient == ana
    assert message.subject == "One new way you could help today"
    assert "Shopping for Mrs Lee: Tuesday" in message.body_text
    assert "https://mutua.example/needs/abc/" in message.body_text
    assert seen_since[0] == NOW - dt.timedelta(days=1)
