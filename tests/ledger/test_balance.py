"""Hours given and received count help only; gifts to the fund and fund support are apart."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from mutua.exchange import services as exchange
from mutua.ledger.selectors import balance_get
from mutua.ledger.services import fund_gift, fund_grant, transfer_reverse, transfer_send
from tests.api.conftest import ApiClient


def _history(ledger) -> None:
    """The member receives 1.5 h of help and pays 15 min for a lift, gives 30 min to the fund,
    and is given 1 h by the fund; a mistaken send of 45 min is corrected."""
    need = exchange.need_post(
        actor=ledger.member, community=ledger.community, title="Shopping", allow_self_assign=True
    )
    commitment = exchange.need_self_assign(helper=ledger.caller, need=need)
    commitment = exchange.commitment_mark_done(
        actor=ledger.caller, commitment=commitment, hours=Decimal("1.5")
    )
    exchange.commitment_confirm(actor=ledger.member, commitment=commitment)
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=15
    )
    fund_gift(actor=ledger.member, community=ledger.community, minutes=30)
    fund_grant(
        actor=ledger.coordinator,
        community=ledger.community,
        recipient=ledger.member,
        minutes=60,
        reason="winter",
    )
    mistake = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=45
    )
    transfer_reverse(actor=ledger.coordinator, transfer=mistake, reason="sent twice")


def test_given_and_received_count_only_help(ledger):
    _history(ledger)
    member = balance_get(viewer=ledger.member, community=ledger.community)
    # then help received is the exchange and the paid lift; the fund is shown apart
    assert (member.given, member.received) == (0, 105)
    assert (member.gifts_to_fund, member.from_fund) == (30, 60)
    assert member.balance == -90 - 15 - 30 + 60
    helper = balance_get(viewer=ledger.caller, community=ledger.community)
    assert (helper.given, helper.received) == (105, 0)
    assert (helper.gifts_to_fund, helper.from_fund) == (0, 0)


def test_the_api_shows_gifts_and_fund_support_apart_from_help(ledger):
    _history(ledger)
    body = ApiClient(ledger.member).get("/communities/riverside/ledger/balance").json()
    assert body["given_minutes"] == 0 and body["received_minutes"] == 105
    assert body["gifts_to_fund_minutes"] == 30 and body["fund_support_minutes"] == 60


def test_the_balance_page_shows_gifts_and_fund_support_apart(client, ledger):
    _history(ledger)
    client.force_login(ledger.member)
    response = client.get(reverse("ledger:balance", args=["riverside"]))
    context = response.context["balance"]
    assert (context.received, context.gifts_to_fund, context.from_fund) == (105, 30, 60)
    page = response.content.decode()
    assert "Given to the community fund" in page
    assert "Received from the community fund" in page
