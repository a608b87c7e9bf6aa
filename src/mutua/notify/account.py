"""The notify app's part of a member's export and of deleting their account (see
`people.account_data`): their notifications and preferences; nothing waits for them after."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mutua.notify.models import (
    InboundMessage,
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    SignedLink,
)
from mutua.people.account_data import register_account_anonymise, register_account_export
from mutua.people.models import User


def export_notifications(user: User) -> list[dict[str, Any]]:
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "id")
    return [
        {
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "at": n.created_at.isoformat(),
            "read": n.read_at.isoformat() if n.read_at else None,
        }
        for n in rows
    ]


def export_preferences(user: User) -> list[dict[str, Any]]:
    rows = NotificationPreference.objects.filter(user=user).order_by("kind", "channel")
    return [{"kind": p.kind, "channel": p.channel, "enabled": p.enabled} for p in rows]


def anonymise_notify(user: User) -> None:
    """Nothing still waiting goes out, and no message keeps their address or what it said."""
    now = timezone.now()
    outbox = OutboxMessage.objects.filter(recipient=user)
    outbox.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).update(
        status=OutboxStatus.SUPPRESSED, last_error="account deleted", updated_at=now
    )
    outbox.update(to_address="", subject="", body_text="", body_html="", sms_text="", headers={})
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    SignedLink.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    InboundMessage.objects.filter(sender=user).update(from_address="", text="")


def register() -> None:
    register_account_export("notifications", export_notifications)
    register_account_export("notification_preferences", export_preferences)
    register_account_anonymise("notify", anonymise_notify)
