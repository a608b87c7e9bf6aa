"""API: editing needs, dispatch list and bulk, standing arrangements, offer requests and repaid
expenses, with problem+json refusals and field errors that write nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import Commitment, Expense, Need, OfferRequest, StandingArrangement
from mutua.people.services import api_token_create
from tests.exchange.helpers import post_need

JSON = "application/json"


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    return r.json()


def test_person_patches_their_need_and_only_given_fields_change(client, cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday", urgency="week")
    r = client.patch(
        f"/api/v1/needs/{need.public_id}",
        {"title": "Shopping on Tuesday"},
        content_type=JSON,
        **_auth(cast.member),
    )
    assert r.status_code == 200, r.content
    assert (r.json()["title"], r.json()["urgency"]) == ("Shopping on Tuesday", "week")


def test_coordinator_patch_is_audited_and_other_members_are_refused(client, cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    url = f"/api/v1/needs/{need.public_id}"
    _problem(client.patch(url, {"title": "Mine now"}, content_type=JSON, **_auth(cast.caller)), 403)
    _problem(client.patch(url, {"title": "Mine"}, content_type=JSON, **_auth(cast.outsider)), 403)
    assert Need.objects.get(pk=need.pk).title == "Shopping on Monday"
    r = client.patch(url, {"helpers_wanted": 3}, content_type=JSON, **_auth(cast.coordinator))
    assert r.status_code == 200
    assert AuditEntry.objects.get(action="need.edit").after == {"helpers_wanted": 3}


def test_bad_patch_is_a_field_error_and_writes_nothing(client, cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    url = f"/api/v1/needs/{need.public_id}"
    auth = _auth(cast.member)
    body = _problem(client.patch(url, {"title": "x"}, content_type=JSON, **auth), 422)
    assert "title" in body["errors"]
    body = _problem(client.patch(url, {"helpers_wanted": 99}, content_type=JSON, **auth), 422)
    assert Need.objects.get(pk=need.pk).title == "Shopping on Monday"


@pytest.mark.parametrize(
    "field", ["title", "kind", "urgency", "helpers_wanted", "allow_self_assign"]
)
def test_null_for_a_field_that_cannot_be_empty_is_a_field_error(client, cast, field):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    url = f"/api/v1/needs/{need.public_id}"
    body = _problem(client.patch(url, {field: None}, content_type=JSON, **_auth(cast.member)), 422)
    assert field in body["errors"]
    assert Need.objects.get(pk=need.pk).helpers_wanted == need.helpers_wanted


def test_dispatch_list_is_for_coordinators(client, cast):
    post_need(cast.community, cast.member, title="Lift to the clinic", address="2 Hidden Way")
    url = "/api/v1/communities/riverside/dispatch"
    _problem(client.get(url, **_auth(cast.caller)), 403)
    r = client.get(url, **_auth(cast.coordinator))
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert item["title"] == "Lift to the clinic" and item["pending_responses"] == 0
    assert b"Hidden Way" not in r.content


def test_dispatch_bulk_closes_and_assigns_and_refuses_members(client, cast):
    needs = [post_need(cast.community, cast.member, title=f"Need {i}") for i in range(3)]
    url = "/api/v1/communities/riverside/dispatch/bulk"
    ids = [n.public_id for n in needs]
    body = {"needs": ids[:2], "action": "not_needed"}
    _problem(client.post(url, body, content_type=JSON, **_auth(cast.member)), 403)
    r = client.post(url, body, content_type=JSON, **_auth(cast.coordinator))
    assert r.json() == {"updated": 2}
    body = {"needs": ids[2:], "action": "assign", "helper": cast.caller.public_id}
    assert client.post(url, body, content_type=JSON, **_auth(cast.coordinator)).status_code == 200
    assert Commitment.objects.get().helper == cast.caller


def test_dispatch_bulk_bad_input_writes_nothing(client, cast):
    need = post_need(cast.community, cast.member)
    url = "/api/v1/communities/riverside/dispatch/bulk"
    auth = _auth(cast.coordinator)
    _problem(client.post(url, {"needs": [], "action": "expired"}, content_type=JSON, **auth), 422)
    body = {"needs": [need.public_id], "action": "assign", "helper": cast.outsider.public_id}
    assert "helper" in _problem(client.post(url, body, content_type=JSON, **auth), 422)["errors"]
    assert Need.objects.get(pk=need.pk).status == "open" and not Commitment.objects.exists()


def _arrangement_body(cast, **extra) -> dict:
    body = {
        "title": "Shopping every Tuesday",
        "helper": cast.caller.public_id,
        "person": cast.member.public_id,
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "dtstart": timezone.now().isoformat(),
        "helper_agreed": True,
    }
    body.update(extra)
    return body


def test_arrangements_over_the_api_create_list_pause_resume_hand_over(client, cast):
    auth = _auth(cast.coordinator)
    r = client.post(
        "/api/v1/communities/riverside/arrangements",
        _arrangement_body(cast),
        content_type=JSON,
        **auth,
    )
    assert r.status_code == 201, r.content
    arrangement_id = r.json()["id"]
    assert r.json()["helper"] == cast.caller.public_id
    listed = client.get("/api/v1/communities/riverside/arrangements", **_auth(cast.member)).json()
    assert [a["id"] for a in listed["items"]] == [arrangement_id]
    url = f"/api/v1/arrangements/{arrangement_id}"
    for status in ("paused", "active"):
        r = client.post(f"{url}/status", {"status": status}, content_type=JSON, **auth)
        assert r.json()["status"] == status
    r = client.post(
        f"{url}/hand-over", {"helper": cast.steward.public_id}, content_type=JSON, **auth
    )
    assert r.json()["helper"] == cast.steward.public_id


def test_arrangement_refusals_and_bad_input_over_the_api(client, cast):
    url = "/api/v1/communities/riverside/arrangements"
    body = _arrangement_body(cast)
    _problem(client.post(url, body, content_type=JSON, **_auth(cast.caller)), 403)
    bad = _arrangement_body(cast, rrule="FREQ=MINUTELY")
    errors = _problem(client.post(url, bad, content_type=JSON, **_auth(cast.coordinator)), 422)
    assert "rrule" in errors["errors"]
    assert not StandingArrangement.objects.exists()
    arrangement = services.arrangement_create(
        actor=cast.coordinator, community=cast.community, person=cast.member, helper=cast.caller,
        title="Shopping", rrule="FREQ=WEEKLY", dtstart=timezone.now(), helper_agreed=True,
    )  # fmt: skip
    status_url = f"/api/v1/arrangements/{arrangement.public_id}/status"
    _problem(
        client.post(status_url, {"status": "paused"}, content_type=JSON, **_auth(cast.caller)), 403
    )
    _problem(
        client.get(f"/api/v1/arrangements/{arrangement.public_id}", **_auth(cast.outsider)), 403
    )


def test_commitment_becomes_an_arrangement_over_the_api(client, cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    r = client.post(
        f"/api/v1/commitments/{commitment.public_id}/arrangement",
        {"rrule": "FREQ=WEEKLY;BYDAY=MO", "dtstart": timezone.now().isoformat()},
        content_type=JSON,
        **_auth(cast.member),
    )
    assert r.status_code == 201, r.content
    assert StandingArrangement.objects.get().helper == cast.caller


def test_ask_for_an_offer_and_the_owner_accepts_over_the_api(client, cast):
    offer = services.offer_post(owner=cast.member, community=cast.community, title="Spare ladder")
    r = client.post(
        f"/api/v1/offers/{offer.public_id}/requests",
        {"message": "Could I borrow it on Saturday?"},
        content_type=JSON,
        **_auth(cast.caller),
    )
    assert r.status_code == 201, r.content
    request_id = r.json()["id"]
    # the requester cannot answer their own request; the owner can
    _problem(client.post(f"/api/v1/offer-requests/{request_id}/accept", **_auth(cast.caller)), 403)
    owner_list = client.get(f"/api/v1/offers/{offer.public_id}/requests", **_auth(cast.member))
    assert [i["id"] for i in owner_list.json()["items"]] == [request_id]
    other = client.get(f"/api/v1/offers/{offer.public_id}/requests", **_auth(cast.coordinator))
    assert other.json()["items"] == []
    r = client.post(f"/api/v1/offer-requests/{request_id}/accept", **_auth(cast.member))
    assert r.json()["status"] == "accepted"
    _problem(client.post(f"/api/v1/offer-requests/{request_id}/decline", **_auth(cast.member)), 409)


def test_strangers_cannot_see_or_answer_an_offer_request(client, cast):
    offer = services.offer_post(owner=cast.member, community=cast.community, title="Spare ladder")
    asked = services.offer_request_create(requester=cast.caller, offer=offer)
    _problem(
        client.post(f"/api/v1/offer-requests/{asked.public_id}/decline", **_auth(cast.coordinator)),
        404,
    )
    _problem(
        client.post(
            f"/api/v1/offers/{offer.public_id}/requests",
            {},
            content_type=JSON,
            **_auth(cast.member),
        ),
        403,
    )
    assert OfferRequest.objects.get().status == "pending"


@pytest.mark.parametrize("role", ["caller", "outsider"])
def test_only_the_person_or_a_coordinator_marks_an_expense_repaid(client, cast, role):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    expense = services.expense_record(actor=cast.caller, commitment=commitment, amount="12.50")
    url = f"/api/v1/expenses/{expense.public_id}/repaid"
    refused = client.post(url, **_auth(getattr(cast, role)))
    assert refused.status_code in (403, 404)
    assert Expense.objects.get().repaid_at is None
    r = client.post(url, **_auth(cast.member))
    assert r.status_code == 200 and r.json()["repaid_at"]
    _problem(client.post(url, **_auth(cast.coordinator)), 409)
