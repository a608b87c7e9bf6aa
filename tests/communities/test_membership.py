"""A member's own settings, locations, coordinators' attributes, areas, skills, custom roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from mutua.communities.models import CustomRole, Membership, ServiceArea
from mutua.communities.selectors import area_list, audit_list, skill_list
from mutua.communities.services import (
    area_create,
    custom_role_assign,
    custom_role_create,
    membership_set_attributes,
    membership_set_location,
    membership_update_self,
    skill_add,
)
from mutua.core.errors import NotFound, PermissionDenied, ValidationFailed
from mutua.core.geo import snap_to_cell
from mutua.core.models import AuditEntry
from mutua.core.permissions import can
from mutua.people.models import Skill
from tests.factories import add_member, make_area, make_community


def _m(cast, who="member") -> Membership:
    return Membership.objects.get(community=cast.community, user=getattr(cast, who))


def _row(membership) -> dict:
    return model_to_dict(Membership.objects.get(pk=membership.pk))


# ---- membership_update_self -------------------------------------------------------------


def test_a_member_chooses_an_area_and_their_location_becomes_its_snapped_centre(cast):
    area = make_area(cast.community, lat=51.50731, lon=-0.12763)

    membership = membership_update_self(
        user=cast.member, community=cast.community, service_area=area
    )

    expected = snap_to_cell(51.50731, -0.12763, cast.community.location_cell_m)
    assert membership.service_area == area
    assert (membership.approx_lat, membership.approx_lon) == expected
    assert expected != (51.50731, -0.12763)


def test_an_area_of_another_community_is_refused_and_nothing_changes(cast):
    foreign = make_area(make_community())
    before = _row(_m(cast))

    with pytest.raises(ValidationFailed) as exc:
        membership_update_self(
            user=cast.member, community=cast.community, service_area=foreign, is_vulnerable=True
        )

    assert "service_area" in exc.value.field_errors
    assert _row(_m(cast)) == before


def test_a_member_may_clear_their_area(cast):
    area = make_area(cast.community)
    membership_update_self(user=cast.member, community=cast.community, service_area=area)

    membership = membership_update_self(
        user=cast.member, community=cast.community, service_area=None
    )

    assert membership.service_area is None


def test_leaving_the_area_argument_out_keeps_the_area(cast):
    area = make_area(cast.community)
    membership_update_self(user=cast.member, community=cast.community, service_area=area)

    membership = membership_update_self(
        user=cast.member, community=cast.community, listed_in_directory=False
    )

    assert membership.service_area == area
    assert membership.listed_in_directory is False


def test_a_vulnerable_member_opts_into_the_directory(cast):
    membership_set_attributes(actor=cast.coordinator, membership=_m(cast), is_vulnerable=True)

    membership = membership_update_self(
        user=cast.member, community=cast.community, listed_in_directory=True
    )

    assert membership.is_vulnerable and membership.listed_in_directory


def test_an_outsider_has_no_membership_to_update(cast):
    with pytest.raises(NotFound):
        membership_update_self(user=cast.outsider, community=cast.community, is_vulnerable=True)


# ---- membership_set_location ------------------------------------------------------------


def test_a_member_sets_their_own_location_snapped_to_the_cell_without_an_audit_entry(cast):
    membership = membership_set_location(
        actor=cast.member, membership=_m(cast), lat=51.501364, lon=-0.14189
    )

    expected = snap_to_cell(51.501364, -0.14189, 500)
    assert (membership.approx_lat, membership.approx_lon) == expected
    row = _row(membership)
    assert (row["approx_lat"], row["approx_lon"]) == expected
    assert not AuditEntry.objects.filter(action="member.location").exists()


def test_the_cell_size_follows_the_community(cast):
    cast.community.location_cell_m = 5000
    cast.community.save()

    membership = membership_set_location(actor=cast.member, membership=_m(cast), lat=57.0, lon=-4.0)

    assert (membership.approx_lat, membership.approx_lon) == snap_to_cell(57.0, -4.0, 5000)


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_a_coordinator_sets_a_members_location_and_it_is_audit_logged(cast, role):
    membership_set_location(actor=getattr(cast, role), membership=_m(cast), lat=51.5, lon=-0.1)

    entry = AuditEntry.objects.get(action="member.location")
    assert (entry.actor, entry.subject) == (getattr(cast, role), cast.member)
    assert "51.5" not in str(entry.after)


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_others_cannot_set_a_members_location(cast, role):
    target = _m(cast, "coordinator" if role == "member" else "member")
    before = _row(target)

    with pytest.raises(PermissionDenied):
        membership_set_location(actor=getattr(cast, role), membership=target, lat=1.0, lon=1.0)

    assert _row(target) == before


@pytest.mark.parametrize(
    ("lat", "lon"), [(91.0, 0.0), (0.0, -181.0), (float("nan"), 0.0), ("north", 0.0), (None, 0)]
)
def test_coordinates_not_on_earth_are_refused(cast, lat, lon):
    before = _row(_m(cast))

    with pytest.raises(ValidationFailed) as exc:
        membership_set_location(actor=cast.member, membership=_m(cast), lat=lat, lon=lon)

    assert "lat" in exc.value.field_errors
    assert _row(_m(cast)) == before


# ---- membership_set_attributes ----------------------------------------------------------


def test_marking_a_member_vulnerable_unlists_them_and_is_a_safeguarding_entry(cast):
    membership = membership_set_attributes(
        actor=cast.coordinator, membership=_m(cast), is_vulnerable=True
    )

    assert membership.is_vulnerable is True
    assert membership.listed_in_directory is False
    entry = AuditEntry.objects.get(action="member.attributes")
    assert entry.is_safeguarding is True
    assert (entry.before, entry.after) == ({"is_vulnerable": "False"}, {"is_vulnerable": "True"})
    assert entry in audit_list(viewer=cast.member, community=cast.community)
    assert entry not in audit_list(viewer=cast.caller, community=cast.community)


def test_marking_an_already_vulnerable_member_again_keeps_their_opt_in(cast):
    membership_set_attributes(actor=cast.coordinator, membership=_m(cast), is_vulnerable=True)
    membership_update_self(user=cast.member, community=cast.community, listed_in_directory=True)

    membership = membership_set_attributes(
        actor=cast.coordinator, membership=_m(cast), is_vulnerable=True
    )

    assert membership.listed_in_directory is True


def test_recording_vetting_is_logged_without_revealing_the_vulnerable_flag(cast):
    membership_set_attributes(actor=cast.coordinator, membership=_m(cast), is_vulnerable=True)
    until = dt.date(2030, 1, 31)

    membership = membership_set_attributes(
        actor=cast.coordinator, membership=_m(cast), vetted_until=until
    )

    assert _row(membership)["vetted_until"] == until
    entry = AuditEntry.objects.filter(action="member.attributes").first()
    assert entry.is_safeguarding is False
    assert (entry.before, entry.after) == ({"vetted_until": "None"}, {"vetted_until": "2030-01-31"})
    # every member may read this entry, so it must not say that the person is vulnerable
    assert entry in audit_list(viewer=cast.caller, community=cast.community)
    assert "is_vulnerable" not in entry.before | entry.after


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_set_member_attributes(cast, role):
    target = _m(cast, "caller" if role == "member" else "member")
    before = _row(target)

    with pytest.raises(PermissionDenied):
        membership_set_attributes(actor=getattr(cast, role), membership=target, is_vulnerable=True)

    assert _row(target) == before
    assert not AuditEntry.objects.filter(action="member.attributes").exists()


# ---- areas ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_coordinators_create_nested_areas(cast, role):
    actor = getattr(cast, role)
    town = area_create(
        actor=actor,
        community=cast.community,
        name=" Riverside Town ",
        centre_lat=51.5,
        centre_lon=0,
    )

    street = area_create(
        actor=actor,
        community=cast.community,
        name="Mill Lane",
        centre_lat=51.51,
        centre_lon=0.01,
        parent=town,
    )

    assert (town.name, town.slug) == ("Riverside Town", "riverside-town")
    assert street.parent == town
    assert set(area_list(community=cast.community)) == {town, street}
    assert AuditEntry.objects.filter(action="area.create").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"centre_lat": 95.0}, "centre_lat"),
        ({"centre_lon": -200.0}, "centre_lat"),
        ({"centre_lat": float("nan")}, "centre_lat"),
    ],
)
def test_bad_areas_are_refused_and_nothing_is_created(cast, kwargs, field):
    values = {"name": "Mill Lane", "centre_lat": 51.5, "centre_lon": 0.0, **kwargs}

    with pytest.raises(ValidationFailed) as exc:
        area_create(actor=cast.coordinator, community=cast.community, **values)

    assert field in exc.value.field_errors
    assert ServiceArea.objects.count() == 0


def test_an_area_cannot_nest_under_another_communitys_area(cast):
    foreign = make_area(make_community())

    with pytest.raises(ValidationFailed) as exc:
        area_create(
            actor=cast.coordinator,
            community=cast.community,
            name="Mill Lane",
            centre_lat=51.5,
            centre_lon=0,
            parent=foreign,
        )

    assert "parent" in exc.value.field_errors
    assert not ServiceArea.objects.filter(community=cast.community).exists()


def test_two_areas_with_the_same_name_are_refused(cast):
    area_create(
        actor=cast.coordinator,
        community=cast.community,
        name="Mill Lane",
        centre_lat=0,
        centre_lon=0,
    )

    with pytest.raises(ValidationFailed):
        area_create(
            actor=cast.coordinator,
            community=cast.community,
            name="Mill lane",
            centre_lat=0,
            centre_lon=0,
        )

    assert ServiceArea.objects.filter(community=cast.community).count() == 1


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_create_areas(cast, role):
    with pytest.raises(PermissionDenied):
        area_create(
            actor=getattr(cast, role),
            community=cast.community,
            name="Mill Lane",
            centre_lat=0,
            centre_lon=0,
        )

    assert ServiceArea.objects.count() == 0


# ---- skills -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_coordinators_add_a_skill_for_their_community(cast, role):
    skill = skill_add(
        actor=getattr(cast, role), community=cast.community, name="Boat repair", category="Water"
    )

    assert (skill.community, skill.slug, skill.category) == (cast.community, "boat-repair", "Water")
    assert skill in skill_list(community=cast.community)
    assert skill not in skill_list(community=make_community())
    assert skill not in skill_list(community=None)
    assert AuditEntry.objects.filter(action="skill.create").exists()


def test_a_skill_already_in_the_shared_list_is_refused(cast):
    shared = Skill.objects.create(slug="zz-shared-skill", name="Zz shared skill")
    count = Skill.objects.count()

    with pytest.raises(ValidationFailed) as exc:
        skill_add(actor=cast.coordinator, community=cast.community, name=shared.name)

    assert "name" in exc.value.field_errors
    assert Skill.objects.count() == count


def test_a_skill_already_in_the_community_list_is_refused(cast):
    skill_add(actor=cast.coordinator, community=cast.community, name="Boat repair")

    with pytest.raises(ValidationFailed):
        skill_add(actor=cast.steward, community=cast.community, name="boat REPAIR")

    assert Skill.objects.filter(community=cast.community).count() == 1


def test_another_community_may_add_the_same_skill(cast):
    skill_add(actor=cast.coordinator, community=cast.community, name="Boat repair")
    other = make_community(cast.outsider)

    assert skill_add(actor=cast.outsider, community=other, name="Boat repair").community == other


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_skill_needs_a_short_name(cast, name):
    count = Skill.objects.count()

    with pytest.raises(ValidationFailed):
        skill_add(actor=cast.coordinator, community=cast.community, name=name)

    assert Skill.objects.count() == count


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_add_skills(cast, role):
    count = Skill.objects.count()

    with pytest.raises(PermissionDenied):
        skill_add(actor=getattr(cast, role), community=cast.community, name="Boat repair")

    assert Skill.objects.count() == count


# ---- custom roles -----------------------------------------------------------------------


def test_a_steward_creates_and_assigns_a_custom_role_that_grants_its_permissions(cast):
    role = custom_role_create(
        actor=cast.steward,
        community=cast.community,
        name="Welcomers",
        permissions=["member.invite", "application.decide", "member.invite"],
    )
    assert role.permissions == ["application.decide", "member.invite"]

    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)

    user = type(cast.member).objects.get(pk=cast.member.pk)  # the member's next request
    assert can(user, "member.invite", cast.community)
    assert not can(user, "member.remove", cast.community)
    entry = AuditEntry.objects.get(action="member.custom_role")
    assert entry.after == {"role": "Welcomers", "granted": True}


def test_withdrawing_a_custom_role_withdraws_its_permissions(cast):
    role = custom_role_create(
        actor=cast.steward,
        community=cast.community,
        name="Welcomers",
        permissions=["member.invite"],
    )
    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role)

    custom_role_assign(actor=cast.steward, membership=_m(cast), role=role, granted=False)

    user = type(cast.member).objects.get(pk=cast.member.pk)
    assert not can(user, "member.invite", cast.community)


@pytest.mark.parametrize("permission", ["community.edit", "member.change_role", "role.manage", "x"])
def test_a_custom_role_cannot_grant_a_stewards_power_or_an_unknown_one(cast, permission):
    with pytest.raises(ValidationFailed) as exc:
        custom_role_create(
            actor=cast.steward,
            community=cast.community,
            name="Deputies",
            permissions=["member.invite", permission],
        )

    assert "permissions" in exc.value.field_errors
    assert not CustomRole.objects.exists()


@pytest.mark.parametrize("name", ["", "x" * 61])
def test_a_custom_role_needs_a_short_name(cast, name):
    with pytest.raises(ValidationFailed) as exc:
        custom_role_create(actor=cast.steward, community=cast.community, name=name, permissions=[])

    assert "name" in exc.value.field_errors


def test_two_custom_roles_with_the_same_name_are_refused(cast):
    custom_role_create(actor=cast.steward, community=cast.community, name="Drivers", permissions=[])

    with pytest.raises(ValidationFailed):
        custom_role_create(
            actor=cast.steward, community=cast.community, name="drivers", permissions=[]
        )

    assert CustomRole.objects.count() == 1


@pytest.mark.parametrize("role", ["coordinator", "caller", "member", "outsider"])
def test_only_stewards_manage_custom_roles(cast, role):
    existing = CustomRole.objects.create(community=cast.community, name="Drivers")

    with pytest.raises(PermissionDenied):
        custom_role_create(
            actor=getattr(cast, role), community=cast.community, name="Mine", permissions=[]
        )
    with pytest.raises(PermissionDenied):
        custom_role_assign(actor=getattr(cast, role), membership=_m(cast, "caller"), role=existing)

    assert CustomRole.objects.count() == 1
    assert not _m(cast, "caller").custom_roles.exists()


def test_add_member_helper_sets_a_role(cast):
    assert add_member(cast.community, role="caller").role == "caller"
