"""A method an address does not serve is a 405 problem+json with `Allow`, like every other error."""

from __future__ import annotations

import asyncio

from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern

from mutua.api.errors import problem_for_wrong_method
from mutua.api.main import api
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import add_member, make_user


def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(cast):
    response = ApiClient(cast.member).put("/me", {})

    body = assert_problem(response, 405)
    assert (body["type"], body["title"], body["code"]) == (
        "about:blank",
        "Method Not Allowed",
        "method-not-allowed",
    )
    assert response["Allow"] == "DELETE, GET"
    assert "PUT" in body["detail"] and "DELETE, GET" in body["detail"]


def test_a_wrong_method_on_an_address_with_ids_is_a_405_problem_and_changes_nothing(cast):
    membership = add_member(cast.community, make_user("Nell Neighbour"))
    path = f"/communities/riverside/members/{membership.public_id}/removal"

    response = ApiClient(cast.steward).delete(path)

    assert_problem(response, 405)
    assert response["Allow"] == "POST"
    membership.refresh_from_db()
    assert membership.is_active


def test_a_visitor_gets_the_same_405_problem(db):
    response = ApiClient().request("PATCH", "/communities", {})

    assert_problem(response, 405)
    assert response["Allow"] == "GET, POST"


def test_any_method_on_an_unknown_address_is_a_404_problem_not_a_405(cast):
    for method in ("GET", "OPTIONS", "TRACE", "DELETE"):
        assert_problem(ApiClient(cast.member).request(method, "/no/such/thing"), 404)


def test_other_answers_pass_through_unchanged(cast):
    client = ApiClient(cast.member)

    ok = client.get("/me")
    refused = client.patch("/me/profile", {"display_name": "x" * 81})

    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/json")
    assert_problem(refused, 422, field="display_name")
    assert_problem(client.post("/communities/riverside/skills", {"name": "X"}), 403)


def test_every_api_view_is_wrapped_and_stays_csrf_exempt():
    # given the patterns Ninja builds (a Ninja upgrade that changed them would show here)
    patterns = [p for p in api.urls[0] if isinstance(p, URLPattern)]

    assert len(patterns) > 30
    for pattern in patterns:
        original = pattern.callback.__wrapped__
        exempt = getattr(original, "csrf_exempt", False)
        assert getattr(pattern.callback, "csrf_exempt", False) == exempt, pattern.name
    operations = [p for p in patterns if p.name not in ("openapi-json", "openapi-view", "api-root")]
    assert all(p.callback.csrf_exempt for p in operations)


def test_async_views_are_wrapped_too(rf):
    async def view(request):
        return HttpResponseNotAllowed(["GET"])

    async def fine(request):
        return HttpResponse("ok")

    request = rf.post("/api/v1/somewhere")
    refused = asyncio.run(problem_for_wrong_method(view)(request))
    answered = asyncio.run(problem_for_wrong_method(fine)(request))

    assert refused.status_code == 405 and refused["Allow"] == "GET"
    assert refused["Content-Type"].startswith("application/problem+json")
    assert answered.content == b"ok"
