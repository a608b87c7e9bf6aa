"""Who receives from the fund stays between them and coordinators; credits do not cross blocks;
saving the settings page unchanged changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.selectors import audit_list
from mutua.core.errors import PermissionDenied
from mutua.ledger.models import CreditRequest, LedgerSettings, Transfer
from mutua.ledger.selectors import member_choices
from mutua.ledger.services import (
    account_set_limits,
    account_set_supported,
    credit_request_approve,
    credit_request_create,
    fund_gift,
    fund_grant,
    ledger_configure,
    transfer_send,
)
from mutua.trust.safeguarding import block_create
from tests.ledger.helpers import balance

SUPPORT_ACTIONS = {"ledger.supported", "ledger.fund_grant", "ledger.limits"}


def _support_everything(ledger) -> None:
    fund_gift(actor=ledger.caller, community=ledger.community, minutes=120)
    account_set_supported(
        actor=ledger.coordinator,
        community=ledger.community,
        member=ledger.member,
        is_supported=True,
        reason="lost her job",
    )
    account_set_limits(
        actor=ledger.coordinator,
        community=ledger.community,
        member=ledger.member,
        floor_minutes=-1200,
        ceiling_minutes=None,
        reason="agreed at the check-in",
    )
    fund_grant(
        actor=ledger.coordinator,
        community=ledger.community,
        recipient=ledger.member,
        minutes=60,
        reason="a hard month",
    )


def _actions(viewer, community) -> set[str]:
    return {e.action for e in audit_list(viewer=viewer, community=community)}


# ---- 3. Support from the fund is not for every member to read -------------------------------
def test_other_members_do_not_read_who_receives_from_the_fund(ledger):
    _support_everything(ledger)
    assert not _actions(ledger.caller, ledger.community) & SUPPORT_ACTIONS


def test_the_member_supported_and_coordinators_read_it(ledger):
    _support_everything(ledger)
    assert _actions(ledger.member, ledger.community) >= SUPPORT_ACTIONS
    assert _actions(ledger.coordinator, ledger.community) >= SUPPORT_ACTIONS


def test_a_fund_paid_record_is_not_for_every_member(ledger):
    from mutua.ledger.services import transfer_record

    transfer_record(
        actor=ledger.coordinator,
        community=ledger.community,
        payers=[(None, 60)],
        payees=[(ledger.caller, 60)],
        reason="meals for a neighbour who cannot pay",
    )
    assert "ledger.record" not in _actions(ledger.member, ledger.community)
    assert "ledger.record" in _actions(ledger.coordinator, ledger.community)


def test_a_record_between_members_stays_in_the_open_log(ledger):
    from mutua.ledger.services import transfer_record

    transfer_record(
        actor=ledger.coordinator,
        community=ledger.community,
        payers=[(ledger.member, 60)],
        payees=[(ledger.caller, 60)],
        reason="garden clearing",
    )
    assert "ledger.record" in _actions(ledger.steward, ledger.community)
    assert "ledger.record" in _actions(ledger.caller, ledger.community)


def test_the_coordinator_page_does_not_say_members_can_see_it(client, ledger):
    client.force_login(ledger.coordinator)
    page = client.get(reverse("ledger:coordinate", args=["riverside"])).content.decode()
    assert "so members can see it" not in page
    assert "only by coordinators and the member concerned" in page


# ---- 5. Credits do not cross a block --------------------------------------------------------
@pytest.mark.parametrize("blocker", ["sender", "recipient"])
def test_sending_credits_across_a_block_is_refused_either_way(ledger, blocker):
    sender, recipient = ledger.member, ledger.caller
    a, b = (sender, recipient) if blocker == "sender" else (recipient, sender)
    block_create(user=a, other=b)
    with pytest.raises(PermissionDenied) as refused:
        transfer_send(actor=sender, community=ledger.community, recipient=recipient, minutes=30)
    assert refused.value.message == "You cannot send credits to this member."
    assert not Transfer.objects.exists()
    assert balance(ledger.community, recipient) == 0


@pytest.mark.parametrize("blocker", ["requester", "payer"])
def test_asking_for_credits_across_a_block_is_refused_either_way(ledger, blocker):
    requester, payer = ledger.member, ledger.caller
    a, b = (requester, payer) if blocker == "requester" else (payer, requester)
    block_create(user=a, other=b)
    with pytest.raises(PermissionDenied) as refused:
        credit_request_create(
            actor=requester, community=ledger.community, payer=payer, minutes=30, reason="hi"
        )
    assert refused.value.message == "You cannot ask this member for credits."
    assert not CreditRequest.objects.exists()


def test_a_request_sent_before_a_block_cannot_be_paid_after_it(ledger):
    request = credit_request_create(
        actor=ledger.member, community=ledger.community, payer=ledger.caller, minutes=30
    )
    block_create(user=ledger.member, other=ledger.caller)
    with pytest.raises(PermissionDenied):
        credit_request_approve(actor=ledger.caller, request=request)
    request.refresh_from_db()
    assert request.status == "pending" and not Transfer.objects.exists()


def test_without_a_block_credits_and_requests_go_through(ledger):
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=30
    )
    credit_request_create(
        actor=ledger.member, community=ledger.community, payer=ledger.caller, minutes=30
    )
    assert balance(ledger.community, ledger.caller) == 30
    assert CreditRequest.objects.count() == 1


def test_blocked_people_are_left_out_of_the_members_to_choose(ledger):
    block_create(user=ledger.caller, other=ledger.member)
    names = {
        name for _pid, name in member_choices(viewer=ledger.member, community=ledger.community)
    }
    assert str(ledger.caller) not in names and str(ledger.coordinator) in names
    names = {
        name for _pid, name in member_choices(viewer=ledger.caller, community=ledger.community)
    }
    assert str(ledger.member) not in names


# ---- 9. The settings page saves unchanged limits unchanged ----------------------------------
def _settings_form(client) -> dict:
    page = client.get(reverse("ledger:settings", args=["riverside"]))
    form = page.context["form"]
    return {
        name: form[name].value()
        for name in ("floor_hours", "ceiling_hours", "fund_floor_hours", "breach_mode")
        if form[name].value() is not None
    } | ({"is_enabled": "on"} if form["is_enabled"].value() else {})


@pytest.mark.parametrize(("floor", "ceiling"), [(-90, 2430), (-100, 2401), (-600, 2400)])
def test_saving_the_settings_page_unchanged_keeps_the_limits_to_the_minute(
    client, ledger, floor, ceiling
):
    ledger_configure(
        actor=ledger.steward,
        community=ledger.community,
        floor_minutes=floor,
        ceiling_minutes=ceiling,
        fund_floor_minutes=-150,
    )
    client.force_login(ledger.steward)
    response = client.post(reverse("ledger:settings", args=["riverside"]), _settings_form(client))
    assert response.status_code == 302
    saved = LedgerSettings.objects.get(community=ledger.community)
    assert (saved.floor_minutes, saved.ceiling_minutes, saved.fund_floor_minutes) == (
        floor,
        ceiling,
        -150,
    )


def test_the_settings_page_shows_a_floor_of_ninety_minutes_as_one_and_a_half_hours(client, ledger):
    ledger_configure(actor=ledger.steward, community=ledger.community, floor_minutes=-90)
    client.force_login(ledger.steward)
    page = client.get(reverse("ledger:settings", args=["riverside"]))
    assert str(page.context["form"]["floor_hours"].value()) == "-1.5"


def test_a_new_floor_in_hours_is_saved_in_minutes(client, ledger):
    client.force_login(ledger.steward)
    data = _settings_form(client) | {"floor_hours": "-2.25"}
    assert client.post(reverse("ledger:settings", args=["riverside"]), data).status_code == 302
    assert LedgerSettings.objects.get(community=ledger.community).floor_minutes == -135
