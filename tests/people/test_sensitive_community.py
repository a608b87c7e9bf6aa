"""Reads of sensitive details happen in one community: the viewer's powers there count, and the
read is logged there. Call lists read phones in a batch: one query, one INSERT."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied
from mutua.core.models import AuditEntry
from mutua.people.services import sensitive_phones_read, sensitive_read, sensitive_update
from tests.factories import add_member, make_community, make_user


@pytest.fixture
def two_communities(db):
    """Omar is in Alpha and Beta; Cleo coordinates Beta and is a plain member of Alpha."""
    alpha = make_community(make_user("Alpha Steward"), name="Alpha", slug="alpha")
    beta = make_community(make_user("Beta Steward"), name="Beta", slug="beta")
    omar = make_user("Omar Neighbour")
    cleo = make_user("Cleo Coordinator")
    add_member(alpha, omar)
    add_member(beta, omar)
    add_member(alpha, cleo)  # joined Alpha first: the old code logged here
    add_member(beta, cleo, role="coordinator")
    sensitive_update(user=omar, phone="+44 20 7946 0000", address="1 Mill Lane")
    return alpha, beta, omar, cleo


def test_a_read_without_a_community_is_logged_where_it_was_allowed(two_communities):
    _alpha, beta, omar, cleo = two_communities

    sensitive_read(viewer=cleo, person=omar, purpose="coordinator view")

    entry = AuditEntry.objects.get(action="sensitive.read")
    assert entry.community == beta


def test_a_read_in_a_community_is_checked_and_logged_there(two_communities):
    _alpha, beta, omar, cleo = two_communities

    values = sensitive_read(viewer=cleo, person=omar, community=beta)

    assert values["address"] == "1 Mill Lane"
    assert AuditEntry.objects.get(action="sensitive.read").community == beta


def test_a_read_in_a_community_where_the_viewer_has_no_power_is_refused(two_communities):
    alpha, _beta, omar, cleo = two_communities

    with pytest.raises(PermissionDenied):
        sensitive_read(viewer=cleo, person=omar, community=alpha)

    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def test_a_read_about_someone_not_in_the_community_is_refused(two_communities):
    alpha, beta, _omar, cleo = two_communities
    stranger = make_user("Stranger")
    add_member(alpha, stranger)
    sensitive_update(user=stranger, phone="+44 20 7946 0009")

    with pytest.raises(PermissionDenied):
        sensitive_read(viewer=cleo, person=stranger, community=beta)


# ---- call lists: phones in a batch -------------------------------------------------------------


def _members(community, n):
    people = []
    for i in range(n):
        person = make_user(f"Caller Target {i}")
        add_member(community, person)
        sensitive_update(user=person, phone=f"+44 20 7946 {1000 + i}")
        people.append(person)
    return people


def test_phones_for_a_call_list_are_read_in_one_query_and_logged_in_one_insert(
    cast, django_assert_num_queries
):
    people = _members(cast.community, 30)
    cast.caller.__dict__.pop("_mutua_memberships", None)

    # two for the caller's membership (and its custom roles), one for the phones, one INSERT
    with django_assert_num_queries(4):
        phones = sensitive_phones_read(viewer=cast.caller, community=cast.community, people=people)

    assert phones[people[0].pk] == "+44 20 7946 1000"
    entries = AuditEntry.objects.filter(action="sensitive.read", actor=cast.caller)
    assert entries.count() == 30
    assert {e.subject_id for e in entries} == {p.pk for p in people}
    assert all(e.is_safeguarding and e.community == cast.community for e in entries)
    assert entries.first().after == {"fields": ["phone"], "purpose": "call list"}


def test_each_person_on_a_call_list_sees_the_read_in_their_audit_log(cast):
    from mutua.communities.selectors import audit_list

    sensitive_update(user=cast.member, phone="+44 20 7946 0000")

    sensitive_phones_read(viewer=cast.caller, community=cast.community, people=[cast.member])

    seen = audit_list(viewer=cast.member, community=cast.community)
    assert [e.actor for e in seen if e.action == "sensitive.read"] == [cast.caller]


def test_people_outside_the_community_and_the_caller_are_left_out(cast):
    outsider = cast.outsider
    sensitive_update(user=outsider, phone="+44 20 7946 0001")

    phones = sensitive_phones_read(
        viewer=cast.caller, community=cast.community, people=[outsider, cast.caller, cast.member]
    )

    assert set(phones) == {cast.member.pk}
    assert phones[cast.member.pk] == ""  # no phone given: still a read, still logged
    assert AuditEntry.objects.filter(action="sensitive.read").count() == 1


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_members_and_outsiders_cannot_read_a_call_list_and_nothing_is_logged(cast, role):
    with pytest.raises(PermissionDenied):
        sensitive_phones_read(
            viewer=getattr(cast, role), community=cast.community, people=[cast.coordinator]
        )

    assert not AuditEntry.objects.filter(action="sensitive.read").exists()
