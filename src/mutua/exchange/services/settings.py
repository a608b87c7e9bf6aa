"""A community's timings of the exchange loop and its list of categories (coordinators)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.permissions import require
from mutua.exchange.models import ExchangeSettings
from mutua.exchange.services.common import COORDINATE, invalid, settings_for
from mutua.people.models import User

# (field, lowest, highest): what each setting may be, and what the pages and API say.
RANGES = {
    "auto_confirm_days": (1, 30),
    "dispute_window_days": (1, 90),
    "stale_grace_hours": (1, 168),
    "offer_reminder_days": (1, 30),
}
MAX_CATEGORIES = 40
FIELDS = (*RANGES, "categories")


def _snapshot(row: ExchangeSettings) -> dict:
    return {field: getattr(row, field) for field in FIELDS}


def clean_categories(values: list[str]) -> list[str]:
    """Trimmed, each 1 to 60 characters, no repeats (whatever the case), in the given order."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in values or []:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > 60:
            raise invalid("categories", _("Please keep each category to 60 characters."))
        if name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    if len(cleaned) > MAX_CATEGORIES:
        raise invalid("categories", _("Please keep to %(n)d categories.") % {"n": MAX_CATEGORIES})
    return cleaned


@transaction.atomic
def exchange_settings_update(
    *,
    actor: User,
    community: Community,
    categories: list[str] | None = None,
    auto_confirm_days: int | None = None,
    dispute_window_days: int | None = None,
    stale_grace_hours: int | None = None,
    offer_reminder_days: int | None = None,
) -> ExchangeSettings:
    """A coordinator changes the timings and categories (only those given); audit-logged.

    The dispute window must last at least as long as help waits to confirm itself, so that
    help confirmed automatically can still be questioned.
    """
    require(actor, COORDINATE, community)
    row = ExchangeSettings.objects.select_for_update().get(pk=settings_for(community).pk)
    before = _snapshot(row)
    given = {
        "auto_confirm_days": auto_confirm_days,
        "dispute_window_days": dispute_window_days,
        "stale_grace_hours": stale_grace_hours,
        "offer_reminder_days": offer_reminder_days,
    }
    for field, value in given.items():
        if value is None:
            continue
        low, high = RANGES[field]
        if not low <= int(value) <= high:
            raise invalid(
                field,
                _("Please give a number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
        setattr(row, field, int(value))
    if row.dispute_window_days < row.auto_confirm_days:
        raise invalid(
            "dispute_window_days",
            _("Please give at least as many days as help waits to confirm itself (%(n)d).")
            % {"n": row.auto_confirm_days},
        )
    if categories is not None:
        row.categories = clean_categories(categories)
    after = _snapshot(row)
    changed = [k for k in FIELDS if before[k] != after[k]]
    if changed:
        row.save()
        community.__dict__["_exchange_settings"] = row
        audit_record(
            actor=actor,
            action="exchange.settings",
            community=community,
            target=community,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return row
