"""The unread count shown in the navigation of every page."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from mutua.notify.selectors import notification_unread_count


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: counted only if the page actually shows it.
    return {"notify_unread_count": SimpleLazyObject(lambda: notification_unread_count(user=user))}
