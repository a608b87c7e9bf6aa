"""Role changes, removals and leaving; a community always keeps a steward."""

from __future__ import annotations

import itertools

import pytest
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.communities.models import Membership
from mutua.communities.services import (
    membership_change_role,
    membership_leave,
    membership_remove,
)
from mutua.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.core.permissions import can, forget_memberships
from tests.factories import add_member, make_community, make_user


def _m(community, user) -> Membership:
    return Membership.objects.get(community=community, user=user)


def _state(community) -> list[dict]:
    return [model_to_dict(m) for m in Membership.objects.filter(community=community)]


# ---- membership_change_role -------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "caller", "coordinator", "steward"])
def test_a_steward_sets_any_role_and_it_is_audit_logged(cast, role):
    target = _m(cast.community, cast.caller)

    membership = membership_change_role(actor=cast.steward, membership=target, role=role)

    assert membership.role == role == _m(cast.community, cast.caller).role
    if role != "caller":
        entry = AuditEntry.objects.get(action="member.role", subject=cast.caller)
        assert (entry.before, entry.after, entry.actor) == (
            {"role": "caller"},
            {"role": role},
            cast.steward,
        )


def test_a_new_role_takes_effect_from_the_next_request(cast):
    assert not can(cast.member, "member.invite", cast.community)

    membership_change_role(
        actor=cast.steward, membership=_m(cast.community, cast.member), role="coordinator"
    )

    next_request_user = type(cast.member).objects.get(pk=cast.member.pk)
    assert can(next_request_user, "member.invite", cast.community)


def test_setting_the_same_role_changes_nothing_and_logs_nothing(cast):
    membership_change_role(
        actor=cast.steward, membership=_m(cast.community, cast.member), role="member"
    )

    assert not AuditEntry.objects.filter(action="member.role", subject=cast.member).exists()


@pytest.mark.parametrize(("who", "new"), [("member", "caller"), ("caller", "member")])
def test_a_coordinator_makes_and_unmakes_callers(cast, who, new):
    membership = membership_change_role(
        actor=cast.coordinator, membership=_m(cast.community, getattr(cast, who)), role=new
    )

    assert membership.role == new


@pytest.mark.parametrize(
    ("who", "new"),
    [
        ("member", "coordinator"),
        ("member", "steward"),
        ("caller", "coordinator"),
        ("steward", "member"),
        ("coordinator", "member"),
        ("coordinator", "caller"),
    ],
)
def test_a_coordinator_cannot_change_roles_beyond_callers(cast, who, new):
    before = _state(cast.community)

    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=cast.coordinator, membership=_m(cast.community, getattr(cast, who)), role=new
        )

    assert _state(cast.community) == before


@pytest.mark.parametrize("actor", ["caller", "member", "outsider"])
def test_callers_members_and_outsiders_cannot_change_roles(cast, actor):
    before = _state(cast.community)

    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=getattr(cast, actor), membership=_m(cast.community, cast.member), role="caller"
        )

    assert _state(cast.community) == before


def test_an_unknown_role_is_refused(cast):
    with pytest.raises(ValidationFailed) as exc:
        membership_change_role(
            actor=cast.steward, membership=_m(cast.community, cast.member), role="king"
        )

    assert "role" in exc.value.field_errors
    assert _m(cast.community, cast.member).role == "member"


def test_the_last_steward_cannot_step_down(cast):
    with pytest.raises(Conflict):
        membership_change_role(
            actor=cast.steward, membership=_m(cast.community, cast.steward), role="coordinator"
        )

    assert _m(cast.community, cast.steward).role == "steward"


def test_a_steward_steps_down_once_another_steward_is_named(cast):
    membership_change_role(
        actor=cast.steward, membership=_m(cast.community, cast.coordinator), role="steward"
    )

    membership = membership_change_role(
        actor=cast.steward, membership=_m(cast.community, cast.steward), role="member"
    )

    assert membership.role == "member"


def test_the_role_of_a_former_member_cannot_change(cast):
    add_member(cast.community, cast.member, status="left")

    with pytest.raises(Conflict):
        membership_change_role(
            actor=cast.steward, membership=_m(cast.community, cast.member), role="caller"
        )


# ---- membership_remove ------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["steward", "coordinator"])
@pytest.mark.parametrize("who", ["member", "caller"])
def test_coordinators_remove_members_with_a_reason(cast, actor, who):
    target = getattr(cast, who)

    membership = membership_remove(
        actor=getattr(cast, actor),
        membership=_m(cast.community, target),
        reason="  Repeated no-shows  ",
    )

    assert (membership.status, membership.ended_reason) == ("removed", "Repeated no-shows")
    assert not can(target, "community.view", cast.community)
    entry = AuditEntry.objects.get(action="member.remove")
    assert entry.reason == "Repeated no-shows"
    assert entry.before == {"status": "active", "role": who}
    assert entry.after == {"status": "removed"}


def test_a_removal_needs_a_reason(cast):
    before = _state(cast.community)

    with pytest.raises(ValidationFailed) as exc:
        membership_remove(
            actor=cast.coordinator, membership=_m(cast.community, cast.member), reason="  "
        )

    assert "reason" in exc.value.field_errors
    assert _state(cast.community) == before
    assert not AuditEntry.objects.filter(action="member.remove").exists()


def test_a_coordinator_cannot_remove_another_coordinator(cast):
    other = make_user()
    add_member(cast.community, other, role="coordinator")
    before = _state(cast.community)

    with pytest.raises(PermissionDenied):
        membership_remove(
            actor=cast.coordinator, membership=_m(cast.community, other), reason="Disagreement"
        )

    assert _state(cast.community) == before


def test_a_coordinator_cannot_remove_a_steward(cast):
    with pytest.raises(PermissionDenied):
        membership_remove(
            actor=cast.coordinator, membership=_m(cast.community, cast.steward), reason="Coup"
        )

    assert _m(cast.community, cast.steward).status == "active"


def test_a_steward_removes_a_coordinator(cast):
    membership = membership_remove(
        actor=cast.steward, membership=_m(cast.community, cast.coordinator), reason="Stepped away"
    )

    assert membership.status == "removed"


@pytest.mark.parametrize("actor", ["caller", "member", "outsider"])
def test_callers_members_and_outsiders_cannot_remove_anyone(cast, actor):
    before = _state(cast.community)

    with pytest.raises(PermissionDenied):
        membership_remove(
            actor=getattr(cast, actor), membership=_m(cast.community, cast.member), reason="x"
        )

    assert _state(cast.community) == before


def test_nobody_removes_themselves(cast):
    with pytest.raises(ValidationFailed):
        membership_remove(
            actor=cast.coordinator, membership=_m(cast.community, cast.coordinator), reason="Bye"
        )

    assert _m(cast.community, cast.coordinator).status == "active"


def test_removing_someone_already_gone_is_a_conflict(cast):
    membership_remove(
        actor=cast.coordinator, membership=_m(cast.community, cast.member), reason="x"
    )

    with pytest.raises(Conflict):
        membership_remove(
            actor=cast.steward, membership=_m(cast.community, cast.member), reason="again"
        )


# ---- membership_leave -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "caller", "member"])
def test_anyone_but_the_last_steward_may_leave(cast, who):
    user = getattr(cast, who)

    membership = membership_leave(user=user, community=cast.community)

    assert membership.status == "left"
    assert membership.ended_at is not None
    assert not can(user, "community.view", cast.community)


def test_the_last_steward_cannot_leave(cast):
    before = _state(cast.community)

    with pytest.raises(Conflict):
        membership_leave(user=cast.steward, community=cast.community)

    assert _state(cast.community) == before


def test_an_outsider_cannot_leave(cast):
    with pytest.raises(NotFound):
        membership_leave(user=cast.outsider, community=cast.community)


# ---- the invariant ----------------------------------------------------------------------

_community_seq = itertools.count(1)
ROLES = ["member", "caller", "coordinator", "steward"]
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("role"),
            st.integers(0, 4),
            st.integers(0, 4),
            st.sampled_from(ROLES),
        ),
        st.tuples(st.just("remove"), st.integers(0, 4), st.integers(0, 4), st.just("")),
        st.tuples(st.just("leave"), st.integers(0, 4), st.integers(0, 4), st.just("")),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, initial=st.lists(st.sampled_from(ROLES), min_size=4, max_size=4))
def test_a_community_always_keeps_at_least_one_active_steward(db, ops, initial):
    # Build fresh state inside each example: the database is not reset between examples.
    n = next(_community_seq)
    founder = make_user(email=f"founder{n}@example.org")
    community = make_community(founder, slug=f"invariant-{n}")
    people = [founder]
    for i, role in enumerate(initial):
        person = make_user(email=f"p{n}-{i}@example.org")
        add_member(community, person, role=role)
        people.append(person)

    for kind, a, b, role in ops:
        for person in people:  # each operation is a new request
            forget_memberships(person)
        actor, target = people[a], people[b]
        try:
            if kind == "role":
                membership_change_role(actor=actor, membership=_m(community, target), role=role)
            elif kind == "remove":
                membership_remove(actor=actor, membership=_m(community, target), reason="test")
            else:
                membership_leave(user=actor, community=community)
        except DomainError:
            pass
        stewards = Membership.objects.filter(
            community=community, role="steward", status="active"
        ).count()
        assert stewards >= 1
