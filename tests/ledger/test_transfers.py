"""Sending, gifts to the fund, coordinator records, reversals, limits and idempotency."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.ledger.models import Account, CreditRequest, Entry, Transfer
from mutua.ledger.services import (
    LimitReached,
    account_set_limits,
    credit_request_create,
    fund_for,
    fund_gift,
    fund_grant,
    ledger_configure,
    transfer_record,
    transfer_reverse,
    transfer_send,
)
from tests.factories import add_member, make_user
from tests.ledger.helpers import balance


def test_sending_credits_moves_them_in_balanced_entries(ledger):
    # when a member sends 90 minutes to the coordinator
    transfer = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.coordinator, minutes=90
    )
    # then one balanced transfer is written and both balances follow
    assert transfer.entries.aggregate(s=Sum("amount"))["s"] == 0
    assert balance(ledger.community, ledger.member) == -90
    assert balance(ledger.community, ledger.coordinator) == 90


def test_where_the_ledger_is_off_nothing_is_recorded(cast):
    # given a community that keeps no ledger
    # when a member tries to send credits
    with pytest.raises(Conflict):
        transfer_send(
            actor=cast.member, community=cast.community, recipient=cast.coordinator, minutes=60
        )
    # then nothing is written
    assert not Transfer.objects.exists() and not Entry.objects.exists()


def test_a_send_past_the_floor_is_refused_and_offers_the_fund_kindly(ledger):
    # given the default floor of -10 hours and a member at -9 hours
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=540
    )
    # when they try to send two more hours
    with pytest.raises(LimitReached) as refused:
        transfer_send(
            actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=120
        )
    # then it is refused, the fund is offered, and nothing moved
    assert refused.value.fund_offered
    assert "community fund" in refused.value.message
    assert "debt" not in refused.value.message.lower()
    assert balance(ledger.community, ledger.member) == -540
    assert Transfer.objects.count() == 1


def test_in_flag_mode_a_breach_is_recorded_and_flagged(ledger):
    # given a community that only flags breaches
    ledger_configure(actor=ledger.steward, community=ledger.community, breach_mode="flag")
    # when a member sends past the floor
    transfer = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=700
    )
    # then the transfer is recorded and flagged
    assert transfer.is_flagged
    assert balance(ledger.community, ledger.member) == -700


def test_a_coordinator_override_lowers_one_members_floor(ledger):
    # given a coordinator gives the member a floor of -20 hours
    account_set_limits(
        actor=ledger.coordinator,
        community=ledger.community,
        member=ledger.member,
        floor_minutes=-1200,
        ceiling_minutes=None,
        reason="agreed at the check-in",
    )
    # when the member sends 15 hours
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=900
    )
    # then it goes through, and the override is in the audit log
    assert balance(ledger.community, ledger.member) == -900
    assert AuditEntry.objects.filter(action="ledger.limits", subject=ledger.member).exists()


def test_a_gift_to_the_fund_credits_the_fund(ledger):
    fund_gift(actor=ledger.member, community=ledger.community, minutes=60, reason="thanks")
    assert fund_for(ledger.community).balance == 60
    assert balance(ledger.community, ledger.member) == -60


def test_a_coordinator_records_a_group_exchange_crediting_each_helper(ledger):
    # given two helpers and a person helped (who is supported by the fund for half)
    helper = add_member(ledger.community).user
    # when a coordinator records it
    transfer = transfer_record(
        actor=ledger.coordinator,
        community=ledger.community,
        payers=[(ledger.member, 60), (None, 90)],
        payees=[(ledger.caller, 60), (helper, 90)],
        reason="garden clearing, two helpers",
    )
    # then each helper has their own hours and the record is audit-logged
    assert balance(ledger.community, ledger.caller) == 60
    assert balance(ledger.community, helper) == 90
    assert fund_for(ledger.community).balance == -90
    assert transfer.entries.count() == 4
    assert AuditEntry.objects.filter(action="ledger.record").exists()


def test_a_reversal_mirrors_the_original_and_points_at_it(ledger):
    original = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=60
    )
    reversal = transfer_reverse(actor=ledger.coordinator, transfer=original, reason="sent twice")
    assert reversal.reverses == original
    assert balance(ledger.community, ledger.member) == 0
    assert balance(ledger.community, ledger.caller) == 0
    with pytest.raises(Conflict):
        transfer_reverse(actor=ledger.coordinator, transfer=original, reason="again")
    with pytest.raises(Conflict):
        transfer_reverse(actor=ledger.coordinator, transfer=reversal, reason="undo")


def test_a_retried_send_with_the_same_key_moves_credits_once(ledger):
    args = dict(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=60
    )
    first = transfer_send(**args, idempotency_key="abc-123")
    second = transfer_send(**args, idempotency_key="abc-123")
    assert first.pk == second.pk
    assert balance(ledger.community, ledger.caller) == 60
    third = transfer_send(**args, idempotency_key="abc-124")
    assert third.pk != first.pk


@pytest.mark.parametrize(
    "minutes", [0, -5, 6001, 1.5, "60", True], ids=["zero", "neg", "huge", "float", "str", "bool"]
)
def test_bad_amounts_are_refused_with_a_clear_error(ledger, minutes):
    with pytest.raises(ValidationFailed) as refused:
        transfer_send(
            actor=ledger.member,
            community=ledger.community,
            recipient=ledger.caller,
            minutes=minutes,
        )
    assert "minutes" in refused.value.field_errors
    assert not Transfer.objects.exists()


def test_sending_to_yourself_or_an_outsider_is_refused(ledger):
    for recipient in (ledger.member, ledger.outsider):
        with pytest.raises(ValidationFailed):
            transfer_send(
                actor=ledger.member, community=ledger.community, recipient=recipient, minutes=5
            )
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("role", ["outsider"])
def test_outsiders_cannot_send(ledger, role):
    with pytest.raises(PermissionDenied):
        transfer_send(
            actor=getattr(ledger, role),
            community=ledger.community,
            recipient=ledger.member,
            minutes=5,
        )


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_only_coordinators_record_grant_and_reverse(ledger, role):
    actor = getattr(ledger, role)
    original = transfer_send(
        actor=ledger.coordinator, community=ledger.community, recipient=ledger.steward, minutes=5
    )
    with pytest.raises(PermissionDenied):
        transfer_record(
            actor=actor,
            community=ledger.community,
            payers=[(None, 5)],
            payees=[(ledger.member, 5)],
            reason="x",
        )
    with pytest.raises(PermissionDenied):
        fund_grant(actor=actor, community=ledger.community, recipient=actor, minutes=5, reason="x")
    with pytest.raises(PermissionDenied):
        transfer_reverse(actor=actor, transfer=original, reason="x")
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize("role", ["member", "caller", "coordinator", "outsider"])
def test_only_stewards_turn_the_ledger_on_or_off(cast, role):
    with pytest.raises(PermissionDenied):
        ledger_configure(actor=getattr(cast, role), community=cast.community, is_enabled=True)


def test_a_member_of_another_community_sees_nothing_here(ledger):
    stranger = make_user()
    with pytest.raises(PermissionDenied):
        fund_gift(actor=stranger, community=ledger.community, minutes=5)


def test_a_send_costs_a_fixed_small_number_of_queries(ledger, django_assert_max_num_queries):
    from mutua.ledger.services import transfer_send

    # given both members' accounts and memberships already read once
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=5
    )
    # when another send, with an idempotency key
    # then: savepoint, is either blocked, lock+read accounts, insert transfer (the key's
    # constraint is the check), insert entries, one balance update, release
    with django_assert_max_num_queries(7):
        transfer_send(
            actor=ledger.member,
            community=ledger.community,
            recipient=ledger.caller,
            minutes=5,
            idempotency_key="q-1",
        )


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_only_coordinators_set_a_members_own_limits(ledger, role):
    with pytest.raises(PermissionDenied):
        account_set_limits(
            actor=getattr(ledger, role),
            community=ledger.community,
            member=ledger.member,
            floor_minutes=-6000,
            ceiling_minutes=None,
            reason="x",
        )
    assert not Account.objects.filter(floor_override__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="ledger.limits").exists()


def test_a_suspended_member_can_neither_send_give_nor_ask(ledger):
    # given a member who was suspended
    suspended = add_member(ledger.community, status="suspended").user
    # when they try each member action, then each is refused and nothing is written
    with pytest.raises(PermissionDenied):
        transfer_send(
            actor=suspended, community=ledger.community, recipient=ledger.caller, minutes=5
        )
    with pytest.raises(PermissionDenied):
        fund_gift(actor=suspended, community=ledger.community, minutes=5)
    with pytest.raises(PermissionDenied):
        credit_request_create(
            actor=suspended, community=ledger.community, payer=ledger.caller, minutes=5
        )
    assert not Transfer.objects.exists() and not CreditRequest.objects.exists()


def test_a_suspended_coordinator_can_no_longer_record_or_set_limits(ledger):
    add_member(ledger.community, ledger.coordinator, role="coordinator", status="suspended")
    with pytest.raises(PermissionDenied):
        transfer_record(
            actor=ledger.coordinator,
            community=ledger.community,
            payers=[(None, 5)],
            payees=[(ledger.member, 5)],
            reason="x",
        )
    with pytest.raises(PermissionDenied):
        account_set_limits(
            actor=ledger.coordinator,
            community=ledger.community,
            member=ledger.member,
            floor_minutes=-6000,
            ceiling_minutes=None,
            reason="x",
        )
    assert not Transfer.objects.exists()
    assert not Account.objects.filter(floor_override__isnull=False).exists()


def test_nobody_can_send_to_a_suspended_member(ledger):
    suspended = add_member(ledger.community, status="suspended").user
    with pytest.raises(ValidationFailed) as refused:
        transfer_send(
            actor=ledger.member, community=ledger.community, recipient=suspended, minutes=5
        )
    assert "recipient" in refused.value.field_errors
