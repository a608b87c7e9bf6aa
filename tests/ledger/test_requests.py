"""Asking for credits: nothing moves until the payer approves, and then only once."""

from __future__ import annotations

import pytest

from mutua.core.errors import Conflict, PermissionDenied
from mutua.ledger.models import Transfer
from mutua.ledger.services import (
    credit_request_approve,
    credit_request_create,
    credit_request_decline,
)
from tests.ledger.helpers import balance


@pytest.fixture
def asked(ledger):
    return credit_request_create(
        actor=ledger.caller,
        community=ledger.community,
        payer=ledger.member,
        minutes=30,
        reason="the lift last week",
    )


def test_a_request_moves_nothing_until_approved(ledger, asked):
    assert not Transfer.objects.exists()
    credit_request_approve(actor=ledger.member, request=asked)
    assert balance(ledger.community, ledger.caller) == 30
    assert balance(ledger.community, ledger.member) == -30


def test_approving_twice_moves_credits_once(ledger, asked):
    credit_request_approve(actor=ledger.member, request=asked)
    credit_request_approve(actor=ledger.member, request=asked)
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize("role", ["caller", "coordinator", "outsider"])
def test_only_the_payer_can_approve(ledger, asked, role):
    with pytest.raises(PermissionDenied):
        credit_request_approve(actor=getattr(ledger, role), request=asked)
    assert not Transfer.objects.exists()


def test_a_declined_request_cannot_be_approved(ledger, asked):
    credit_request_decline(actor=ledger.member, request=asked)
    with pytest.raises(Conflict):
        credit_request_approve(actor=ledger.member, request=asked)
    assert not Transfer.objects.exists()
