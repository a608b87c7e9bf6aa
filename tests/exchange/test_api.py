"""API: the loop over HTTP with problem+json refusals, privacy and cursor pagination."""

from __future__ import annotations

from mutua.exchange.models import Need
from mutua.people.services import api_token_create
from tests.exchange.helpers import post_need


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_post_need_respond_accept_done_confirm_over_the_api(client, cast):
    person, helper = _auth(cast.member), _auth(cast.caller)
    r = client.post(
        "/api/v1/communities/riverside/needs",
        {"title": "Lift to the clinic", "kind": "ride", "urgency": "day", "address": "5 Oak St"},
        content_type="application/json",
        **person,
    )
    assert r.status_code == 201, r.content
    need_id = r.json()["id"]
    assert "address" not in r.json()
    r = client.post(
        f"/api/v1/needs/{need_id}/responses",
        {"proposed_time": "Tomorrow 9am"},
        content_type="application/json",
        **helper,
    )
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/responses/{r.json()['id']}/accept", **person)
    assert r.status_code == 201, r.content
    commitment_id = r.json()["id"]
    assert client.get(f"/api/v1/needs/{need_id}/private", **helper).json()["address"] == "5 Oak St"
    r = client.post(
        f"/api/v1/commitments/{commitment_id}/done",
        {"hours": "1.5"},
        content_type="application/json",
        **helper,
    )
    assert r.json()["status"] == "done_pending"
    r = client.post(
        f"/api/v1/commitments/{commitment_id}/confirm",
        {},
        content_type="application/json",
        **person,
    )
    assert r.json()["status"] == "confirmed"


def test_bad_need_is_a_problem_with_field_errors_and_writes_nothing(client, cast):
    r = client.post(
        "/api/v1/communities/riverside/needs",
        {"title": "x"},
        content_type="application/json",
        **_auth(cast.member),
    )
    assert r.status_code == 422
    assert r["Content-Type"].startswith("application/problem+json")
    assert "title" in r.json()["errors"]
    assert not Need.objects.exists()


def test_private_details_are_refused_to_other_members_and_outsiders(client, cast):
    need = post_need(cast.community, cast.member, address="7 Quiet Row")
    r = client.get(f"/api/v1/needs/{need.public_id}/private", **_auth(cast.caller))
    assert r.status_code == 404
    r = client.get(f"/api/v1/needs/{need.public_id}", **_auth(cast.outsider))
    assert r.status_code == 403
    r = client.get("/api/v1/communities/riverside/needs", **_auth(cast.caller))
    assert b"Quiet Row" not in r.content


def test_needs_list_uses_cursor_pagination(client, cast):
    for i in range(3):
        post_need(cast.community, cast.member, title=f"Need number {i}")
    auth = _auth(cast.caller)
    first = client.get("/api/v1/communities/riverside/needs?limit=2", **auth).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(
        f"/api/v1/communities/riverside/needs?limit=2&cursor={first['next_cursor']}", **auth
    ).json()
    assert len(second["items"]) == 1


def test_taking_a_full_need_is_a_conflict(client, cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    assert (
        client.post(f"/api/v1/needs/{need.public_id}/take", **_auth(cast.caller)).status_code == 201
    )
    r = client.post(f"/api/v1/needs/{need.public_id}/take", **_auth(cast.coordinator))
    assert r.status_code == 409 and r.json()["code"] == "conflict"
