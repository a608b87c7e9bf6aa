"""An Idempotency-Key answers its own request again, and refuses to stand for another one."""

from __future__ import annotations

import pytest

from mutua.communities.models import Membership
from mutua.core.errors import ValidationFailed
from mutua.ledger.models import CreditRequest, Transfer
from mutua.ledger.services import credit_request_create, fund_gift, transfer_send
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import add_member, make_community
from tests.ledger.helpers import balance


def _id(cast, user) -> str:
    return Membership.objects.get(community=cast.community, user=user).public_id


def test_a_key_reused_for_another_amount_is_refused_and_moves_nothing(ledger):
    args = dict(actor=ledger.member, community=ledger.community, recipient=ledger.caller)
    transfer_send(**args, minutes=60, idempotency_key="k-1")
    with pytest.raises(ValidationFailed) as refused:
        transfer_send(**args, minutes=90, idempotency_key="k-1")
    assert "idempotency_key" in refused.value.field_errors
    assert balance(ledger.community, ledger.caller) == 60
    assert Transfer.objects.count() == 1


def test_a_key_reused_on_another_endpoint_is_refused(ledger):
    transfer_send(
        actor=ledger.member,
        community=ledger.community,
        recipient=ledger.caller,
        minutes=60,
        idempotency_key="k-2",
    )
    with pytest.raises(ValidationFailed):
        fund_gift(
            actor=ledger.member, community=ledger.community, minutes=60, idempotency_key="k-2"
        )
    assert Transfer.objects.count() == 1


def test_a_key_reused_in_another_community_is_refused(ledger):
    other = make_community(ledger.steward)
    from mutua.ledger.services import ledger_configure

    ledger_configure(actor=ledger.steward, community=other, is_enabled=True)
    add_member(other, ledger.member)
    add_member(other, ledger.caller)
    args = dict(actor=ledger.member, recipient=ledger.caller, minutes=60, idempotency_key="k-3")
    transfer_send(community=ledger.community, **args)
    with pytest.raises(ValidationFailed):
        transfer_send(community=other, **args)
    assert balance(other, ledger.caller) == 0


def test_the_api_answers_422_for_a_reused_key_with_a_different_body(ledger):
    api = ApiClient(ledger.member)
    api.headers["Idempotency-Key"] = "api-k-1"
    path = "/communities/riverside/ledger/transfers"
    first = api.post(path, {"to": _id(ledger, ledger.caller), "minutes": 30})
    again = api.post(path, {"to": _id(ledger, ledger.caller), "minutes": 30})
    other = api.post(path, {"to": _id(ledger, ledger.coordinator), "minutes": 30})
    assert (first.status_code, again.status_code) == (201, 200)
    assert_problem(other, 422, "idempotency_key")
    gift = api.post("/communities/riverside/ledger/fund/gifts", {"minutes": 30})
    assert_problem(gift, 422, "idempotency_key")
    assert Transfer.objects.count() == 1


def test_a_retried_request_for_credits_is_made_once(ledger):
    args = dict(actor=ledger.caller, community=ledger.community, payer=ledger.member)
    first = credit_request_create(**args, minutes=30, idempotency_key="ask-1")
    second = credit_request_create(**args, minutes=30, idempotency_key="ask-1")
    assert first.pk == second.pk
    with pytest.raises(ValidationFailed):
        credit_request_create(**args, minutes=45, idempotency_key="ask-1")
    assert CreditRequest.objects.count() == 1


def test_the_api_takes_an_idempotency_key_for_requests_for_credits(ledger):
    api = ApiClient(ledger.caller)
    api.headers["Idempotency-Key"] = "ask-api-1"
    body = {"payer": _id(ledger, ledger.member), "minutes": 45}
    first = api.post("/communities/riverside/ledger/requests", body)
    second = api.post("/communities/riverside/ledger/requests", body)
    assert (first.status_code, second.status_code) == (201, 200), first.content
    assert first.json()["id"] == second.json()["id"]
    assert_problem(api.post("/communities/riverside/ledger/requests", body | {"minutes": 5}), 422)
    assert CreditRequest.objects.count() == 1


def test_the_request_form_posted_twice_asks_once(client, ledger):
    from django.urls import reverse

    client.force_login(ledger.caller)
    data = {"payer": _id(ledger, ledger.member), "hours": "1", "reason": "", "token": "tok-ask"}
    url = reverse("ledger:ask", args=["riverside"])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert CreditRequest.objects.count() == 1
