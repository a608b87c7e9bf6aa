"""The audit log in words: what each field of a before/after snapshot is called, and its
values as a member would say them ("Role: Member → Coordinator", not `role: member`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.communities.models import ApplicationStatus, JoinPolicy, MembershipStatus, Role
from mutua.core.audit import REDACTED

FIELD_LABELS = {
    "role": gettext_lazy("Role"),
    "status": gettext_lazy("Status"),
    "vetted_until": gettext_lazy("Vetted until"),
    "is_vulnerable": gettext_lazy("Would like extra care"),
    "name": gettext_lazy("Name"),
    "slug": gettext_lazy("Web address"),
    "description": gettext_lazy("Description"),
    "time_zone": gettext_lazy("Time zone"),
    "join_policy": gettext_lazy("How people join"),
    "application_questions": gettext_lazy("Questions for applicants"),
    "emergency_number": gettext_lazy("Emergency number"),
    "location_cell_m": gettext_lazy("Size of the location cell (metres)"),
    "require_mfa_for_staff": gettext_lazy("Two-factor sign-in for coordinators"),
    "is_listed": gettext_lazy("Listed publicly"),
    "email": gettext_lazy("E-mail address"),
    "days": gettext_lazy("Valid for (days)"),
    "fields": gettext_lazy("Details seen"),
    "purpose": gettext_lazy("Why"),
    "permissions": gettext_lazy("What the role allows"),
    "granted": gettext_lazy("Given"),
    "parent": gettext_lazy("Part of"),
    "category": gettext_lazy("Category"),
    "centre_lat": gettext_lazy("Latitude of the centre"),
    "centre_lon": gettext_lazy("Longitude of the centre"),
    "members": gettext_lazy("Members affected"),
    "reason": gettext_lazy("Reason"),
}

DETAIL_WORDS = {
    "address": gettext_lazy("address"),
    "phone": gettext_lazy("phone"),
    "access_notes": gettext_lazy("how to get in"),
    "health_notes": gettext_lazy("health notes"),
}
PURPOSE_WORDS = {
    "call list": gettext_lazy("the call list"),
    "coordinator view": gettext_lazy("a coordinator looked"),
    "api": gettext_lazy("through the API"),
    "care alert": gettext_lazy("a check-in alert"),
    "dispatch call list": gettext_lazy("the dispatch call list"),
}
CHOICES: dict[str, dict[str, Any]] = {
    "role": dict(Role.choices),
    "status": {**dict(ApplicationStatus.choices), **dict(MembershipStatus.choices)},
    "join_policy": dict(JoinPolicy.choices),
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key) or key.replace("_", " ").capitalize())


def value_words(key: str, value: Any) -> str:
    """One value of a snapshot in words; booleans and empty values too, as they were stored
    (some services stored them as text: "True", "None")."""
    if value == REDACTED:
        return _("hidden")
    if value is None or value in ("", "None", []):
        return _("not set")
    if value is True or value == "True":
        return _("yes")
    if value is False or value == "False":
        return _("no")
    if key == "fields" and isinstance(value, list):
        return ", ".join(str(DETAIL_WORDS.get(v, v)) for v in value)
    if key == "permissions" and isinstance(value, list):
        from mutua.communities.views.common import PERMISSION_LABELS

        return ", ".join(str(PERMISSION_LABELS.get(v, v)) for v in value) or _("nothing extra")
    if isinstance(value, list):
        return ", ".join(value_words(key, v) for v in value)
    if key == "purpose":
        return str(PURPOSE_WORDS.get(value, value))
    if key in CHOICES and value in CHOICES[key]:
        return str(CHOICES[key][value])
    if isinstance(value, str) and DATE_RE.match(value):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k)}: {value_words(k, v)}" for k, v in value.items())
    return str(value)


def change_rows(before: dict, after: dict) -> list[tuple[str, str | None, str]]:
    """(field label, value before or None when there was none, value after)."""
    rows = []
    for key in dict.fromkeys([*before, *after]):
        old = value_words(key, before[key]) if key in before else None
        new = value_words(key, after.get(key)) if key in after else _("removed")
        rows.append((field_label(key), old, new))
    return rows
