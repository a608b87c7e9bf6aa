"""The weekly nudge: only for members who asked for it, and only when it may help."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mutua.ledger.models import Account
from mutua.ledger.notifications import NUDGE
from mutua.ledger.selectors import _nudge
from mutua.ledger.services.common import limits_of, settings_for
from mutua.notify.services import notification_send


def send_nudges(now=None) -> int:
    """One gentle note per opted-in member per ISO week; the dedupe key makes reruns free."""
    now = now or timezone.now()
    year, week, _day = now.isocalendar()
    sent = 0
    accounts = Account.objects.filter(
        wants_nudge=True,
        is_fund=False,
        user__isnull=False,
        community__ledger_settings__is_enabled=True,
    ).select_related("community", "user")
    for account in accounts.iterator(chunk_size=500):
        direction = _nudge(account, limits_of(account, settings_for(account.community)))
        if not direction:
            continue
        with transaction.atomic():
            notification_send(
                recipient=account.user,
                kind=NUDGE,
                context={
                    "direction": direction,
                    "community_name": account.community.name,
                    "url": reverse("ledger:balance", args=[account.community.slug]),
                },
                community=account.community,
                dedupe_key=f"nudge:{account.public_id}:{year}-{week}",
            )
        sent += 1
    return sent
