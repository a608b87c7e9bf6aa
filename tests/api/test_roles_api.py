"""Roles over the API: custom roles named by slug, given and taken back by stewards only, audited
as the web's roles page is; built-in roles change through PATCH on the member."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from mutua.communities.models import CustomRole, Membership
from mutua.communities.services import custom_role_create
from mutua.core.models import AuditEntry
from mutua.core.permissions import can
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import make_community


def _membership(cast, who: str = "member") -> Membership:
    return Membership.objects.get(community=cast.community, user=getattr(cast, who))


def _role(cast, name: str = "Welcomers", permissions=("member.invite",)) -> CustomRole:
    return custom_role_create(
        actor=cast.steward, community=cast.community, name=name, permissions=list(permissions)
    )


def _path(cast, who: str = "member", role: str = "welcomers") -> str:
    return f"/communities/riverside/members/{_membership(cast, who).public_id}/roles/{role}"


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # as on the person's next request


def test_members_see_the_custom_roles_with_their_slugs(cast):
    _role(cast, "Welcomers")
    _role(cast, "Phone volunteers", ["calllist.view"])

    listed = ApiClient(cast.member).get("/communities/riverside/roles").json()["items"]

    assert [(r["slug"], r["name"]) for r in listed] == [
        ("welcomers", "Welcomers"),
        ("phone-volunteers", "Phone volunteers"),
    ]
    assert "id" not in listed[0]


def test_a_steward_gives_a_custom_role_and_it_takes_effect_and_is_audited(cast):
    _role(cast)

    response = ApiClient(cast.steward).put(_path(cast), {})

    assert response.status_code == 200, response.content
    assert response.json()["custom_roles"] == [{"slug": "welcomers", "name": "Welcomers"}]
    assert can(_fresh(cast.member), "member.invite", cast.community)
    entry = AuditEntry.objects.get(action="member.custom_role")
    assert (entry.actor, entry.subject) == (cast.steward, cast.member)
    assert entry.after == {"role": "Welcomers", "granted": True}


def test_a_steward_takes_a_custom_role_back(cast):
    role = _role(cast)
    _membership(cast).custom_roles.add(role)

    response = ApiClient(cast.steward).delete(_path(cast))

    assert response.status_code == 204, response.content
    assert not _membership(cast).custom_roles.exists()
    assert not can(_fresh(cast.member), "member.invite", cast.community)
    entry = AuditEntry.objects.get(action="member.custom_role")
    assert entry.after == {"role": "Welcomers", "granted": False}


def test_giving_a_role_twice_changes_nothing_the_second_time_and_logs_once(cast):
    _role(cast)
    client = ApiClient(cast.steward)

    first, second = client.put(_path(cast), {}), client.put(_path(cast), {})
    taken_back = client.delete(_path(cast))
    again = client.delete(_path(cast))

    assert [r.status_code for r in (first, second, taken_back, again)] == [200, 200, 204, 204]
    assert AuditEntry.objects.filter(action="member.custom_role").count() == 2


@pytest.mark.parametrize("who", ["coordinator", "caller", "member", "outsider"])
def test_only_stewards_give_or_take_custom_roles(cast, who):
    role = _role(cast)
    _membership(cast, "caller").custom_roles.add(role)
    client = ApiClient(getattr(cast, who))

    assert_problem(client.put(_path(cast, "member"), {}), 403)
    assert_problem(client.delete(_path(cast, "caller")), 403)

    assert not _membership(cast).custom_roles.exists()
    assert list(_membership(cast, "caller").custom_roles.all()) == [role]
    assert not AuditEntry.objects.filter(action="member.custom_role").exists()


def test_a_member_is_refused_even_for_a_role_that_does_not_exist(cast):
    assert_problem(ApiClient(cast.member).put(_path(cast, role="nobody-has-this"), {}), 403)


def test_an_unknown_role_or_member_is_a_404_problem(cast):
    _role(cast)
    client = ApiClient(cast.steward)

    assert_problem(client.put(_path(cast, role="drivers"), {}), 404)
    missing = "/communities/riverside/members/0000000000000000/roles/welcomers"
    assert_problem(client.put(missing, {}), 404)
    assert not AuditEntry.objects.filter(action="member.custom_role").exists()


def test_another_communitys_role_cannot_be_given_here(cast):
    elsewhere = make_community(cast.steward, name="Hilltop", slug="hilltop")
    custom_role_create(actor=cast.steward, community=elsewhere, name="Drivers", permissions=[])

    assert_problem(ApiClient(cast.steward).put(_path(cast, role="drivers"), {}), 404)
    assert not _membership(cast).custom_roles.exists()


def test_integer_ids_are_not_accepted_for_members_or_roles(cast):
    role = _role(cast)
    member = _membership(cast)
    client = ApiClient(cast.steward)

    by_id = f"/communities/riverside/members/{member.pk}/roles/welcomers"
    assert_problem(client.put(by_id, {}), 422)
    # A role's primary key is not its slug: nothing is found by it.
    assert_problem(client.put(_path(cast, role=str(role.pk)), {}), 404)
    assert not member.custom_roles.exists()


def test_a_former_member_cannot_be_given_a_role_but_can_lose_one(cast):
    role = _role(cast)
    membership = _membership(cast)
    membership.custom_roles.add(role)
    Membership.objects.filter(pk=membership.pk).update(status="removed")

    assert_problem(ApiClient(cast.steward).put(_path(cast), {}), 409)
    response = ApiClient(cast.steward).delete(_path(cast))

    assert response.status_code == 204, response.content
    assert not membership.custom_roles.exists()


def test_a_role_named_in_another_script_has_a_slug_that_addresses_it(cast):
    _role(cast, "Οδηγοί")  # Greek: "drivers"
    listed = ApiClient(cast.member).get("/communities/riverside/roles").json()["items"]
    slug = listed[0]["slug"]

    response = ApiClient(cast.steward).put(_path(cast, role=quote(slug)), {})

    assert slug == "οδηγοί"
    assert response.status_code == 200, response.content
    assert response.json()["custom_roles"][0]["name"] == "Οδηγοί"


def test_role_names_that_make_the_same_slug_are_refused(cast):
    client = ApiClient(cast.steward)
    assert client.post("/communities/riverside/roles", {"name": "Tea makers"}).status_code == 201

    for name in ("tea-makers", "Tea makers!", "TEA MAKERS"):
        response = client.post("/communities/riverside/roles", {"name": name})
        assert_problem(response, 422, field="name")
    assert_problem(client.post("/communities/riverside/roles", {"name": "!!!"}), 422, field="name")
    assert CustomRole.objects.count() == 1


def test_a_member_shows_the_custom_roles_they_hold(cast):
    role = _role(cast)
    _membership(cast).custom_roles.add(role)

    body = ApiClient(cast.caller).get(
        f"/communities/riverside/members/{_membership(cast).public_id}"
    )

    assert body.json()["custom_roles"] == [{"slug": "welcomers", "name": "Welcomers"}]


def test_a_steward_changes_a_built_in_role_and_a_member_cannot(cast):
    path = f"/communities/riverside/members/{_membership(cast).public_id}"

    refused = ApiClient(cast.member).patch(path, {"role": "coordinator"})
    changed = ApiClient(cast.steward).patch(path, {"role": "caller"})

    assert_problem(refused, 403)
    assert changed.status_code == 200 and changed.json()["role"] == "caller"
    entry = AuditEntry.objects.get(action="member.role", subject=cast.member)
    assert (entry.before, entry.after) == ({"role": "member"}, {"role": "caller"})
