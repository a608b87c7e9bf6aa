"""Who may call the API: a bearer token first, the session cookie with CSRF, some visitors."""

from __future__ import annotations

import json

from django.test import Client
from django.utils.crypto import get_random_string

from mutua.communities.models import Community
from mutua.people.services import api_token_revoke
from tests.api.conftest import BASE, ApiClient, assert_problem

NEW_COMMUNITY = {"name": "Hillside Mutual Aid", "slug": "hillside"}


def test_visitor_is_refused_with_a_problem(cast):
    # given nobody signed in / when asking for /me / then 401 problem+json with a challenge
    response = ApiClient().get("/me")
    body = assert_problem(response, 401)
    assert body["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_visitor_may_list_public_communities(cast):
    response = ApiClient().get("/communities")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["items"]] == ["riverside"]


def test_visitor_does_not_see_unlisted_communities(cast):
    Community.objects.filter(pk=cast.community.pk).update(is_listed=False)
    assert ApiClient().get("/communities").json()["items"] == []
    assert_problem(ApiClient().get("/communities/riverside"), 404)


def test_bearer_token_post_works_without_csrf(cast):
    # given a token, and a client that enforces CSRF / when POSTing / then it is accepted
    client = ApiClient(cast.outsider)
    client.client = Client(enforce_csrf_checks=True)
    response = client.post("/communities", NEW_COMMUNITY)
    assert response.status_code == 201, response.content
    assert Community.objects.filter(slug="hillside").exists()


def test_revoked_token_is_refused(cast):
    client = ApiClient(cast.member)
    token_id = client.get("/me/tokens").json()["items"][0]["id"]
    api_token_revoke(user=cast.member, public_id=token_id)
    assert_problem(client.get("/me"), 401)


def test_wrong_token_is_refused_even_with_a_valid_session(cast):
    # given a signed-in browser session that also sends a bad token / then the token decides
    client = Client()
    client.force_login(cast.member)
    response = client.get(f"{BASE}/me", headers={"Authorization": "Bearer mutua_not-a-token"})
    assert_problem(response, 401)


def test_session_get_works_without_csrf(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    response = client.get(f"{BASE}/me")
    assert response.status_code == 200
    assert response.json()["email"] == "member@example.org"


def test_session_post_without_csrf_token_is_refused(cast):
    # given a signed-in session and no CSRF token / when POSTing / then 403 and nothing written
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.outsider)
    response = client.post(
        f"{BASE}/communities", json.dumps(NEW_COMMUNITY), content_type="application/json"
    )
    assert_problem(response, 403)
    assert not Community.objects.filter(slug="hillside").exists()


def test_session_post_with_csrf_token_is_accepted(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.outsider)
    token = get_random_string(32)
    client.cookies["csrftoken"] = token  # the cookie a page would have set
    response = client.post(
        f"{BASE}/communities",
        json.dumps(NEW_COMMUNITY),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content
