"""The fund path on the web: ask from the balance page or a refusal, coordinators answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.models import Membership
from mutua.ledger.models import CreditRequest, FundRequest, Transfer
from mutua.ledger.services import credit_request_create, fund_request_create, transfer_send
from tests.ledger.helpers import balance


def _id(cast, user) -> str:
    return Membership.objects.get(community=cast.community, user=user).public_id


def url(name: str, *args) -> str:
    return reverse(f"ledger:{name}", args=["riverside", *args])


@pytest.fixture
def at_floor(ledger):
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.steward, minutes=600
    )
    return ledger


def test_the_balance_page_offers_to_ask_the_community_fund(client, ledger):
    client.force_login(ledger.member)
    page = client.get(url("balance")).content.decode()
    assert "Ask the community fund" in page
    assert f'action="{url("fund_ask")}"' in page


def test_a_member_asks_the_fund_from_the_balance_page(client, at_floor):
    client.force_login(at_floor.member)
    data = {"recipient": _id(at_floor, at_floor.caller), "hours": "1", "token": "f-1"}
    assert client.post(url("fund_ask"), data).status_code == 302
    assert client.post(url("fund_ask"), data).status_code == 302  # pressed twice: asked once
    asked = FundRequest.objects.get()
    assert (asked.recipient, asked.minutes, asked.status) == (at_floor.caller, 60, "pending")
    page = client.get(url("balance")).content.decode()
    assert "You asked the fund to give" in page


def test_bad_input_to_ask_the_fund_shows_field_errors_and_asks_nothing(client, at_floor):
    client.force_login(at_floor.member)
    response = client.post(url("fund_ask"), {"recipient": "", "hours": "0", "token": "f-2"})
    assert response.status_code == 400
    errors = response.context["fund_form"].errors
    assert "recipient" in errors and "hours" in errors
    assert not FundRequest.objects.exists()


def test_approving_a_request_past_the_floor_offers_the_fund_on_the_page(client, at_floor):
    # given the caller asks the member, who is at their floor, for half an hour
    credit = credit_request_create(
        actor=at_floor.caller, community=at_floor.community, payer=at_floor.member, minutes=30
    )
    client.force_login(at_floor.member)
    # when the member agrees, then they are offered the fund instead
    response = client.post(url("answer", credit.public_id, "approve"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "ask the community fund" in page and "Ask the community fund to pay this" in page
    offer = response.context["fund_offer"]
    assert offer["credit_request"] == credit.public_id
    # and pressing the button passes the request to the fund
    fields = ("recipient", "hours", "reason", "credit_request", "token")
    assert client.post(url("fund_ask"), {k: offer[k] for k in fields}).status_code == 302
    assert FundRequest.objects.get().credit_request_id == credit.pk
    assert CreditRequest.objects.get().status == "pending"


def test_a_coordinator_pays_from_the_fund_on_the_coordinator_page(client, at_floor):
    asked = fund_request_create(
        actor=at_floor.member, community=at_floor.community, recipient=at_floor.caller, minutes=90
    )
    client.force_login(at_floor.coordinator)
    page = client.get(url("coordinate")).content.decode()
    assert f'action="{url("fund_answer", asked.public_id, "approve")}"' in page
    assert client.post(url("fund_answer", asked.public_id, "approve")).status_code == 302
    assert balance(at_floor.community, at_floor.caller) == 90
    assert Transfer.objects.filter(kind="fund_payment").count() == 1


def test_a_member_withdraws_their_request_to_the_fund(client, at_floor):
    asked = fund_request_create(
        actor=at_floor.member, community=at_floor.community, recipient=at_floor.caller, minutes=90
    )
    client.force_login(at_floor.member)
    response = client.post(url("fund_answer", asked.public_id, "decline"))
    assert response.status_code == 302 and response["Location"] == url("balance")
    asked.refresh_from_db()
    assert asked.status == "cancelled"


@pytest.mark.parametrize("role", ["caller", "outsider"])
def test_others_cannot_answer_a_request_to_the_fund(client, at_floor, role):
    asked = fund_request_create(
        actor=at_floor.member, community=at_floor.community, recipient=at_floor.caller, minutes=90
    )
    client.force_login(getattr(at_floor, role))
    for action in ("approve", "decline"):
        assert client.post(url("fund_answer", asked.public_id, action)).status_code in (403, 404)
    asked.refresh_from_db()
    assert asked.status == "pending" and not Transfer.objects.filter(kind="fund_payment").exists()
