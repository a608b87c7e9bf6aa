"""Asking the community fund: a member at their floor asks, a coordinator answers, the fund pays."""

from __future__ import annotations

import pytest

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.ledger.models import FundRequest, Transfer
from mutua.ledger.notifications import FUND_ANSWERED, FUND_REQUESTED
from mutua.ledger.services import (
    LimitReached,
    credit_request_approve,
    credit_request_create,
    fund_for,
    fund_request_approve,
    fund_request_create,
    fund_request_decline,
    ledger_configure,
    transfer_send,
)
from mutua.notify.models import Notification
from tests.factories import add_member
from tests.ledger.helpers import balance


@pytest.fixture
def at_floor(ledger):
    """The member has given 10 hours already: they are at the default floor."""
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.steward, minutes=600
    )
    return ledger


def _ask(cast, **extra):
    args = {"actor": cast.member, "community": cast.community, "recipient": cast.caller}
    return fund_request_create(**(args | {"minutes": 90, "reason": "a lift"} | extra))


def test_a_member_at_their_floor_asks_the_fund_and_coordinators_are_told(at_floor):
    asked = _ask(at_floor)
    assert asked.status == "pending" and asked.transfer is None
    told = set(
        Notification.objects.filter(kind=FUND_REQUESTED).values_list("recipient_id", flat=True)
    )
    assert told == {at_floor.coordinator.pk, at_floor.steward.pk}
    assert Transfer.objects.count() == 1  # only the earlier send


def test_a_coordinator_approves_and_the_fund_pays_the_helper_once(at_floor):
    asked = _ask(at_floor)
    done = fund_request_approve(actor=at_floor.coordinator, request=asked)
    again = fund_request_approve(actor=at_floor.coordinator, request=asked)
    assert done.status == again.status == "approved"
    assert Transfer.objects.filter(kind="fund_payment").count() == 1
    assert balance(at_floor.community, at_floor.caller) == 90
    assert balance(at_floor.community, at_floor.member) == -600
    assert fund_for(at_floor.community).balance == -90
    # the audit log names the helper paid, not the member who asked
    entry = AuditEntry.objects.get(action="ledger.fund_grant")
    assert entry.subject_id == at_floor.caller.pk
    assert Notification.objects.filter(kind=FUND_ANSWERED, recipient=at_floor.member).exists()


def test_a_request_for_credits_the_payer_cannot_approve_goes_to_the_fund(at_floor):
    # given the caller asks the member (at their floor) for 30 minutes
    credit = credit_request_create(
        actor=at_floor.caller, community=at_floor.community, payer=at_floor.member, minutes=30
    )
    # when the member approves, it is refused kindly with the fund offered for this request
    with pytest.raises(LimitReached) as refused:
        credit_request_approve(actor=at_floor.member, request=credit)
    assert refused.value.fund_offered
    assert refused.value.recipient == at_floor.caller and refused.value.minutes == 30
    assert refused.value.credit_request.pk == credit.pk
    # and when they pass it to the fund and a coordinator approves
    asked = fund_request_create(
        actor=at_floor.member, community=at_floor.community, credit_request=credit
    )
    assert (asked.recipient, asked.minutes) == (at_floor.caller, 30)
    fund_request_approve(actor=at_floor.coordinator, request=asked)
    # then the request for credits is settled by the fund's payment
    credit.refresh_from_db()
    asked.refresh_from_db()
    assert credit.status == "approved" and credit.transfer_id == asked.transfer_id
    assert balance(at_floor.community, at_floor.caller) == 30


def test_only_the_payer_can_pass_a_request_for_credits_to_the_fund(at_floor):
    credit = credit_request_create(
        actor=at_floor.caller, community=at_floor.community, payer=at_floor.member, minutes=30
    )
    with pytest.raises(ValidationFailed) as refused:
        fund_request_create(
            actor=at_floor.coordinator, community=at_floor.community, credit_request=credit
        )
    assert "credit_request" in refused.value.field_errors
    assert not FundRequest.objects.exists()


def test_a_coordinator_declines_or_the_member_withdraws_and_nothing_moves(at_floor):
    first, second = _ask(at_floor), _ask(at_floor, minutes=30)
    assert fund_request_decline(actor=at_floor.coordinator, request=first).status == "declined"
    assert fund_request_decline(actor=at_floor.member, request=second).status == "cancelled"
    assert not Transfer.objects.filter(kind="fund_payment").exists()
    with pytest.raises(Conflict):
        fund_request_approve(actor=at_floor.coordinator, request=first)
    answered = Notification.objects.filter(kind=FUND_ANSWERED, recipient=at_floor.member)
    assert answered.count() == 1  # told of the decline, not of their own withdrawal


def test_the_fund_at_its_floor_refuses_and_the_request_waits(at_floor):
    ledger_configure(actor=at_floor.coordinator, community=at_floor.community, fund_floor_minutes=0)
    asked = _ask(at_floor)
    with pytest.raises(LimitReached):
        fund_request_approve(actor=at_floor.coordinator, request=asked)
    asked.refresh_from_db()
    assert asked.status == "pending" and not Transfer.objects.filter(kind="fund_payment").exists()


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_only_coordinators_approve_or_decline_a_request_to_the_fund(at_floor, role):
    asked = fund_request_create(
        actor=at_floor.steward, community=at_floor.community, recipient=at_floor.caller, minutes=5
    )
    actor = getattr(at_floor, role)
    with pytest.raises(PermissionDenied):
        fund_request_approve(actor=actor, request=asked)
    with pytest.raises(PermissionDenied):
        fund_request_decline(actor=actor, request=asked)
    asked.refresh_from_db()
    assert asked.status == "pending"


def test_outsiders_and_suspended_members_cannot_ask_the_fund(at_floor):
    suspended = add_member(at_floor.community, status="suspended").user
    for actor in (at_floor.outsider, suspended):
        with pytest.raises(PermissionDenied):
            fund_request_create(
                actor=actor, community=at_floor.community, recipient=at_floor.caller, minutes=5
            )
    assert not FundRequest.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"recipient": "self"}, "recipient"),
        ({"recipient": "outsider"}, "recipient"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 6001}, "minutes"),
        ({"reason": "x" * 301}, "reason"),
    ],
)
def test_bad_requests_to_the_fund_name_the_field_and_change_nothing(at_floor, extra, field):
    if extra.get("recipient") == "self":
        extra = {"recipient": at_floor.member}
    elif extra.get("recipient") == "outsider":
        extra = {"recipient": at_floor.outsider}
    with pytest.raises(ValidationFailed) as refused:
        _ask(at_floor, **extra)
    assert field in refused.value.field_errors
    assert not FundRequest.objects.exists()


def test_a_retried_request_to_the_fund_is_made_once(at_floor):
    first = _ask(at_floor, idempotency_key="fund-1")
    second = _ask(at_floor, idempotency_key="fund-1")
    assert first.pk == second.pk and getattr(second, "is_replay", False)
    with pytest.raises(ValidationFailed) as refused:
        _ask(at_floor, idempotency_key="fund-1", minutes=120)
    assert "idempotency_key" in refused.value.field_errors
    assert FundRequest.objects.count() == 1
