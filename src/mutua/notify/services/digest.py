"""The daily digest: one message per member who wants it, composed from pluggable sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from mutua.notify.kinds import DIGEST, EMAIL, kind_get
from mutua.notify.models import NotificationPreference
from mutua.notify.services.send import notification_send
from mutua.people.models import User

# source(user, since) -> [{"title": ..., "url": ..., "summary": ...}, ...]
DigestSource = Callable[[User, dt.datetime], list[dict]]
_SOURCES: list[DigestSource] = []
MAX_ITEMS = 30


def register_digest_source(source: DigestSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def digest_send_daily(*, now: dt.datetime | None = None) -> int:
    """Write today's digest for each member who has not turned it off and has something in it.

    Safe to run twice a day: the date is the dedupe key. With no sources, nothing is sent.
    """
    if not _SOURCES:
        return 0
    now = now or timezone.now()
    since = now - dt.timedelta(days=1)
    people = User.objects.filter(is_active=True, is_anonymised=False).select_related("profile")
    opted_out = NotificationPreference.objects.filter(kind=DIGEST, channel=EMAIL, enabled=False)
    if EMAIL in kind_get(DIGEST).default_channels:
        people = people.exclude(pk__in=opted_out.values("user_id"))
    else:
        people = people.filter(
            pk__in=NotificationPreference.objects.filter(
                kind=DIGEST, channel=EMAIL, enabled=True
            ).values("user_id")
        )
    written = 0
    for person in people.order_by("pk").iterator(chunk_size=500):
        items: list[dict] = []
        for source in _SOURCES:
            items.extend(source(person, since))
        if not items:
            continue
        with transaction.atomic():
            written += len(
                notification_send(
                    recipient=person,
                    kind=DIGEST,
                    context={"items": items[:MAX_ITEMS], "more": max(len(items) - MAX_ITEMS, 0)},
                    dedupe_key=f"digest:{now.date().isoformat()}",
                )
            )
    return written
