"""Corrections always go through: a reversal restores the state before the mistake, is never
refused by a limit, and is flagged for coordinators when it leaves someone past one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mutua.core.errors import Conflict
from mutua.core.models import AuditEntry
from mutua.exchange import services as exchange
from mutua.exchange.models import Commitment
from mutua.ledger.models import Transfer
from mutua.ledger.selectors import ledger_verify, summary_get
from mutua.ledger.services import (
    ledger_configure,
    ledger_reverse_exchange,
    transfer_reverse,
    transfer_send,
)
from tests.ledger.helpers import balance


def _confirmed(ledger, hours="3"):
    need = exchange.need_post(
        actor=ledger.member,
        community=ledger.community,
        title="Paint the fence",
        allow_self_assign=True,
    )
    commitment = exchange.need_self_assign(helper=ledger.caller, need=need)
    commitment = exchange.commitment_mark_done(
        actor=ledger.caller, commitment=commitment, hours=Decimal(hours)
    )
    return exchange.commitment_confirm(actor=ledger.member, commitment=commitment)


def _helper_spends_everything(ledger):
    """The caller, credited 3 hours, spends down to their floor of -10 hours."""
    transfer_send(
        actor=ledger.caller, community=ledger.community, recipient=ledger.steward, minutes=780
    )
    assert balance(ledger.community, ledger.caller) == -600


def test_a_no_show_reverses_the_exchange_even_after_the_helper_spent_the_credits(ledger):
    # given an exchange of 3 hours whose helper has spent everything down to the floor
    commitment = _confirmed(ledger)
    _helper_spends_everything(ledger)
    # when the person helped reports a no-show within the window
    exchange.commitment_report_no_show(actor=ledger.member, commitment=commitment, note="no one")
    # then the correction goes through, past the helper's floor, and is flagged
    reversal = Transfer.objects.get(kind="reversal")
    assert reversal.reverses.source == f"commitment:{commitment.public_id}"
    assert reversal.is_flagged
    assert balance(ledger.community, ledger.caller) == -780
    assert balance(ledger.community, ledger.member) == 0
    assert not AuditEntry.objects.filter(action="ledger.reversal_pending").exists()
    assert ledger_verify() == []


def test_a_correction_past_a_limit_shows_on_the_coordinator_summary(ledger):
    commitment = _confirmed(ledger)
    _helper_spends_everything(ledger)
    exchange.commitment_report_no_show(actor=ledger.member, commitment=commitment)
    summary = summary_get(viewer=ledger.coordinator, community=ledger.community)
    assert summary.flagged == 1
    assert [t.kind for t in summary.recent_flagged] == ["reversal"]
    caller = [a for a in summary.may_need_support if a.user_id == ledger.caller.pk]
    assert caller and caller[0].is_past_limit


def test_a_coordinator_correction_is_never_refused_by_a_limit(ledger):
    # given a send the recipient has already passed on, down to their floor
    sent = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=120
    )
    transfer_send(
        actor=ledger.caller, community=ledger.community, recipient=ledger.steward, minutes=720
    )
    # when a coordinator corrects the first send
    reversal = transfer_reverse(actor=ledger.coordinator, transfer=sent, reason="wrong person")
    # then it goes through and is flagged
    assert reversal.is_flagged and reversal.reverses == sent
    assert balance(ledger.community, ledger.caller) == -720
    assert balance(ledger.community, ledger.member) == 0


def test_a_correction_within_the_limits_is_not_flagged(ledger):
    sent = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=60
    )
    reversal = transfer_reverse(actor=ledger.coordinator, transfer=sent, reason="twice")
    assert not reversal.is_flagged


def test_reversing_an_exchange_for_a_dispute_takes_its_reason_and_happens_once(ledger):
    # given a confirmed exchange
    commitment = _confirmed(ledger)
    # when a dispute reverses it, and the call comes again (a retry, or a no-show after)
    first = ledger_reverse_exchange(
        commitment=commitment, actor=ledger.coordinator, reason="disputed: it was not done"
    )
    again = ledger_reverse_exchange(commitment=commitment, actor=ledger.coordinator)
    # then there is one correction, with the dispute's reason, and the second call returns it
    assert first is not None and again is not None and again.pk == first.pk
    assert first.reason == "disputed: it was not done"
    assert first.created_by == ledger.coordinator
    assert Transfer.objects.filter(kind="reversal").count() == 1
    assert balance(ledger.community, ledger.caller) == 0


def test_the_old_call_without_a_reason_still_works(ledger):
    commitment = _confirmed(ledger)
    reversal = ledger_reverse_exchange(commitment=commitment)
    assert reversal is not None and reversal.reason == "no-show reported"
    assert reversal.created_by is None


def test_where_the_ledger_was_turned_off_a_dispute_reverses_nothing(ledger):
    commitment = _confirmed(ledger)
    ledger_configure(actor=ledger.steward, community=ledger.community, is_enabled=False)
    commitment = Commitment.objects.select_related("need__community").get(pk=commitment.pk)
    assert ledger_reverse_exchange(commitment=commitment, reason="dispute") is None
    assert not Transfer.objects.filter(kind="reversal").exists()


def test_a_correction_is_not_itself_corrected(ledger):
    sent = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=60
    )
    reversal = transfer_reverse(actor=ledger.coordinator, transfer=sent, reason="twice")
    with pytest.raises(Conflict):
        transfer_reverse(actor=ledger.coordinator, transfer=reversal, reason="undo")
    assert Transfer.objects.count() == 2
