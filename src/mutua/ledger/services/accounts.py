"""Turning the ledger on, limits, per-member overrides, support and nudges."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.permissions import membership_of, require
from mutua.ledger.models import Account, BreachMode, LedgerSettings
from mutua.ledger.services.common import (
    CONFIGURE,
    COORDINATE,
    USE,
    account_for,
    clean_reason,
    forget_settings,
    invalid,
    open_accounts,
    require_on,
)
from mutua.people.models import User

LIMIT_RANGE = 1000 * 60  # limits within ±1000 hours
SETTING_FIELDS = (
    "is_enabled",
    "floor_minutes",
    "ceiling_minutes",
    "fund_floor_minutes",
    "breach_mode",
)


def _snapshot(ledger: LedgerSettings) -> dict:
    return {f: getattr(ledger, f) for f in SETTING_FIELDS}


def _check_limit(field: str, value: int | None, *, sign: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > LIMIT_RANGE:
        raise invalid(field, _("Please give a whole number of minutes within 1000 hours."))
    if value * sign < 0:
        message = _("A floor is zero or below.") if sign < 0 else _("A ceiling is zero or above.")
        raise invalid(field, message)


@transaction.atomic
def ledger_configure(*, actor: User, community: Community, **changes) -> LedgerSettings:
    """Stewards turn the ledger on or off and choose block or flag; coordinators set limits."""
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], _("This setting does not exist."))
    changes = {k: v for k, v in changes.items() if v is not None}
    if {"is_enabled", "breach_mode"} & set(changes):
        require(actor, CONFIGURE, community)
    else:
        require(actor, COORDINATE, community)
    if "breach_mode" in changes and changes["breach_mode"] not in BreachMode.values:
        raise invalid("breach_mode", _("Please choose to block or to flag."))
    _check_limit("floor_minutes", changes.get("floor_minutes"), sign=-1)
    _check_limit("fund_floor_minutes", changes.get("fund_floor_minutes"), sign=-1)
    _check_limit("ceiling_minutes", changes.get("ceiling_minutes"), sign=1)
    ledger, _created = LedgerSettings.objects.select_for_update().get_or_create(community=community)
    before = _snapshot(ledger)
    for field, value in changes.items():
        setattr(ledger, field, value)
    ledger.save()
    forget_settings(community)
    if ledger.is_enabled:
        open_accounts(community)
    audit_record(
        actor=actor,
        action="ledger.settings",
        community=community,
        target=community,
        before=before,
        after=_snapshot(ledger),
    )
    return ledger


def _member_account(community: Community, member: User) -> Account:
    if membership_of(member, community) is None:
        raise invalid("member", _("This person is not a member of this community."))
    account = account_for(community, member)
    return Account.objects.select_for_update().get(pk=account.pk)


@transaction.atomic
def account_set_limits(
    *,
    actor: User,
    community: Community,
    member: User,
    floor_minutes: int | None,
    ceiling_minutes: int | None,
    reason: str,
) -> Account:
    """A coordinator gives one member their own floor and ceiling (None: the community's)."""
    require(actor, COORDINATE, community)
    require_on(community)
    reason = clean_reason(reason, required=True)
    _check_limit("floor_minutes", floor_minutes, sign=-1)
    _check_limit("ceiling_minutes", ceiling_minutes, sign=1)
    account = _member_account(community, member)
    before = {"floor": account.floor_override, "ceiling": account.ceiling_override}
    account.floor_override, account.ceiling_override = floor_minutes, ceiling_minutes
    account.save(update_fields=["floor_override", "ceiling_override"])
    audit_record(
        actor=actor,
        action="ledger.limits",
        community=community,
        target=account,
        subject=member,
        before=before,
        after={"floor": floor_minutes, "ceiling": ceiling_minutes},
        reason=reason,
        is_safeguarding=True,  # a member's own limits, and why: coordinators and them only
    )
    return account


@transaction.atomic
def account_set_supported(
    *, actor: User, community: Community, member: User, is_supported: bool, reason: str
) -> Account:
    """A coordinator decides a member receives from the fund for now (audit-logged)."""
    require(actor, COORDINATE, community)
    require_on(community)
    reason = clean_reason(reason, required=True)
    account = _member_account(community, member)
    before = {"is_supported": account.is_supported}
    account.is_supported = bool(is_supported)
    account.save(update_fields=["is_supported"])
    audit_record(
        actor=actor,
        action="ledger.supported",
        community=community,
        target=account,
        subject=member,
        before=before,
        after={"is_supported": account.is_supported},
        reason=reason,
        is_safeguarding=True,  # who receives from the fund, and why: coordinators and them only
    )
    return account


@transaction.atomic
def account_set_nudge(*, actor: User, community: Community, wants_nudge: bool) -> Account:
    """A member opts in or out of a gentle nudge about their balance."""
    require(actor, USE, community)
    require_on(community)
    account = account_for(community, actor)
    account.wants_nudge = bool(wants_nudge)
    account.save(update_fields=["wants_nudge"])
    return account


UNSET = object()


@transaction.atomic
def account_update(
    *,
    actor: User,
    community: Community,
    member: User,
    reason: str,
    floor_minutes=UNSET,
    ceiling_minutes=UNSET,
    is_supported=UNSET,
) -> Account:
    """Change only what is given: a member's own limits (None: the community's), fund support."""
    require(actor, COORDINATE, community)
    account = _member_account(community, member)
    if floor_minutes is not UNSET or ceiling_minutes is not UNSET:
        account = account_set_limits(
            actor=actor,
            community=community,
            member=member,
            floor_minutes=account.floor_override if floor_minutes is UNSET else floor_minutes,
            ceiling_minutes=(
                account.ceiling_override if ceiling_minutes is UNSET else ceiling_minutes
            ),
            reason=reason,
        )
    if is_supported is not UNSET and is_supported is not None:
        account = account_set_supported(
            actor=actor,
            community=community,
            member=member,
            is_supported=bool(is_supported),
            reason=reason,
        )
    return account
