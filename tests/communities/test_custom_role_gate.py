"""A custom role with coordinators' powers asks the trust level a coordinator needs."""

from __future__ import annotations

import pytest

from mutua.communities.models import Membership
from mutua.communities.services import custom_role_assign, custom_role_create, custom_role_update
from mutua.core.errors import PermissionDenied
from mutua.core.models import AuditEntry
from mutua.core.permissions import can
from mutua.trust import services as trust
from tests.trust.helpers import vouch


def _m(cast, user=None) -> Membership:
    return Membership.objects.get(community=cast.community, user=user or cast.member)


def _role(cast, permissions, name="Safeguarding lead"):
    return custom_role_create(
        actor=cast.steward, community=cast.community, name=name, permissions=permissions
    )


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # the member's next request


def _make_trusted(cast, user) -> None:
    """Two members with standing vouch for `user` (as in the trust tests)."""
    vouch(cast.community, cast.steward, user)
    vouch(cast.community, cast.steward, cast.coordinator)
    vouch(cast.community, cast.coordinator, user)
    trust.trust_recompute(cast.community)
    assert trust.trust_level_of(user, cast.community) == "trusted"


@pytest.mark.parametrize("power", ["safeguarding.review", "sensitive.read", "trust.manage"])
def test_a_role_with_coordinators_powers_is_refused_to_a_member_not_yet_trusted(cast, power):
    trust.trust_recompute(cast.community)
    role = _role(cast, [power])
    with pytest.raises(PermissionDenied) as refused:
        custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)
    assert "trusted" in refused.value.message
    assert not _m(cast).custom_roles.exists()
    assert not can(_fresh(cast.member), power, cast.community)
    assert not AuditEntry.objects.filter(action="member.custom_role").exists()


def test_a_trusted_member_may_be_given_a_role_with_coordinators_powers(cast):
    _make_trusted(cast, cast.member)
    role = _role(cast, ["safeguarding.review", "sensitive.read"])
    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)
    assert can(_fresh(cast.member), "safeguarding.review", cast.community)


def test_a_role_without_coordinators_powers_needs_no_trust_level(cast):
    trust.trust_recompute(cast.community)
    role = _role(cast, ["calllist.view"], name="Phone friends")
    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)
    assert can(_fresh(cast.member), "calllist.view", cast.community)


def test_taking_a_role_back_is_never_refused(cast):
    _make_trusted(cast, cast.member)
    role = _role(cast, ["safeguarding.review"])
    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)
    trust.vouch_revoke(actor=cast.steward, vouch=cast.member.vouches_received.first())
    trust.trust_recompute(cast.community)
    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role, granted=False)
    assert not _m(cast).custom_roles.exists()


def test_adding_coordinators_powers_to_a_role_held_by_a_member_not_trusted_is_refused(cast):
    trust.trust_recompute(cast.community)
    role = _role(cast, ["calllist.view"], name="Phone friends")
    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)
    with pytest.raises(PermissionDenied):
        custom_role_update(
            actor=cast.steward, role=role, permissions=["calllist.view", "sensitive.read"]
        )
    role.refresh_from_db()
    assert role.permissions == ["calllist.view"]
    assert not can(_fresh(cast.member), "sensitive.read", cast.community)


def test_adding_coordinators_powers_to_a_role_held_by_trusted_members_is_allowed(cast):
    _make_trusted(cast, cast.member)
    role = _role(cast, ["calllist.view"], name="Phone friends")
    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)
    custom_role_update(
        actor=cast.steward, role=role, permissions=["calllist.view", "sensitive.read"]
    )
    assert can(_fresh(cast.member), "sensitive.read", cast.community)
