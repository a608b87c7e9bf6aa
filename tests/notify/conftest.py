"""Kinds, a channel that fails on purpose, and people with and without phones."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutua.notify.channels import ChannelError, register_channel
from mutua.notify.kinds import register_kind
from mutua.people.models import SensitiveDetails, User
from tests.factories import make_user

TEMPLATES = Path(__file__).parent / "templates"
NOTE, ALARM, FLAKY = "test_note", "test_alarm", "test_flaky"


class FlakyChannel:
    """A channel whose gateway is down for the first `failures` tries (or always, permanently)."""

    code = "flaky"

    def __init__(self) -> None:
        self.failures = 0
        self.permanent = False
        self.sent: list[str] = []

    def address_for(self, user):
        return user.email, ""

    def send(self, message):
        if self.permanent:
            raise ChannelError("refused for good", permanent=True)
        if self.failures > 0:
            self.failures -= 1
            raise ChannelError("gateway down")
        self.sent.append(message.public_id)
        return "ok"


@pytest.fixture(autouse=True)
def notify_setup(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    ]
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/unused"
    settings.SMS_GATEWAY_SECRET = "test-secret"
    settings.SITE_URL = "https://mutua.example"
    register_kind(NOTE, label="A note", default_channels=("app", "email", "sms"))
    register_kind(ALARM, label="An alarm", critical=True, default_channels=("app", "email", "sms"))
    register_kind(
        FLAKY, label="Flaky", default_channels=("app", "flaky"), template="notify/test_note"
    )


@pytest.fixture
def flaky():
    channel = FlakyChannel()
    register_channel(channel)
    return channel


def person(name: str = "", *, phone: str = "", tz_quiet: tuple | None = None) -> User:
    user = make_user(name)
    if phone:
        SensitiveDetails.objects.update_or_create(user=user, defaults={"phone": phone})
    if tz_quiet:
        user.profile.quiet_hours_start, user.profile.quiet_hours_end = tz_quiet
        user.profile.save()
    return user
