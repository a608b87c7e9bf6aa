"""Ledger pages: balance, sending with a one-time token, statement CSV, summary, settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.models import Membership
from mutua.ledger.models import FundRequest, Transfer
from tests.ledger.helpers import balance


def test_where_the_ledger_is_off_the_page_shows_no_balance(client, cast):
    client.force_login(cast.member)
    response = client.get(reverse("ledger:balance", args=["riverside"]))
    assert response.status_code == 404
    assert b"does not keep a time-credit ledger" in response.content


def test_the_balance_page_shows_given_and_received(client, ledger):
    client.force_login(ledger.member)
    response = client.get(reverse("ledger:balance", args=["riverside"]))
    assert response.status_code == 200
    assert b"Hours of help given" in response.content
    assert b"Hours of help received" in response.content


def test_a_form_posted_twice_with_its_token_moves_credits_once(client, ledger):
    client.force_login(ledger.member)
    recipient = Membership.objects.get(community=ledger.community, user=ledger.caller)
    data = {"recipient": recipient.public_id, "hours": "1.5", "reason": "", "token": "tok-1"}
    url = reverse("ledger:send", args=["riverside"])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Transfer.objects.count() == 1
    assert balance(ledger.community, ledger.caller) == 90


def test_a_send_past_the_floor_offers_a_button_to_ask_the_fund(client, ledger):
    # given a member who would pass their floor
    client.force_login(ledger.member)
    recipient = Membership.objects.get(community=ledger.community, user=ledger.caller)
    response = client.post(
        reverse("ledger:send", args=["riverside"]),
        {"recipient": recipient.public_id, "hours": "11", "token": "tok-2", "reason": "lifts"},
    )
    # then the refusal is kind and offers one button that asks the fund
    assert response.status_code == 400
    page = response.content.decode()
    assert "ask the community fund" in page
    assert "debt" not in page.lower() and "owe" not in page.lower()
    assert f'action="{reverse("ledger:fund_ask", args=["riverside"])}"' in page
    assert "Ask the community fund to pay this" in page
    offer = response.context["fund_offer"]
    assert (offer["recipient"], offer["minutes"], offer["reason"]) == (
        recipient.public_id,
        660,
        "lifts",
    )
    assert not Transfer.objects.exists()
    # when they press it
    done = client.post(
        reverse("ledger:fund_ask", args=["riverside"]),
        {k: offer[k] for k in ("recipient", "hours", "reason", "credit_request", "token")},
    )
    # then a request waits for the coordinators, and still nothing has moved
    assert done.status_code == 302
    asked = FundRequest.objects.get()
    assert (asked.requester, asked.recipient, asked.minutes) == (ledger.member, ledger.caller, 660)
    assert not Transfer.objects.exists()


def test_the_statement_downloads_as_csv(client, ledger):
    client.force_login(ledger.member)
    recipient = Membership.objects.get(community=ledger.community, user=ledger.caller)
    client.post(
        reverse("ledger:send", args=["riverside"]),
        {"recipient": recipient.public_id, "hours": "1", "token": "tok-3", "reason": "soup"},
    )
    page = client.get(reverse("ledger:statement", args=["riverside"]))
    assert page.status_code == 200 and b"soup" in page.content
    csv = client.get(reverse("ledger:statement", args=["riverside"]), {"format": "csv"})
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("date,transfer,kind,minutes")
    assert ",send,-60," in lines[1]


@pytest.mark.parametrize("role", ["member", "caller"])
def test_the_summary_and_settings_are_for_coordinators(client, ledger, role):
    client.force_login(getattr(ledger, role))
    assert client.get(reverse("ledger:summary", args=["riverside"])).status_code == 403
    assert client.get(reverse("ledger:settings", args=["riverside"])).status_code == 403


def test_coordinators_see_the_summary_without_a_ranking(client, ledger):
    # given three members near the floor, joined in an order unlike their balances
    from mutua.ledger.services import transfer_send
    from tests.factories import add_member, make_user

    people = [
        add_member(ledger.community, make_user(name)).user
        for name in ("Annwyn", "Beatrix", "Cosimo")
    ]
    for person, minutes in zip(people, (480, 590, 530), strict=True):
        transfer_send(
            actor=person, community=ledger.community, recipient=ledger.steward, minutes=minutes
        )
    client.force_login(ledger.coordinator)
    response = client.get(reverse("ledger:summary", args=["riverside"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "May need support" in page
    # then they are listed in the order they joined, not ranked by balance
    positions = [page.index(name) for name in ("Annwyn", "Beatrix", "Cosimo")]
    assert positions == sorted(positions)
    # and no member's balance appears on the page, only the community's totals
    for hours in ("9.83", "8.83", "9,83", "8,83"):
        assert hours not in page


def test_a_steward_turns_the_ledger_off_and_balances_disappear(client, ledger):
    client.force_login(ledger.steward)
    response = client.post(
        reverse("ledger:settings", args=["riverside"]),
        {
            "floor_hours": "-10",
            "ceiling_hours": "40",
            "fund_floor_hours": "-100",
            "breach_mode": "block",
        },
    )
    assert response.status_code == 302
    client.force_login(ledger.member)
    assert client.get(reverse("ledger:balance", args=["riverside"])).status_code == 404


def test_the_csv_export_neutralises_formulas_in_notes(client, ledger):
    # given notes a spreadsheet would run as formulas
    from mutua.ledger.services import transfer_send

    notes = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "soup"]
    for note in notes:
        transfer_send(
            actor=ledger.member,
            community=ledger.community,
            recipient=ledger.caller,
            minutes=5,
            reason=note,
        )
    client.force_login(ledger.member)
    response = client.get(reverse("ledger:statement", args=["riverside"]), {"format": "csv"})
    import csv
    import io

    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    reasons = {row[5] for row in rows}
    # then each dangerous cell starts with a quote, plain notes and numbers are left alone
    for note in notes[:4]:
        assert "'" + note in reasons
    assert "soup" in reasons
    assert all(row[3] == "-5" and row[4] == "-0.08" for row in rows)


def test_a_tab_or_carriage_return_at_the_start_of_a_cell_is_neutralised():
    # (the services strip them from notes; the export guards every text cell anyway)
    from mutua.ledger.views import safe_cell

    assert safe_cell("\rCR") == "'\rCR"
    assert safe_cell("\tTab") == "'\tTab"
    assert safe_cell("-") == "'-"
    assert safe_cell("tea") == "tea"
