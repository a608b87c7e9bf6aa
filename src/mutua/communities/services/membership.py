"""Memberships: roles, removal, leaving, a member's own settings, attributes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import (
    Community,
    Membership,
    MembershipStatus,
    Role,
    ServiceArea,
)
from mutua.communities.services.common import (
    _active_stewards,
    _invalid,
    _snapshot,
)
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, NotFound
from mutua.core.geo import snap_to_cell
from mutua.core.permissions import forget_memberships, require
from mutua.people.models import User

MembershipEndHandler = Callable[..., object]
_END_HANDLERS: list[MembershipEndHandler] = []


def register_membership_end_handler(handler: MembershipEndHandler) -> MembershipEndHandler:
    """Apps that hold a member's activity in a community (places on needs, offers) register
    `handler(user=, community=)`; it runs in the same transaction whenever someone stops being
    an active member there (removed, left, suspended), so nobody waits for help that will not
    come. Handlers must be idempotent."""
    if handler not in _END_HANDLERS:
        _END_HANDLERS.append(handler)
    return handler


def membership_ended(*, user: User, community: Community) -> None:
    """Tell the registered apps that `user` is no longer an active member of `community`."""
    for handler in list(_END_HANDLERS):
        handler(user=user, community=community)


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Stewards set any role; coordinators may only make or unmake callers."""
    if role not in Role.values:
        raise _invalid("role", _("Please choose one of the roles."))
    community = membership.community
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise Conflict(_("This person is no longer a member."))
    caller_only = {membership.role, role} <= {Role.MEMBER, Role.CALLER}
    require(actor, "member.set_caller" if caller_only else "member.change_role", community)
    if membership.role == role:
        return membership
    if role in (Role.COORDINATOR, Role.STEWARD) and membership.role != Role.STEWARD:
        from mutua.trust.services import trust_gate_require  # a trust level gates staff roles

        trust_gate_require(membership.user, community, "coordinator")
    if membership.role == Role.STEWARD and _active_stewards(community) <= 1:
        raise Conflict(_("A community needs at least one steward."))
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    forget_memberships(membership.user)
    forget_memberships(actor)
    audit_record(
        actor=actor,
        action="member.role",
        community=community,
        target=membership,
        subject=membership.user,
        before={"role": before},
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership, reason: str) -> Membership:
    """Coordinators remove a member with a reason; only a steward removes staff."""
    community = membership.community
    require(actor, "member.remove", community)
    reason = reason.strip()
    if not reason:
        raise _invalid("reason", _("Please give a reason."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise Conflict(_("This person is no longer a member."))
    if membership.user_id == actor.pk:
        raise _invalid("reason", _("To leave the community yourself, use Leave."))
    if membership.role in (Role.COORDINATOR, Role.STEWARD):
        require(actor, "member.change_role", community)
        if membership.role == Role.STEWARD and _active_stewards(community) <= 1:
            raise Conflict(_("A community needs at least one steward."))
    membership.status = MembershipStatus.REMOVED
    membership.ended_reason, membership.ended_at = reason[:2000], timezone.now()
    membership.save()
    forget_memberships(membership.user)
    forget_memberships(actor)
    audit_record(
        actor=actor,
        action="member.remove",
        community=community,
        target=membership,
        subject=membership.user,
        before={"status": "active", "role": membership.role},
        after={"status": "removed"},
        reason=reason,
    )
    membership_ended(user=membership.user, community=community)
    return membership


@transaction.atomic
def membership_leave(*, user: User, community: Community) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .filter(community=community, user=user, status=MembershipStatus.ACTIVE)
        .first()
    )
    if membership is None:
        raise NotFound(_("You are not a member of this community."))
    if membership.role == Role.STEWARD and _active_stewards(community) <= 1:
        raise Conflict(_("You are the last steward. Name another steward before you leave."))
    membership.status, membership.ended_at = MembershipStatus.LEFT, timezone.now()
    membership.save()
    forget_memberships(user)
    membership_ended(user=user, community=community)
    return membership


@transaction.atomic
def membership_update_self(
    *,
    user: User,
    community: Community,
    service_area: ServiceArea | str | None = "",
    listed_in_directory: bool | None = None,
    is_vulnerable: bool | None = None,
) -> Membership:
    """A member chooses their service area, directory listing and whether they are vulnerable."""
    membership = (
        Membership.objects.select_for_update()
        .filter(community=community, user=user, status=MembershipStatus.ACTIVE)
        .first()
    )
    if membership is None:
        raise NotFound(_("You are not a member of this community."))
    if not isinstance(service_area, str):
        if service_area is not None and service_area.community_id != community.pk:
            raise _invalid("service_area", _("This area belongs to another community."))
        membership.service_area = service_area  # type: ignore[assignment]
        if service_area is not None:
            membership.approx_lat, membership.approx_lon = snap_to_cell(
                service_area.centre_lat, service_area.centre_lon, community.location_cell_m
            )
    if listed_in_directory is not None:
        membership.listed_in_directory = listed_in_directory
    if is_vulnerable is not None:
        if is_vulnerable and not membership.is_vulnerable:
            # Asking for extra care takes them out of the directory, even when the same form
            # still says "listed": they appear again only by opting in afterwards.
            membership.listed_in_directory = False
        membership.is_vulnerable = is_vulnerable
    membership.save()
    return membership


@transaction.atomic
def membership_set_location(
    *, actor: User, membership: Membership, lat: float, lon: float
) -> Membership:
    """Store a location (from the browser, with consent, or a coordinator) snapped to a cell."""
    community = membership.community
    if actor.pk != membership.user_id:
        require(actor, "member.set_location", community)
    elif not Membership.objects.filter(pk=membership.pk, status=MembershipStatus.ACTIVE).exists():
        raise NotFound(_("You are not a member of this community."))
    try:
        approx = snap_to_cell(float(lat), float(lon), community.location_cell_m)
    except (TypeError, ValueError):
        raise _invalid("lat", _("These coordinates are not on Earth.")) from None
    Membership.objects.filter(pk=membership.pk).update(approx_lat=approx[0], approx_lon=approx[1])
    membership.approx_lat, membership.approx_lon = approx
    if actor.pk != membership.user_id:
        audit_record(
            actor=actor,
            action="member.location",
            community=community,
            target=membership,
            subject=membership.user,
        )
    return membership


@transaction.atomic
def membership_set_attributes(
    *,
    actor: User,
    membership: Membership,
    vetted_until: dt.date | str | None = "",
    is_vulnerable: bool | None = None,
) -> Membership:
    """Coordinators record vetting (until a date) and the vulnerable flag, audit-logged."""
    community = membership.community
    require(actor, "member.set_attributes", community)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = _snapshot(membership, ("vetted_until", "is_vulnerable"))
    if vetted_until != "":
        membership.vetted_until = vetted_until  # type: ignore[assignment]
    if is_vulnerable is not None:
        membership.is_vulnerable = is_vulnerable
        if is_vulnerable and before["is_vulnerable"] is False:
            membership.listed_in_directory = False  # listed again only if they opt in
    membership.save()
    after = _snapshot(membership, ("vetted_until", "is_vulnerable"))
    # Only what changed: an entry every member reads must not mention the vulnerable flag.
    changed = [k for k in after if str(after[k]) != str(before[k])]
    if changed:
        audit_record(
            actor=actor,
            action="member.attributes",
            community=community,
            target=membership,
            subject=membership.user,
            before={k: str(before[k]) for k in changed},
            after={k: str(after[k]) for k in changed},
            is_safeguarding="is_vulnerable" in changed,
        )
    return membership
