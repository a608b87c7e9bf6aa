"""Confirmed exchanges move credits; a no-show in the dispute window reverses them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from mutua.core.errors import Conflict
from mutua.core.models import AuditEntry
from mutua.exchange import services as exchange
from mutua.exchange.models import Need
from mutua.exchange.sweeps import auto_confirm_commitments
from mutua.ledger.models import Transfer
from mutua.ledger.selectors import summary_get
from mutua.ledger.services import (
    account_set_limits,
    account_set_supported,
    fund_for,
    transfer_send,
)
from tests.ledger.helpers import balance


def _exchange(cast, person, helper, hours="1.5", confirm=True, **need):
    need.setdefault("title", "Shopping for the week")
    need.setdefault("allow_self_assign", True)
    posted = exchange.need_post(actor=person, community=cast.community, **need)
    commitment = exchange.need_self_assign(helper=helper, need=posted)
    commitment = exchange.commitment_mark_done(
        actor=helper, commitment=commitment, hours=Decimal(hours)
    )
    if confirm:
        exchange.commitment_confirm(actor=person, commitment=commitment)
    return commitment


def test_a_confirmed_exchange_pays_the_helper_from_the_person_helped(ledger):
    # when the member confirms 1.5 hours of help from the caller
    _exchange(ledger, ledger.member, ledger.caller)
    # then 90 minutes move from the member to the caller
    assert balance(ledger.community, ledger.caller) == 90
    assert balance(ledger.community, ledger.member) == -90
    assert Transfer.objects.get().kind == "exchange"


def test_where_the_ledger_is_off_an_exchange_records_nothing(cast):
    _exchange(cast, cast.member, cast.caller)
    assert not Transfer.objects.exists()


def test_an_auto_confirmed_exchange_is_recorded_too(ledger):
    commitment = _exchange(ledger, ledger.member, ledger.caller, confirm=False)
    auto_confirm_commitments(now=commitment.auto_confirm_at + dt.timedelta(minutes=1))
    assert balance(ledger.community, ledger.caller) == 90


def test_a_supported_member_receives_from_the_fund(ledger):
    # given coordinators have marked the member as supported
    account_set_supported(
        actor=ledger.coordinator,
        community=ledger.community,
        member=ledger.member,
        is_supported=True,
        reason="recovering from an operation",
    )
    # when they receive help
    _exchange(ledger, ledger.member, ledger.caller, hours="2")
    # then the fund pays, not them, and the decision is in the audit log
    assert balance(ledger.community, ledger.member) == 0
    assert fund_for(ledger.community).balance == -120
    assert AuditEntry.objects.filter(action="ledger.supported", subject=ledger.member).exists()


def test_a_need_posted_on_behalf_of_someone_is_paid_by_the_fund(ledger):
    _exchange(
        ledger,
        ledger.coordinator,
        ledger.caller,
        hours="1",
        on_behalf_name="Mrs Ada",
        consent_given=True,
    )
    assert fund_for(ledger.community).balance == -60
    assert balance(ledger.community, ledger.caller) == 60


def test_a_member_at_the_floor_receives_from_the_fund_without_refusal(ledger):
    # given the member is at -10 hours already
    transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.steward, minutes=600
    )
    # when they receive an hour of help
    _exchange(ledger, ledger.member, ledger.caller, hours="1")
    # then the help is recorded from the fund, and the member stays at the floor
    assert balance(ledger.community, ledger.member) == -600
    assert fund_for(ledger.community).balance == -60


def test_each_helper_of_a_group_need_is_credited_their_own_hours(ledger):
    need = exchange.need_post(
        actor=ledger.member,
        community=ledger.community,
        title="Move a piano",
        helpers_wanted=2,
        allow_self_assign=True,
    )
    helpers = ((ledger.caller, "1"), (ledger.coordinator, "2.5"))
    commitments = [
        exchange.need_self_assign(helper=h, need=Need.objects.get(pk=need.pk)) for h, _ in helpers
    ]
    for (helper, hours), commitment in zip(helpers, commitments, strict=True):
        commitment = exchange.commitment_mark_done(
            actor=helper, commitment=commitment, hours=Decimal(hours)
        )
        exchange.commitment_confirm(actor=ledger.member, commitment=commitment)
    assert balance(ledger.community, ledger.caller) == 60
    assert balance(ledger.community, ledger.coordinator) == 150
    assert balance(ledger.community, ledger.member) == -210


def test_a_no_show_in_the_dispute_window_reverses_the_transfer(ledger):
    commitment = _exchange(ledger, ledger.member, ledger.caller)
    exchange.commitment_report_no_show(
        actor=ledger.member, commitment=commitment, note="nobody came"
    )
    reversal = Transfer.objects.get(kind="reversal")
    assert reversal.reverses.kind == "exchange"
    assert balance(ledger.community, ledger.caller) == 0
    assert balance(ledger.community, ledger.member) == 0


def test_a_no_show_after_the_window_changes_nothing(ledger):
    commitment = _exchange(ledger, ledger.member, ledger.caller)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)), pytest.raises(Conflict):
        exchange.commitment_report_no_show(actor=ledger.member, commitment=commitment)
    assert not Transfer.objects.filter(kind="reversal").exists()
    assert balance(ledger.community, ledger.caller) == 90


def test_help_credited_past_the_ceiling_goes_through_and_is_flagged(ledger):
    # given a helper whose own ceiling is one hour
    account_set_limits(
        actor=ledger.coordinator,
        community=ledger.community,
        member=ledger.caller,
        floor_minutes=None,
        ceiling_minutes=60,
        reason="agreed",
    )
    # when they are credited 1.5 hours of help
    _exchange(ledger, ledger.member, ledger.caller)
    # then the credit is never refused, the transfer is flagged, and coordinators see them
    transfer = Transfer.objects.get(kind="exchange")
    assert transfer.is_flagged
    assert balance(ledger.community, ledger.caller) == 90
    summary = summary_get(viewer=ledger.coordinator, community=ledger.community)
    asked = [a for a in summary.could_be_asked if a.user_id == ledger.caller.pk]
    assert asked and asked[0].is_past_limit
    assert summary.flagged == 1


def test_help_within_the_limits_is_not_flagged(ledger):
    _exchange(ledger, ledger.member, ledger.caller)
    assert not Transfer.objects.get(kind="exchange").is_flagged
