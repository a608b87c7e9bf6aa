"""Completion: mark done, confirm, thanks, feedback, no-show, follow-up, expenses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.exchange import services, sweeps
from mutua.exchange.models import Expense, Feedback
from tests.exchange.helpers import kinds_for, new_member, post_need


@pytest.fixture
def committed(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    return need, services.need_self_assign(helper=cast.caller, need=need)


def test_helper_marks_done_and_the_person_confirms(cast, committed):
    need, commitment = committed
    services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours="1.5")
    need.refresh_from_db()
    assert need.status == "in_progress"
    assert "exchange_done_marked" in kinds_for(cast.member)
    services.commitment_confirm(actor=cast.member, commitment=commitment)
    commitment.refresh_from_db()
    need.refresh_from_db()
    assert commitment.status == "confirmed" and commitment.hours == Decimal("1.50")
    assert not commitment.auto_confirmed
    assert need.status == "done"
    assert "exchange_confirmed" in kinds_for(cast.caller)


def test_the_side_that_marked_done_cannot_confirm_it(cast, committed):
    _need, commitment = committed
    services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=1)
    with pytest.raises(PermissionDenied):
        services.commitment_confirm(actor=cast.caller, commitment=commitment)


def test_bad_hours_are_refused_and_nothing_changes(cast, committed):
    _need, commitment = committed
    for bad in ("lots", "-1", "25"):
        with pytest.raises(ValidationFailed) as exc:
            services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=bad)
        assert "hours" in exc.value.field_errors
    commitment.refresh_from_db()
    assert commitment.status == "active"


def test_stranger_cannot_mark_done(cast, committed):
    _need, commitment = committed
    other = new_member(cast.community, "Someone Else")
    with pytest.raises(PermissionDenied):
        services.commitment_mark_done(actor=other, commitment=commitment)


def test_thanks_reach_the_helper_privately(cast, committed):
    _need, commitment = committed
    services.feedback_give(
        actor=cast.member, commitment=commitment, kind="thanks", text="Thank you!"
    )
    note = Feedback.objects.get()
    assert note.recipient == cast.caller
    assert "exchange_thanks" in kinds_for(cast.caller)


def test_no_show_after_auto_confirmation_within_the_dispute_window(cast, committed):
    _need, commitment = committed
    start = dt.datetime(2030, 3, 1, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=2)
    with time_machine.travel(start + dt.timedelta(days=4), tick=False):
        assert sweeps.auto_confirm_commitments() == 1
    commitment.refresh_from_db()
    assert commitment.status == "confirmed" and commitment.auto_confirmed
    with time_machine.travel(start + dt.timedelta(days=10), tick=False):
        services.commitment_report_no_show(
            actor=cast.member, commitment=commitment, note="never came"
        )
    commitment.refresh_from_db()
    assert commitment.no_show_reported_at and commitment.follow_up
    assert "exchange_follow_up" in kinds_for(cast.coordinator)


def test_no_show_after_the_dispute_window_is_refused(cast, committed):
    _need, commitment = committed
    start = dt.datetime(2030, 3, 1, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=2)
        services.commitment_confirm(actor=cast.member, commitment=commitment)
    with time_machine.travel(start + dt.timedelta(days=15), tick=False), pytest.raises(Conflict):
        services.commitment_report_no_show(actor=cast.member, commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.no_show_reported_at is None


def test_helper_cannot_report_a_no_show_against_themself(cast, committed):
    _need, commitment = committed
    with pytest.raises(PermissionDenied):
        services.commitment_report_no_show(actor=cast.caller, commitment=commitment)


def test_follow_up_flag_brings_it_to_coordinators(cast, committed):
    _need, commitment = committed
    services.commitment_flag_follow_up(actor=cast.caller, commitment=commitment, note="worried")
    commitment.refresh_from_db()
    assert commitment.follow_up
    assert "exchange_follow_up" in kinds_for(cast.coordinator)
    with pytest.raises(PermissionDenied):
        services.commitment_follow_up_clear(actor=cast.caller, commitment=commitment)
    services.commitment_follow_up_clear(actor=cast.coordinator, commitment=commitment)
    commitment.refresh_from_db()
    assert not commitment.follow_up


def test_expense_recorded_by_helper_and_repaid_by_the_person(cast, committed):
    _need, commitment = committed
    expense = services.expense_record(
        actor=cast.caller, commitment=commitment, amount="23.40", note="groceries"
    )
    with pytest.raises(PermissionDenied):
        services.expense_mark_repaid(actor=cast.caller, expense=expense)
    services.expense_mark_repaid(actor=cast.member, expense=expense)
    expense.refresh_from_db()
    assert expense.repaid_at and expense.repaid_by == cast.member


def test_bad_expense_is_refused_and_nothing_written(cast, committed):
    _need, commitment = committed
    with pytest.raises(ValidationFailed) as exc:
        services.expense_record(actor=cast.caller, commitment=commitment, amount="-3")
    assert "amount" in exc.value.field_errors
    with pytest.raises(PermissionDenied):
        services.expense_record(actor=cast.member, commitment=commitment, amount="3")
    assert not Expense.objects.exists()
