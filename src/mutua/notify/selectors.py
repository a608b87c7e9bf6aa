"""Reads of the notify app."""

from __future__ import annotations

from django.db.models import QuerySet

from mutua.notify.kinds import CHOOSABLE_CHANNELS, kind_all
from mutua.notify.models import Notification, OutboxMessage
from mutua.notify.services.send import channels_of
from mutua.people.models import User


def notification_list(*, user: User) -> QuerySet[Notification]:
    """A person's own notifications, newest first. Nobody else's, ever."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preference_matrix(*, user: User) -> list[dict]:
    """Each kind with whether it reaches this person by e-mail and by SMS."""
    rows = []
    kinds = list(kind_all())
    for kind, chosen in zip(kinds, channels_of([(user, k) for k in kinds]), strict=True):
        on = set(chosen)
        rows.append(
            {
                "kind": kind.code,
                "label": str(kind.label),
                "critical": kind.critical,
                "channels": {code: code in on for code in CHOOSABLE_CHANNELS},
            }
        )
    return rows


def delivery_log(*, user: User) -> QuerySet[OutboxMessage]:
    """The messages sent to a person, with their delivery attempts."""
    return (
        OutboxMessage.objects.filter(recipient=user)
        .prefetch_related("log")
        .order_by("-created_at", "-id")
    )
