"""The notification centre: marking notifications read."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.errors import NotFound
from mutua.notify.models import Notification
from mutua.people.models import User


def notification_mark_read(*, user: User, public_id: str) -> Notification:
    """Only the recipient can mark a notification read; anyone else is told it does not exist."""
    notification = Notification.objects.filter(recipient=user, public_id=public_id).first()
    if notification is None:
        raise NotFound(_("This notification does not exist."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
