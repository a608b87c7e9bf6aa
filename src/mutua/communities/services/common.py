"""Helpers and constants shared by the community services."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from mutua.communities.models import (
    Community,
    Membership,
    MembershipStatus,
    Role,
)
from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.permissions import forget_memberships
from mutua.people.models import User

RESERVED_SLUGS = frozenset({"new", "api", "admin", "accounts", "static", "me", "join", "health"})
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$")
INVITATION_DAYS = 14
MAX_BULK_INVITATIONS = 500


def _invalid(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field_name: [message]})


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _activate_membership(*, community: Community, user: User) -> Membership:
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership is None:
        membership = Membership.objects.create(community=community, user=user)
    elif membership.status == MembershipStatus.ACTIVE:
        raise Conflict(_("You are already a member of this community."))
    elif membership.status in (MembershipStatus.REMOVED, MembershipStatus.SUSPENDED):
        raise PermissionDenied(_("Please contact the coordinators of this community."))
    else:
        membership.status = MembershipStatus.ACTIVE
        membership.role = Role.MEMBER
        membership.ended_at = None
        membership.ended_reason = ""
        membership.save()
        # Coming back starts afresh: custom roles held before leaving are not handed back.
        membership.custom_roles.clear()
    forget_memberships(user)
    return membership


def _active_stewards(community: Community) -> int:
    return Membership.objects.filter(
        community=community, role=Role.STEWARD, status=MembershipStatus.ACTIVE
    ).count()
