"""/communities: listing, creating, settings, joining, leaving, applications and invitations."""

from __future__ import annotations

import pytest

from mutua.communities.models import Community, Invitation, JoinApplication, Membership
from mutua.communities.services import community_update
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import make_community


def test_mine_lists_only_my_communities(cast):
    make_community(name="Elsewhere Aid", slug="elsewhere")
    client = ApiClient(cast.member)
    assert {c["slug"] for c in client.get("/communities").json()["items"]} == {
        "riverside",
        "elsewhere",
    }
    mine = client.get("/communities", mine="true").json()["items"]
    assert [(c["slug"], c["member_count"]) for c in mine] == [("riverside", 4)]


def test_creating_a_community_makes_me_its_steward(cast):
    response = ApiClient(cast.outsider).post(
        "/communities", {"name": "Hillside Aid", "join_policy": "open"}
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "hillside-aid"
    assert Membership.objects.get(community__slug="hillside-aid").user == cast.outsider


def test_steward_changes_settings(cast):
    response = ApiClient(cast.steward).patch(
        "/communities/riverside", {"emergency_number": "999", "join_policy": "open"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["emergency_number"] == "999"


@pytest.mark.parametrize("role", ["coordinator", "caller", "member", "outsider"])
def test_only_stewards_change_settings(cast, role):
    response = ApiClient(getattr(cast, role)).patch(
        "/communities/riverside", {"emergency_number": "999"}
    )
    assert_problem(response, 403)
    assert Community.objects.get(slug="riverside").emergency_number == "112"


def test_join_open_community_then_leave(cast):
    community_update(actor=cast.steward, community=cast.community, join_policy="open")
    client = ApiClient(cast.outsider)
    joined = client.post("/communities/riverside/join")
    assert joined.status_code == 200 and joined.json()["role"] == "member"
    assert_problem(client.post("/communities/riverside/join"), 409)
    assert client.post("/communities/riverside/leave").status_code == 204
    assert Membership.objects.get(user=cast.outsider).status == "left"


def test_joining_a_community_that_takes_applications_is_refused(cast):
    assert_problem(ApiClient(cast.outsider).post("/communities/riverside/join"), 403)


def test_last_steward_cannot_leave(cast):
    assert_problem(ApiClient(cast.steward).post("/communities/riverside/leave"), 409)


def test_my_membership_settings(cast):
    from tests.factories import make_area

    make_area(cast.community, name="Mill End")
    area_slug = cast.community.areas.get().slug
    response = ApiClient(cast.member).patch(
        "/communities/riverside/membership",
        {"service_area": area_slug, "listed_in_directory": False},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["service_area"]["slug"] == area_slug and body["listed_in_directory"] is False
    assert body["approx_lat"] is not None


def test_application_is_submitted_listed_and_approved(cast):
    community_update(
        actor=cast.steward, community=cast.community, application_questions=["Why join?"]
    )
    submitted = ApiClient(cast.outsider).post(
        "/communities/riverside/applications", {"answers": ["To help"]}
    )
    assert submitted.status_code == 201, submitted.content
    app_id = submitted.json()["id"]
    coordinator = ApiClient(cast.coordinator)
    listed = coordinator.get("/communities/riverside/applications").json()["items"]
    assert [a["id"] for a in listed] == [app_id]
    decided = coordinator.post(f"/applications/{app_id}/decision", {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert Membership.objects.get(user=cast.outsider).status == "active"


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_see_and_decide_applications(cast, role):
    application = JoinApplication.objects.create(community=cast.community, user=cast.outsider)
    client = ApiClient(getattr(cast, role))
    assert_problem(client.get("/communities/riverside/applications"), 403)
    response = client.post(f"/applications/{application.public_id}/decision", {"approve": True})
    assert_problem(response, 403)
    assert JoinApplication.objects.get(pk=application.pk).status == "pending"


def test_decline_needs_a_reason(cast):
    application = JoinApplication.objects.create(community=cast.community, user=cast.outsider)
    response = ApiClient(cast.coordinator).post(
        f"/applications/{application.public_id}/decision", {"approve": False}
    )
    assert_problem(response, 422, field="reason")


def test_invitation_link_is_created_listed_and_accepted(cast):
    coordinator = ApiClient(cast.coordinator)
    created = coordinator.post("/communities/riverside/invitations", {"days": 7})
    assert created.status_code == 201, created.content
    token = created.json()["token"]
    listed = coordinator.get("/communities/riverside/invitations").json()["items"]
    assert [i["id"] for i in listed] == [created.json()["invitation"]["id"]]
    accepted = ApiClient(cast.outsider).post("/invitations/accept", {"token": token})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["community"] == "riverside"


def test_bulk_invitations_report_what_was_sent_and_refused(cast, mailoutbox):
    text = "ann@example.org, bob@example.org\nann@example.org\nmember@example.org"
    response = ApiClient(cast.coordinator).post(
        "/communities/riverside/invitations/bulk", {"text": text}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sent"] == ["ann@example.org", "bob@example.org"]
    assert {r["email"] for r in body["refused"]} == {"ann@example.org", "member@example.org"}


def test_invitation_is_withdrawn(cast):
    coordinator = ApiClient(cast.coordinator)
    invitation_id = coordinator.post("/communities/riverside/invitations", {}).json()["invitation"][
        "id"
    ]
    assert coordinator.delete(f"/invitations/{invitation_id}").status_code == 204
    assert Invitation.objects.get(public_id=invitation_id).revoked_at is not None


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_invite(cast, role):
    client = ApiClient(getattr(cast, role))
    assert_problem(
        client.post("/communities/riverside/invitations", {"email": "x@example.org"}), 403
    )
    assert_problem(client.get("/communities/riverside/invitations"), 403)
    assert_problem(
        client.post("/communities/riverside/invitations/bulk", {"text": "x@example.org"}), 403
    )
    assert not Invitation.objects.exists()


def test_unknown_invitation_token_is_not_found(cast):
    assert_problem(ApiClient(cast.outsider).post("/invitations/accept", {"token": "nope"}), 404)


def test_bulk_invitations_accept_old_mac_line_endings(cast, mailoutbox):
    # found by schemathesis: a lone "\r" in pasted text used to crash the CSV reader
    response = ApiClient(cast.coordinator).post(
        "/communities/riverside/invitations/bulk",
        {"text": "ann@example.org\r\n$l\rbob@example.org"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["sent"] == ["ann@example.org", "bob@example.org"]
