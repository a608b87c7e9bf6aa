"""Trust over the API: levels (never scores), vouches, concerns, overview; refusals as problems."""

from __future__ import annotations

from mutua.communities.models import Membership
from mutua.people.services import api_token_create
from mutua.trust import services


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_my_trust_over_the_api_has_a_level_and_no_score(client, cast):
    services.trust_recompute(cast.community)
    r = client.get("/api/v1/communities/riverside/trust/me", **_auth(cast.member))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["level"] == "new" and "score" not in body and body["not_yet"]


def test_vouch_over_the_api_and_refusal_for_a_new_member(client, cast):
    services.trust_recompute(cast.community)
    m = Membership.objects.get(user=cast.member, community=cast.community)
    r = client.post(
        "/api/v1/communities/riverside/vouches",
        {"member": m.public_id, "note": "Neighbour"},
        content_type="application/json",
        **_auth(cast.steward),
    )
    assert r.status_code == 201, r.content
    c = Membership.objects.get(user=cast.caller, community=cast.community)
    r = client.post(
        "/api/v1/communities/riverside/vouches",
        {"member": c.public_id},
        content_type="application/json",
        **_auth(cast.member),
    )
    assert r.status_code == 403
    assert r["Content-Type"].startswith("application/problem+json")
    assert "vouch for other members" in r.json()["detail"]


def test_concern_and_review_over_the_api(client, cast):
    r = client.post(
        "/api/v1/communities/riverside/concerns",
        {"text": "Worried about a visit"},
        content_type="application/json",
        **_auth(cast.member),
    )
    assert r.status_code == 201, r.content
    concern_id = r.json()["id"]
    path = f"/api/v1/communities/riverside/concerns/{concern_id}/review"
    r = client.post(
        path, {"outcome": "Called"}, content_type="application/json", **_auth(cast.member)
    )
    assert r.status_code == 403
    r = client.post(
        path, {"outcome": "Called"}, content_type="application/json", **_auth(cast.coordinator)
    )
    assert r.status_code == 200 and r.json()["status"] == "reviewed"


def test_recompute_and_overview_over_the_api(client, cast):
    r = client.post("/api/v1/communities/riverside/trust/recompute", **_auth(cast.coordinator))
    assert r.status_code == 200, r.content
    assert r.json()["computed"] == 4 and r.json()["trusted"] == 1
    assert (
        client.get("/api/v1/communities/riverside/trust/overview", **_auth(cast.member)).status_code
        == 403
    )


def test_a_members_level_over_the_api(client, cast):
    services.trust_recompute(cast.community)
    m = Membership.objects.get(user=cast.steward, community=cast.community)
    r = client.get(
        f"/api/v1/communities/riverside/members/{m.public_id}/trust", **_auth(cast.member)
    )
    assert r.status_code == 200 and r.json()["level"] == "Trusted"
    r = client.get(
        f"/api/v1/communities/riverside/members/{m.public_id}/trust", **_auth(cast.outsider)
    )
    assert r.status_code == 404


def test_taking_a_need_with_a_home_address_is_refused_over_the_api_below_the_gate(client, cast):
    from mutua.exchange import services as exchange

    need = exchange.need_post(
        actor=cast.caller,
        community=cast.community,
        title="Shopping",
        address="1 Long Lane",
        allow_self_assign=True,
    )
    services.trust_recompute(cast.community)
    r = client.post(f"/api/v1/needs/{need.public_id}/take", **_auth(cast.member))
    assert r.status_code == 403
    assert "home address" in r.json()["detail"]
    assert not need.commitments.exists()
