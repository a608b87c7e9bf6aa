"""The fund path in the API: a floor refusal carries `fund_path`, and following it works."""

from __future__ import annotations

import pytest

from mutua.communities.models import Membership
from mutua.ledger.models import FundRequest, Transfer
from mutua.ledger.services import credit_request_create, transfer_send
from tests.api.conftest import ApiClient
from tests.ledger.helpers import balance


def _id(cast, user) -> str:
    return Membership.objects.get(community=cast.community, user=user).public_id


@pytest.fixture
def at_floor(ledger):
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.steward, minutes=600
    )
    return ledger


def test_a_send_past_the_floor_answers_a_problem_a_client_can_follow(at_floor):
    # when the member at their floor sends an hour
    api = ApiClient(at_floor.member)
    refused = api.post(
        "/communities/riverside/ledger/transfers",
        {"to": _id(at_floor, at_floor.caller), "minutes": 60},
    )
    # then the problem says where to ask the fund, and with what
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("application/problem+json")
    body = refused.json()
    assert body["code"] == "limit" and body["limit"] == "floor"
    assert body["fund_path"] == "/api/v1/communities/riverside/ledger/fund/requests"
    assert body["fund_request"] == {
        "to": _id(at_floor, at_floor.caller),
        "minutes": 60,
        "credit_request": None,
    }
    # when the client follows it
    asked = api.post(body["fund_path"].removeprefix("/api/v1"), body["fund_request"])
    assert asked.status_code == 201, asked.content
    assert asked.json()["status"] == "pending"
    # then a coordinator sees it waiting and approves it, and the fund pays the helper
    coordinator = ApiClient(at_floor.coordinator)
    waiting = coordinator.get("/communities/riverside/ledger/fund/requests").json()["items"]
    assert [r["id"] for r in waiting] == [asked.json()["id"]]
    approved = coordinator.post(f"/ledger/fund/requests/{asked.json()['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert balance(at_floor.community, at_floor.caller) == 60


def test_approving_a_request_past_the_floor_offers_the_fund_for_that_request(at_floor):
    credit = credit_request_create(
        actor=at_floor.caller, community=at_floor.community, payer=at_floor.member, minutes=45
    )
    api = ApiClient(at_floor.member)
    refused = api.post(f"/ledger/requests/{credit.public_id}/approve")
    assert refused.status_code == 409
    body = refused.json()
    assert body["fund_request"]["credit_request"] == credit.public_id
    asked = api.post(body["fund_path"].removeprefix("/api/v1"), body["fund_request"])
    assert asked.status_code == 201, asked.content
    assert FundRequest.objects.get().credit_request_id == credit.pk


def test_a_refusal_that_is_not_the_members_own_floor_has_no_fund_path(ledger):
    # a gift to the fund past the floor is refused without offering the fund to itself
    response = ApiClient(ledger.member).post(
        "/communities/riverside/ledger/fund/gifts", {"minutes": 660}
    )
    assert response.status_code == 409
    assert response.json()["fund_path"] is None and response.json()["limit"] == "floor"


def test_the_published_schema_declares_the_fund_path_on_a_floor_refusal(ledger):
    schema = ApiClient(ledger.member).get("/openapi.json").json()
    responses = schema["paths"]["/api/v1/communities/{slug}/ledger/transfers"]["post"]["responses"]
    ref = responses["409"]["content"]["application/problem+json"]["schema"]["$ref"]
    problem = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"fund_path", "fund_request", "limit"} <= set(problem["properties"])


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_only_coordinators_list_and_answer_requests_to_the_fund(at_floor, role):
    asked = ApiClient(at_floor.steward).post(
        "/communities/riverside/ledger/fund/requests",
        {"to": _id(at_floor, at_floor.caller), "minutes": 30},
    )
    api = ApiClient(getattr(at_floor, role))
    assert api.get("/communities/riverside/ledger/fund/requests").status_code == 403
    answer = api.post(f"/ledger/fund/requests/{asked.json()['id']}/approve")
    assert answer.status_code == 404
    assert not Transfer.objects.filter(kind="fund_payment").exists()


def test_a_retried_request_to_the_fund_answers_200_and_a_reused_key_422(at_floor):
    api = ApiClient(at_floor.member)
    api.headers["Idempotency-Key"] = "fund-key-1"
    body = {"to": _id(at_floor, at_floor.caller), "minutes": 30}
    first = api.post("/communities/riverside/ledger/fund/requests", body)
    second = api.post("/communities/riverside/ledger/fund/requests", body)
    other = api.post("/communities/riverside/ledger/fund/requests", body | {"minutes": 31})
    assert (first.status_code, second.status_code, other.status_code) == (201, 200, 422)
    assert "idempotency_key" in other.json()["errors"]
    assert FundRequest.objects.count() == 1


def test_a_request_for_credits_reaches_the_payer_and_is_listed_for_both_sides(ledger):
    from mutua.notify.models import Notification

    asked = ApiClient(ledger.caller).post(
        "/communities/riverside/ledger/requests",
        {"payer": _id(ledger, ledger.member), "minutes": 90, "reason": "ladders"},
    )
    assert asked.status_code == 201, asked.content

    # the payer is told, and finds it in the API to answer it
    note = Notification.objects.get(recipient=ledger.member, kind="ledger_credit_requested")
    assert "1.5 h" in note.body and "ladders" in note.body
    mine = ApiClient(ledger.member).get("/communities/riverside/ledger/requests").json()["items"]
    theirs = ApiClient(ledger.caller).get("/communities/riverside/ledger/requests").json()["items"]
    assert [(r["id"], r["asked_of_me"]) for r in mine] == [(asked.json()["id"], True)]
    assert [(r["id"], r["asked_of_me"]) for r in theirs] == [(asked.json()["id"], False)]
    # someone else sees nothing of it
    other = ApiClient(ledger.coordinator).get("/communities/riverside/ledger/requests").json()
    assert other["items"] == []
    # once answered it leaves the list
    ApiClient(ledger.member).post(f"/ledger/requests/{asked.json()['id']}/decline")
    assert (
        ApiClient(ledger.member).get("/communities/riverside/ledger/requests").json()["items"] == []
    )
