"""Ledger pages: balance, sending with a one-time token, statement CSV, summary, settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.models import Membership
from mutua.ledger.models import Transfer
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


def test_a_send_past_the_floor_shows_the_fund_path(client, ledger):
    client.force_login(ledger.member)
    recipient = Membership.objects.get(community=ledger.community, user=ledger.caller)
    response = client.post(
        reverse("ledger:send", args=["riverside"]),
        {"recipient": recipient.public_id, "hours": "11", "token": "tok-2"},
    )
    assert response.status_code == 400
    assert "community fund instead" in response.content.decode()
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
    client.force_login(ledger.coordinator)
    response = client.get(reverse("ledger:summary", args=["riverside"]))
    assert response.status_code == 200
    assert b"May need support" in response.content


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
