"""The ledger API: balance, statement, idempotent creates, refusals as problem+json."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutua.communities.models import Membership
from mutua.ledger.models import Transfer
from tests.api.conftest import ApiClient
from tests.ledger.helpers import balance


def _member_id(community, user) -> str:
    return Membership.objects.get(community=community, user=user).public_id


def _send(api, ledger, minutes=30, key=None):
    if key:
        api.headers["Idempotency-Key"] = key
    return api.post(
        "/communities/riverside/ledger/transfers",
        {"to": _member_id(ledger.community, ledger.caller), "minutes": minutes, "reason": "tea"},
    )


def test_a_retried_send_with_the_same_idempotency_key_returns_the_first_transfer(ledger):
    api = ApiClient(ledger.member)
    first = _send(api, ledger, key="retry-1")
    second = _send(api, ledger, key="retry-1")
    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Transfer.objects.count() == 1
    assert balance(ledger.community, ledger.caller) == 30


def test_a_retry_answers_the_first_transfer_even_when_the_limits_now_refuse(ledger):
    api = ApiClient(ledger.member)
    first = _send(api, ledger, minutes=600, key="retry-2")
    second = _send(api, ledger, minutes=600, key="retry-2")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert balance(ledger.community, ledger.member) == -600


def test_a_retried_record_is_answered_200_and_logged_once(ledger):
    from mutua.core.models import AuditEntry

    api = ApiClient(ledger.coordinator)
    api.headers["Idempotency-Key"] = "record-1"
    body = {
        "payers": [{"member": _member_id(ledger.community, ledger.member), "minutes": 60}],
        "payees": [{"member": _member_id(ledger.community, ledger.caller), "minutes": 60}],
        "reason": "Phone intake",
    }
    first = api.post("/communities/riverside/ledger/records", body)
    second = api.post("/communities/riverside/ledger/records", body)
    assert (first.status_code, second.status_code) == (201, 200), first.content
    assert Transfer.objects.count() == 1
    assert AuditEntry.objects.filter(action="ledger.record").count() == 1


def test_a_new_key_after_a_retry_moves_credits_again(ledger):
    api = ApiClient(ledger.member)
    assert _send(api, ledger, key="k-a").status_code == 201
    assert _send(api, ledger, key="k-b").status_code == 201
    assert Transfer.objects.count() == 2


def test_my_balance_shows_given_and_received_apart(ledger):
    _send(ApiClient(ledger.member), ledger, minutes=90)
    body = ApiClient(ledger.caller).get("/communities/riverside/ledger/balance").json()
    assert body["balance_minutes"] == 90
    assert body["given_minutes"] == 90 and body["received_minutes"] == 0
    assert body["floor_minutes"] == -600


def test_the_statement_lists_my_entries_newest_first(ledger):
    api = ApiClient(ledger.member)
    _send(api, ledger, minutes=10)
    _send(api, ledger, minutes=20)
    items = api.get("/communities/riverside/ledger/statement").json()["items"]
    assert [i["amount_minutes"] for i in items] == [-20, -10]
    filtered = api.get("/communities/riverside/ledger/statement", kind="exchange").json()
    assert filtered["items"] == []


def test_a_send_past_the_floor_answers_409_with_the_fund_offered(ledger):
    response = _send(ApiClient(ledger.member), ledger, minutes=6000)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert "community fund" in response.json()["detail"]


def test_where_the_ledger_is_off_no_balance_is_shown(cast):
    response = ApiClient(cast.member).get("/communities/riverside/ledger/balance")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_the_summary_is_refused_to_those_who_do_not_coordinate(ledger, role):
    response = ApiClient(getattr(ledger, role)).get("/communities/riverside/ledger/summary")
    assert response.status_code == 403


def test_coordinators_see_who_may_need_support(ledger):
    ApiClient(ledger.member).post(
        "/communities/riverside/ledger/transfers",
        {"to": _member_id(ledger.community, ledger.caller), "minutes": 500},
    )
    body = ApiClient(ledger.coordinator).get("/communities/riverside/ledger/summary").json()
    assert [p["member"] for p in body["may_need_support"]] == [
        _member_id(ledger.community, ledger.member)
    ]
    assert body["in_circulation_minutes"] == 500


def test_a_coordinator_marks_a_member_supported_through_the_api(ledger):
    member_id = _member_id(ledger.community, ledger.member)
    response = ApiClient(ledger.coordinator).patch(
        f"/communities/riverside/ledger/accounts/{member_id}",
        {"is_supported": True, "reason": "long illness"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_supported"] is True
    refused = ApiClient(ledger.caller).patch(
        f"/communities/riverside/ledger/accounts/{member_id}",
        {"is_supported": False, "reason": "no"},
    )
    assert refused.status_code == 403


def test_requests_are_approved_once_by_the_payer(ledger):
    asked = ApiClient(ledger.caller).post(
        "/communities/riverside/ledger/requests",
        {"payer": _member_id(ledger.community, ledger.member), "minutes": 45},
    )
    assert asked.status_code == 201, asked.content
    rid = asked.json()["id"]
    assert ApiClient(ledger.caller).post(f"/ledger/requests/{rid}/approve").status_code == 403
    payer = ApiClient(ledger.member)
    assert payer.post(f"/ledger/requests/{rid}/approve").json()["status"] == "approved"
    assert payer.post(f"/ledger/requests/{rid}/approve").status_code == 200
    assert balance(ledger.community, ledger.caller) == 45


def test_stewards_turn_the_ledger_on_and_members_cannot(cast):
    refused = ApiClient(cast.coordinator).patch(
        "/communities/riverside/ledger/settings", {"is_enabled": True}
    )
    assert refused.status_code == 403
    done = ApiClient(cast.steward).patch(
        "/communities/riverside/ledger/settings", {"is_enabled": True, "floor_minutes": -300}
    )
    assert done.status_code == 200 and done.json()["floor_minutes"] == -300


def test_the_statement_takes_the_same_queries_for_one_entry_or_many(ledger):
    api = ApiClient(ledger.member)
    _send(api, ledger, minutes=5)
    with CaptureQueriesContext(connection) as one:
        api.get("/communities/riverside/ledger/statement")
    for _ in range(5):
        _send(api, ledger, minutes=5)
    with CaptureQueriesContext(connection) as many:
        response = api.get("/communities/riverside/ledger/statement")
    assert len(response.json()["items"]) == 6
    assert len(many) == len(one)


def test_marking_someone_supported_keeps_their_own_floor(ledger):
    member_id = _member_id(ledger.community, ledger.member)
    api = ApiClient(ledger.coordinator)
    path = f"/communities/riverside/ledger/accounts/{member_id}"
    api.patch(path, {"floor_minutes": -1200, "reason": "agreed"})
    body = api.patch(path, {"is_supported": True, "reason": "illness"}).json()
    assert body == {"floor_override": -1200, "ceiling_override": None, "is_supported": True}


def test_a_member_opts_in_to_the_gentle_nudge(ledger):
    api = ApiClient(ledger.member)
    response = api.put("/communities/riverside/ledger/nudge", {"wants_nudge": True})
    assert response.status_code == 200
    assert api.get("/communities/riverside/ledger/balance").json()["wants_nudge"] is True
