"""Members, areas, skills, roles and the audit log, as each role sees them."""

from __future__ import annotations

import json

import pytest

from mutua.communities.models import CustomRole, Membership, ServiceArea
from mutua.core.models import AuditEntry
from mutua.people.models import Skill
from mutua.people.services import sensitive_update
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import add_member, make_area, make_user

SECRETS = ("+44 20 7946 0123", "7 Secret Row", "key under the pot", "insulin twice a day")


def _give_private_details(user):
    sensitive_update(
        user=user,
        phone=SECRETS[0],
        address=SECRETS[1],
        access_notes=SECRETS[2],
        health_consent=True,
        health_notes=SECRETS[3],
    )


def _membership(cast, who) -> Membership:
    return Membership.objects.get(community=cast.community, user=getattr(cast, who))


def test_directory_never_shows_sensitive_details_to_a_member(cast):
    _give_private_details(cast.caller)
    client = ApiClient(cast.member)
    listed = client.get("/communities/riverside/members")
    one = client.get(f"/communities/riverside/members/{_membership(cast, 'caller').public_id}")
    for response in (listed, one):
        assert response.status_code == 200
        text = response.content.decode()
        assert not any(secret in text for secret in SECRETS)
        assert "caller@example.org" not in text
    names = [m["first_name"] for m in listed.json()["items"]]
    assert names == ["Sam", "Coordinator", "Caller", "Member"]


def test_vulnerable_members_who_did_not_opt_in_are_not_listed(cast):
    add_member(
        cast.community, make_user("Vera Vulnerable"), is_vulnerable=True, listed_in_directory=False
    )
    items = ApiClient(cast.member).get("/communities/riverside/members").json()["items"]
    assert "Vera" not in [m["first_name"] for m in items]


def test_outsider_cannot_see_the_directory(cast):
    assert_problem(ApiClient(cast.outsider).get("/communities/riverside/members"), 403)


def test_coordinator_reads_private_details_and_the_read_is_audited(cast):
    _give_private_details(cast.member)
    member_id = _membership(cast, "member").public_id
    response = ApiClient(cast.coordinator).get(
        f"/communities/riverside/members/{member_id}/private"
    )
    assert response.status_code == 200
    assert response.json()["address"] == SECRETS[1]
    entry = AuditEntry.objects.get(action="sensitive.read")
    assert entry.actor == cast.coordinator and entry.subject == cast.member


def test_a_caller_cannot_read_a_members_phone_outside_a_call_list(cast):
    _give_private_details(cast.member)
    member_id = _membership(cast, "member").public_id
    response = ApiClient(cast.caller).get(f"/communities/riverside/members/{member_id}/private")
    body = assert_problem(response, 403)
    assert SECRETS[0] not in str(body)


def test_member_cannot_read_private_details(cast):
    _give_private_details(cast.caller)
    caller_id = _membership(cast, "caller").public_id
    response = ApiClient(cast.member).get(f"/communities/riverside/members/{caller_id}/private")
    assert_problem(response, 403)
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def test_steward_changes_a_role_and_attributes_together(cast):
    member_id = _membership(cast, "member").public_id
    response = ApiClient(cast.steward).patch(
        f"/communities/riverside/members/{member_id}",
        {"role": "coordinator", "vetted_until": "2030-01-31"},
    )
    assert response.status_code == 200, response.content
    membership = _membership(cast, "member")
    assert membership.role == "coordinator" and str(membership.vetted_until) == "2030-01-31"


def test_coordinator_may_make_callers_but_not_coordinators(cast):
    member_id = _membership(cast, "member").public_id
    client = ApiClient(cast.coordinator)
    path = f"/communities/riverside/members/{member_id}"
    assert_problem(client.patch(path, {"role": "coordinator"}), 403)
    assert client.patch(path, {"role": "caller"}).json()["role"] == "caller"


def test_refused_change_writes_nothing(cast):
    # given a role change that is allowed and a vetting date a caller may not set
    member_id = _membership(cast, "member").public_id
    response = ApiClient(cast.caller).patch(
        f"/communities/riverside/members/{member_id}", {"vetted_until": "2030-01-31"}
    )
    assert_problem(response, 403)
    assert _membership(cast, "member").vetted_until is None


@pytest.mark.parametrize("role", ["caller", "member"])
def test_only_coordinators_remove_members(cast, role):
    target = _membership(cast, "member" if role == "caller" else "caller").public_id
    response = ApiClient(getattr(cast, role)).post(
        f"/communities/riverside/members/{target}/removal", {"reason": "no"}
    )
    assert_problem(response, 403)
    assert Membership.objects.filter(public_id=target, status="active").exists()


def test_coordinator_removes_a_member_with_a_reason(cast):
    member_id = _membership(cast, "member").public_id
    client = ApiClient(cast.coordinator)
    path = f"/communities/riverside/members/{member_id}/removal"
    assert_problem(client.post(path, {"reason": "  "}), 422, field="reason")
    assert client.post(path, {"reason": "Repeated no-shows"}).status_code == 204
    assert _membership(cast, "member").status == "removed"


def test_areas_are_listed_and_added_by_coordinators(cast):
    parent = make_area(cast.community, name="Town")
    client = ApiClient(cast.coordinator)
    response = client.post(
        "/communities/riverside/areas",
        {"name": "Mill End", "centre_lat": 51.5, "centre_lon": -0.1, "parent": parent.slug},
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent"] == parent.slug
    listed = ApiClient(cast.member).get("/communities/riverside/areas").json()["items"]
    assert [a["name"] for a in listed] == ["Town", "Mill End"]
    denied = ApiClient(cast.member).post(
        "/communities/riverside/areas", {"name": "X", "centre_lat": 0, "centre_lon": 0}
    )
    assert_problem(denied, 403)
    assert ServiceArea.objects.count() == 2


def test_skills_are_listed_and_added_by_coordinators(cast):
    Skill.objects.create(slug="kite-mending", name="Kite mending")
    created = ApiClient(cast.coordinator).post("/communities/riverside/skills", {"name": "Ferry"})
    assert created.status_code == 201 and created.json()["community"] == "riverside"
    listed = ApiClient(cast.member).get("/communities/riverside/skills").json()["items"]
    assert {"kite-mending", "ferry"} <= {s["slug"] for s in listed}
    assert_problem(ApiClient(cast.member).post("/communities/riverside/skills", {"name": "X"}), 403)


def test_stewards_define_custom_roles_with_grantable_permissions(cast):
    client = ApiClient(cast.steward)
    response = client.post(
        "/communities/riverside/roles", {"name": "Welcomer", "permissions": ["member.invite"]}
    )
    assert response.status_code == 201, response.content
    assert_problem(
        client.post(
            "/communities/riverside/roles", {"name": "Boss", "permissions": ["community.edit"]}
        ),
        422,
        field="permissions.0",
    )
    assert_problem(
        ApiClient(cast.coordinator).post("/communities/riverside/roles", {"name": "Mine"}), 403
    )
    listed = client.get("/communities/riverside/roles").json()["items"]
    assert [r["name"] for r in listed] == ["Welcomer"]
    assert CustomRole.objects.count() == 1


def test_audit_log_hides_safeguarding_entries_from_members(cast):
    _give_private_details(cast.caller)
    caller_id = _membership(cast, "caller").public_id
    ApiClient(cast.coordinator).get(f"/communities/riverside/members/{caller_id}/private")
    member_view = ApiClient(cast.member).get("/communities/riverside/audit").json()["items"]
    coordinator_view = (
        ApiClient(cast.coordinator)
        .get("/communities/riverside/audit", action="sensitive")
        .json()["items"]
    )
    assert "sensitive.read" not in [e["action"] for e in member_view]
    assert [e["action"] for e in coordinator_view] == ["sensitive.read"]
    assert_problem(ApiClient(cast.outsider).get("/communities/riverside/audit"), 403)


def test_cursor_pagination_walks_every_member_once(cast):
    for n in range(11):
        add_member(cast.community, make_user(f"Neighbour {n}"))
    client, seen, cursor, pages = ApiClient(cast.member), [], None, 0
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        body = client.get("/communities/riverside/members", **params).json()
        seen += [m["id"] for m in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = list(
        Membership.objects.filter(community=cast.community)
        .order_by("created_at", "id")
        .values_list("public_id", flat=True)
    )
    assert seen == expected and len(seen) == 15 and pages == 4


def test_member_list_queries_do_not_grow_with_members(cast, django_assert_max_num_queries):
    skill = Skill.objects.create(slug="kite-mending", name="Kite mending")
    for n in range(20):
        m = add_member(
            cast.community, make_user(f"Neighbour {n}"), service_area=make_area(cast.community)
        )
        m.user.profile.profile_skills.create(skill=skill)
    client = ApiClient(cast.member)
    with django_assert_max_num_queries(8):
        response = client.get("/communities/riverside/members", limit=100)
    assert len(response.json()["items"]) == 24


def test_audit_list_queries_do_not_grow_with_entries(cast, django_assert_max_num_queries):
    for n in range(20):
        add_member(cast.community, make_user(f"Neighbour {n}"))
        ApiClient(cast.steward).patch(
            "/communities/riverside", {"description": json.dumps({"n": n})}
        )
    client = ApiClient(cast.coordinator)
    with django_assert_max_num_queries(7):  # 6, plus the community time zone
        response = client.get("/communities/riverside/audit", limit=100)
    assert len(response.json()["items"]) > 20
