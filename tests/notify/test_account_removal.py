"""Deleting an account: the notify app exports what it holds and keeps no address or message."""

from __future__ import annotations

from mutua.notify.models import Notification, NotificationPreference, OutboxMessage
from mutua.notify.services import notification_send
from mutua.people.account_data import registered
from mutua.people.services import account_delete, account_export


def _notify(user) -> None:
    notification_send(
        recipient=user,
        kind="exchange_thanks",
        context={"need_title": "Shopping", "from_name": "Hal", "text": "Hi Maria", "url": "/"},
        dedupe_key="t1",
    )


def test_notify_registers_its_export_and_anonymiser():
    exports, anonymisers = registered()
    assert {"notifications", "notification_preferences"} <= set(exports)
    assert "notify" in anonymisers


def test_the_export_holds_notifications_and_preferences(cast):
    _notify(cast.member)
    NotificationPreference.objects.create(
        user=cast.member, kind="exchange_thanks", channel="email", enabled=False
    )

    exported = account_export(user=cast.member)

    assert exported["notifications"][0]["kind"] == "exchange_thanks"
    assert exported["notification_preferences"] == [
        {"kind": "exchange_thanks", "channel": "email", "enabled": False}
    ]


def test_deleting_the_account_leaves_no_address_or_message_waiting(cast):
    _notify(cast.member)
    email = cast.member.email
    assert OutboxMessage.objects.filter(recipient=cast.member).exists()

    account_delete(user=cast.member)

    assert not OutboxMessage.objects.filter(to_address=email).exists()
    for message in OutboxMessage.objects.filter(recipient=cast.member):
        assert message.status in ("suppressed", "sent", "failed")
        assert (message.to_address, message.body_text, message.body_html) == ("", "", "")
        assert message.status != "pending"
    assert not Notification.objects.filter(recipient=cast.member).exists()
    assert not NotificationPreference.objects.filter(user=cast.member).exists()


def test_someone_elses_messages_are_untouched(cast):
    _notify(cast.member)
    _notify(cast.caller)

    account_delete(user=cast.member)

    kept = OutboxMessage.objects.filter(recipient=cast.caller)
    assert kept.exists() and all(m.to_address == cast.caller.email for m in kept)
