"""A community's trust settings: thresholds, backers, damping, the vouch limit and the gates.

Coordinators (`trust.manage`) may switch the gates on and set the monthly vouch limit:
day-to-day running. Stewards (`community.edit`) also set what the levels mean (thresholds,
backers needed, damping), because that changes who is trusted across the whole community, and
only they switch the gates off: that lets every member past every gate, home addresses too.
Every change is audit-logged with before and after; a change to the scoring recomputes soon.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.errors import ValidationFailed
from mutua.core.permissions import require
from mutua.people.models import User
from mutua.trust.models import SETTING_RANGES, TrustSettings
from mutua.trust.stale import trust_recompute_soon

COORDINATOR_FIELDS = ("gates_enabled", "vouch_monthly_limit")
STEWARD_FIELDS = ("known_at", "trusted_at", "min_backers", "damping")
SETTING_FIELDS = COORDINATOR_FIELDS + STEWARD_FIELDS
INTEGER_FIELDS = frozenset({"min_backers", "vouch_monthly_limit"})


def _snapshot(conf: TrustSettings) -> dict:
    return {field: getattr(conf, field) for field in SETTING_FIELDS}


def _errors(conf: TrustSettings, changes: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, value in changes.items():
        if field == "gates_enabled":
            if not isinstance(value, bool):
                errors[field] = [_("Please choose on or off.")]
            continue
        low, high = SETTING_RANGES[field]
        whole = field in INTEGER_FIELDS
        valid_type = isinstance(value, int) if whole else isinstance(value, int | float)
        if isinstance(value, bool) or not valid_type or not low <= value <= high:
            errors[field] = [
                _("Please give a number from %(low)s to %(high)s.")
                % {"low": int(low) if whole else low, "high": int(high) if whole else high}
            ]
    known = changes.get("known_at", conf.known_at)
    trusted = changes.get("trusted_at", conf.trusted_at)
    if not errors.keys() & {"known_at", "trusted_at"} and not trusted > known:
        field = "trusted_at" if "trusted_at" in changes else "known_at"
        errors[field] = [_("“Trusted” needs a higher score than “known”.")]
    return errors


@transaction.atomic
def trust_settings_update(*, actor: User, community: Community, **changes) -> TrustSettings:
    """Coordinators switch the gates on and set the vouch limit; stewards also switch the gates
    off and set what the levels mean."""
    unknown = sorted(set(changes) - set(SETTING_FIELDS))
    if unknown:
        message = _("This setting does not exist.")
        raise ValidationFailed(message, field_errors={unknown[0]: [message]})
    require(actor, "trust.manage", community)
    conf, _created = TrustSettings.objects.select_for_update().get_or_create(community=community)
    # Only what differs counts: a coordinator saving the page unchanged never touches thresholds.
    changes = {k: v for k, v in changes.items() if v is not None and getattr(conf, k) != v}
    if changes.keys() & set(STEWARD_FIELDS) or changes.get("gates_enabled") is False:
        require(actor, "community.edit", community)
    errors = _errors(conf, changes)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    if not changes:
        return conf
    before = _snapshot(conf)
    for field, value in changes.items():
        setattr(conf, field, value if field in INTEGER_FIELDS | {"gates_enabled"} else float(value))
    conf.save()
    community.__dict__.pop("_trust_settings", None)  # settings_of() reads the new values
    audit_record(
        actor=actor,
        action="trust.settings",
        community=community,
        target=community,
        before={k: v for k, v in before.items() if k in changes},
        after={k: getattr(conf, k) for k in changes},
    )
    if changes.keys() & set(STEWARD_FIELDS):  # levels follow the new rules soon
        trust_recompute_soon(community=community)
    return conf
