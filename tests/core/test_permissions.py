"""The role matrix, custom roles, two-factor sign-in for staff, and access to sensitive details."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from mutua.communities.models import CustomRole
from mutua.communities.services import custom_role_assign
from mutua.core import permissions
from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.permissions import (
    GRANTABLE,
    MATRIX,
    RANK,
    can,
    forget_memberships,
    register_sensitive_rule,
    require,
    sensitive_access,
)
from tests.factories import add_member, make_community, make_user

ROLES = ("steward", "coordinator", "caller", "member")


def _give_totp(user) -> None:
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_the_actions_at_or_below_its_rank(cast, role, action):
    user = getattr(cast, role)
    expected = RANK[role] >= RANK[MATRIX[action]]

    assert can(user, action, cast.community) is expected
    if expected:
        assert require(user, action, cast.community).user == user
    else:
        with pytest.raises(PermissionDenied) as exc:
            require(user, action, cast.community)
        assert exc.value.status == 403
        assert "role" in exc.value.message


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_outsider_may_do_nothing_in_a_community(cast, action):
    assert not can(cast.outsider, action, cast.community)
    with pytest.raises(PermissionDenied, match="not a member"):
        require(cast.outsider, action, cast.community)


def test_anonymous_visitor_may_do_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), "community.view", cast.community)
    assert not can(None, "community.view", cast.community)


def test_member_of_another_community_has_no_powers_here(cast):
    other = make_community(cast.outsider)

    assert can(cast.outsider, "community.edit", other)
    assert not can(cast.outsider, "community.view", cast.community)


def test_unknown_action_is_a_programming_error(cast):
    with pytest.raises(KeyError):
        can(cast.steward, "community.explode", cast.community)


def test_former_member_loses_every_power(cast):
    membership = add_member(cast.community, cast.coordinator, role="coordinator", status="left")
    forget_memberships(membership.user)

    assert not can(cast.coordinator, "community.view", cast.community)


def test_grantable_actions_are_everything_short_of_the_stewards_powers():
    steward_only = {a for a, r in MATRIX.items() if r == "steward"}

    assert set(GRANTABLE) == set(MATRIX) - steward_only
    assert "community.edit" not in GRANTABLE


def test_custom_role_grants_its_grantable_actions_to_a_member(cast):
    role = CustomRole.objects.create(
        community=cast.community, name="Welcomers", permissions=["member.invite"]
    )
    membership = add_member(cast.community, cast.member)
    membership.custom_roles.add(role)
    forget_memberships(cast.member)

    assert can(cast.member, "member.invite", cast.community)
    assert not can(cast.member, "application.decide", cast.community)


def test_custom_role_cannot_grant_a_stewards_power_even_if_stored(cast):
    # Given a role whose stored permissions were tampered with to include a steward's power
    role = CustomRole.objects.create(
        community=cast.community, name="Usurpers", permissions=["community.edit", "role.manage"]
    )
    membership = add_member(cast.community, cast.member)
    membership.custom_roles.add(role)
    forget_memberships(cast.member)

    assert not can(cast.member, "community.edit", cast.community)
    assert not can(cast.member, "role.manage", cast.community)


def test_custom_role_of_another_community_cannot_be_given_here(cast):
    other = make_community(cast.outsider)
    role = CustomRole.objects.create(
        community=other, name="Inviters", permissions=["member.invite"]
    )
    membership = add_member(cast.community, cast.member)

    with pytest.raises(ValidationFailed) as exc:
        custom_role_assign(actor=cast.steward, membership=membership, role=role)

    assert "role" in exc.value.field_errors
    assert not membership.custom_roles.exists()
    assert not can(cast.member, "member.invite", cast.community)


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_staff_without_two_factor_are_refused_staff_actions_when_required(cast, role):
    cast.community.require_mfa_for_staff = True
    cast.community.save()
    user = getattr(cast, role)

    assert not can(user, "member.invite", cast.community)
    with pytest.raises(PermissionDenied, match="two-factor"):
        require(user, "member.invite", cast.community)


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_staff_with_a_totp_authenticator_may_act_when_two_factor_is_required(cast, role):
    cast.community.require_mfa_for_staff = True
    cast.community.save()
    user = getattr(cast, role)
    _give_totp(user)

    assert can(user, "member.invite", cast.community)
    assert require(user, "member.invite", cast.community).user == user


def test_two_factor_is_not_asked_for_member_level_actions(cast):
    cast.community.require_mfa_for_staff = True
    cast.community.save()

    assert can(cast.coordinator, "directory.view", cast.community)
    assert can(cast.caller, "calllist.view", cast.community)
    assert can(cast.member, "audit.read", cast.community)


def test_staff_act_without_two_factor_when_the_community_does_not_require_it(cast):
    assert not cast.community.require_mfa_for_staff
    assert can(cast.coordinator, "member.invite", cast.community)


# ---- sensitive_access -------------------------------------------------------------------


def test_a_person_sees_all_their_own_details(cast):
    assert sensitive_access(cast.member, cast.member) == "all"
    assert sensitive_access(cast.outsider, cast.outsider) == "all"


@pytest.mark.parametrize(
    ("viewer", "level"),
    [("steward", "all"), ("coordinator", "all"), ("caller", "phone"), ("member", "none")],
)
def test_sensitive_access_follows_the_viewers_role(cast, viewer, level):
    person = make_user("Pat Person")
    add_member(cast.community, person)

    assert sensitive_access(getattr(cast, viewer), person) == level


def test_outsider_sees_no_sensitive_details(cast):
    assert sensitive_access(cast.outsider, cast.member) == "none"


def test_anonymous_viewer_sees_no_sensitive_details(cast):
    assert sensitive_access(None, cast.member) == "none"


def test_coordinator_sees_nothing_of_a_person_in_no_shared_community(cast):
    assert sensitive_access(cast.coordinator, cast.outsider) == "none"


def test_coordinator_sees_nothing_of_a_former_member(cast):
    add_member(cast.community, cast.member, status="left")

    assert sensitive_access(cast.coordinator, cast.member) == "none"


def test_a_registered_rule_grants_access(cast, monkeypatch):
    # Given a later app's rule (e.g. "assigned helper of an active task") that names this pair
    monkeypatch.setattr(permissions, "SENSITIVE_ACCESS_RULES", [])
    register_sensitive_rule(
        lambda viewer, person: (viewer.pk, person.pk) == (cast.outsider.pk, cast.member.pk)
    )

    assert sensitive_access(cast.outsider, cast.member) == "all"
    assert sensitive_access(cast.outsider, cast.caller) == "none"
