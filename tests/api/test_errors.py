"""Errors are RFC 9457 problem+json, declared in the published schema."""

from __future__ import annotations

from django.test import Client

from mutua.communities.models import Community
from mutua.people.models import Profile
from tests.api.conftest import BASE, ApiClient, assert_problem


def test_bad_input_gives_422_with_field_errors_and_writes_nothing(cast):
    client = ApiClient(cast.member)
    response = client.patch("/me/profile", {"display_name": "x" * 81, "bio": "fine"})
    body = assert_problem(response, 422, field="display_name")
    assert body["code"] == "validation"
    assert Profile.objects.get(user=cast.member).bio == ""


def test_text_with_nul_is_refused(cast):
    response = ApiClient(cast.outsider).post("/communities", {"name": "Bad\x00name"})
    assert_problem(response, 422, field="name")
    assert not Community.objects.filter(name__startswith="Bad").exists()


def test_huge_numbers_are_refused_before_the_database(cast):
    client = ApiClient(cast.member)
    huge = {"days": 2**70}
    assert_problem(client.post("/communities/riverside/invitations", huge), 422, field="days")
    assert_problem(client.get("/communities", limit=10**30), 422, field="limit")


def test_coordinates_off_earth_are_refused(cast):
    client = ApiClient(cast.coordinator)
    response = client.post(
        "/communities/riverside/areas", {"name": "Moon", "centre_lat": 91, "centre_lon": 0}
    )
    assert_problem(response, 422, field="centre_lat")


def test_unknown_fields_are_refused(cast):
    response = ApiClient(cast.member).patch("/me/profile", {"nickname": "Bo"})
    assert_problem(response, 422, field="nickname")


def test_domain_refusal_keeps_the_services_message_and_fields(cast):
    # given the service's own validation (a decline needs a reason, an unknown time zone)
    response = ApiClient(cast.steward).patch("/communities/riverside", {"time_zone": "Mars/Base"})
    body = assert_problem(response, 422, field="time_zone")
    assert "time zone" in body["detail"]


def test_unknown_address_under_the_api_is_a_problem(cast):
    assert_problem(ApiClient(cast.member).get("/no/such/thing"), 404)


def test_invalid_cursor_is_a_400_problem(cast):
    response = ApiClient(cast.member).get("/communities/riverside/members", cursor="bm9wZQ")
    assert_problem(response, 400, field="cursor")


def test_published_schema_declares_problems_for_every_operation():
    schema = Client().get(f"{BASE}/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len(operations) > 30
    for op in operations:
        for status in ("401", "403", "404", "422"):
            content = op["responses"][status]["content"]
            assert list(content) == ["application/problem+json"], (op["operationId"], status)


def test_docs_page_is_served():
    assert Client().get(f"{BASE}/docs").status_code == 200


def test_unexpected_error_is_a_500_problem_without_details(rf):
    from mutua.api.main import api

    request = rf.get(f"{BASE}/me")
    response = api.on_exception(request, RuntimeError("database password is hunter2"))
    assert_problem(response, 500)
    assert b"hunter2" not in response.content and b"Traceback" not in response.content
