"""The opt-in nudge: only for members who asked, only when it may help, once a week."""

from __future__ import annotations

from mutua.ledger.notifications import NUDGE
from mutua.ledger.services import account_set_nudge, transfer_send
from mutua.ledger.sweeps import send_nudges
from mutua.notify.models import Notification


def test_only_members_who_opted_in_get_a_gentle_nudge_once_a_week(ledger):
    # given two members far below zero, only one of whom asked for nudges
    for payer in (ledger.member, ledger.caller):
        transfer_send(
            actor=payer, community=ledger.community, recipient=ledger.steward, minutes=500
        )
    account_set_nudge(actor=ledger.member, community=ledger.community, wants_nudge=True)
    # when the weekly sweep runs twice
    send_nudges()
    send_nudges()
    # then only the member who asked gets one note, which does not shame
    notes = Notification.objects.filter(kind=NUDGE)
    assert [n.recipient_id for n in notes] == [ledger.member.pk]


def test_nobody_is_nudged_where_nothing_would_help(ledger):
    account_set_nudge(actor=ledger.member, community=ledger.community, wants_nudge=True)
    send_nudges()
    assert not Notification.objects.filter(kind=NUDGE).exists()
