"""The profile's preferred channel is the default for kinds a member has not chosen for;
explicit choices per kind win, safety kinds keep their channels, and both send paths agree."""

from __future__ import annotations

import pytest

from mutua.notify.kinds import kind_get, register_kind
from mutua.notify.models import Notification, NotificationPreference, OutboxMessage
from mutua.notify.services import Outgoing, notification_send, notification_send_many
from mutua.notify.services.send import channels_for
from tests.notify.conftest import ALARM, NOTE, person

MAIL_ONLY = "test_mail_only"
PHONE = "+44 7700 900123"


@pytest.fixture(autouse=True)
def mail_only_kind():
    register_kind(
        MAIL_ONLY, label="Mail only", default_channels=("app", "email"), template="notify/test_note"
    )


def _prefers(channel: str, *, phone: str = PHONE):
    user = person(phone=phone)
    user.profile.preferred_channel = channel
    user.profile.save()
    return user


def _send(user, kind: str) -> set[str]:
    """The channels of the outbox rows written for one message (sent alone)."""
    notification_send(recipient=user, kind=kind, context={"title": "Hello"})
    return set(OutboxMessage.objects.filter(recipient=user).values_list("channel", flat=True))


@pytest.mark.django_db
def test_preferring_the_app_keeps_a_message_in_the_app_only():
    user = _prefers("app")

    assert _send(user, NOTE) == set()
    assert Notification.objects.filter(recipient=user, kind=NOTE).count() == 1


@pytest.mark.django_db
def test_preferring_sms_sends_a_text_instead_of_an_email():
    user = _prefers("sms")

    assert _send(user, MAIL_ONLY) == {"sms"}


@pytest.mark.django_db
def test_preferring_sms_without_a_phone_keeps_the_email():
    user = _prefers("sms", phone="")

    assert _send(user, MAIL_ONLY) == {"email"}


@pytest.mark.django_db
def test_preferring_sms_after_stop_keeps_the_email():
    user = _prefers("sms")
    NotificationPreference.objects.create(user=user, kind="*", channel="sms", enabled=False)

    assert _send(user, MAIL_ONLY) == {"email"}


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["email", "phone"])
def test_preferring_email_or_a_phone_call_keeps_the_kinds_own_channels(channel):
    user = _prefers(channel)

    assert _send(user, MAIL_ONLY) == {"email"}
    assert set(channels_for(user, kind_get(NOTE))) == {"email", "sms"}


@pytest.mark.django_db
def test_an_explicit_choice_for_a_kind_wins_over_the_preferred_channel():
    user = _prefers("app")
    NotificationPreference.objects.create(user=user, kind=MAIL_ONLY, channel="email", enabled=True)

    assert _send(user, MAIL_ONLY) == {"email"}


@pytest.mark.django_db
def test_an_explicit_choice_off_wins_over_preferring_sms():
    user = _prefers("sms")
    NotificationPreference.objects.create(user=user, kind=MAIL_ONLY, channel="sms", enabled=False)

    assert _send(user, MAIL_ONLY) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["app", "sms", "phone", "email"])
def test_safety_messages_keep_their_channels_whatever_the_preference(channel):
    user = _prefers(channel)

    assert _send(user, ALARM) == {"email", "sms"}


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["app", "sms", "phone", "email"])
@pytest.mark.parametrize("kind", [NOTE, MAIL_ONLY, ALARM])
def test_sending_one_and_sending_many_choose_the_same_channels(channel, kind):
    alone, batched, no_phone = _prefers(channel), _prefers(channel), _prefers(channel, phone="")
    expected_with_phone = _send(alone, kind)

    notification_send_many(
        [
            Outgoing(recipient=batched, kind=kind, context={"title": "Hello"}),
            Outgoing(recipient=no_phone, kind=kind, context={"title": "Hello"}),
        ]
    )

    def channels(user):
        return set(OutboxMessage.objects.filter(recipient=user).values_list("channel", flat=True))

    assert channels(batched) == expected_with_phone
    assert channels(no_phone) == _send(_prefers(channel, phone=""), kind)


@pytest.mark.django_db
def test_the_preferences_page_shows_the_preferred_channel_with_a_few_queries(
    client, django_assert_max_num_queries
):
    user = _prefers("sms")
    client.force_login(user)

    with django_assert_max_num_queries(12):  # not one per kind of message (there are dozens)
        page = client.get("/notifications/preferences/")

    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["kind"] == MAIL_ONLY)
    assert row["channels"] == {"email": False, "sms": True}


@pytest.mark.django_db
def test_saving_the_preferences_page_unchanged_keeps_following_the_preferred_channel(client):
    user = _prefers("app")
    client.force_login(user)
    shown = client.get("/notifications/preferences/").context["rows"]
    ticked = {f"{r['kind']}:{ch}": "on" for r in shown for ch, on in r["channels"].items() if on}

    assert client.post("/notifications/preferences/", ticked).status_code == 302

    assert not NotificationPreference.objects.filter(user=user).exists()
    user.profile.preferred_channel = "email"
    user.profile.save()
    assert _send(user, MAIL_ONLY) == {"email"}
