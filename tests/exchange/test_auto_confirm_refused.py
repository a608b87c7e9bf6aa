"""When the trust gate keeps help from confirming itself, whoever confirms it is told, and so are
the coordinators, so the helper's hours do not wait unseen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.exchange import notifications as n
from mutua.exchange import services as exchange
from mutua.exchange import sweeps
from mutua.notify.models import Notification
from mutua.trust import services as trust
from tests.exchange.helpers import post_need

START = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)
LATER = START + dt.timedelta(days=4)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _taken_by(cast, helper):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    return exchange.need_self_assign(helper=helper, need=need)


def _waiting(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=n.CONFIRMATION_WAITING))


def test_the_person_helped_and_the_coordinators_hear_that_the_help_waits_for_them(cast, clock):
    # given trust computed and a new helper who marked their help done
    trust.trust_recompute(cast.community)
    commitment = _taken_by(cast, cast.caller)
    exchange.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=1)
    # when the sweep finds it past its waiting time, it is not confirmed
    assert sweeps.auto_confirm_commitments(LATER) == 0
    commitment.refresh_from_db()
    assert commitment.status == "done_pending" and commitment.auto_confirm_at is None
    # then the person helped is asked to confirm it
    [note] = _waiting(cast.member)
    assert "Shopping for the week" in note.title
    assert "waits for you" in note.body and "Please confirm it" in note.body
    assert note.url.endswith(f"/needs/{commitment.need.public_id}/")
    # and each coordinator is told too, with the helper's name
    for coordinator in (cast.coordinator, cast.steward):
        [note] = _waiting(coordinator)
        assert "Caller Person" in note.body and "waits for the person helped" in note.body
    # and the helper is not asked to confirm their own help
    assert _waiting(cast.caller) == []
    # a later sweep says nothing more
    assert sweeps.auto_confirm_commitments(LATER + dt.timedelta(days=4)) == 0
    assert Notification.objects.filter(kind=n.CONFIRMATION_WAITING).count() == 3


def test_when_the_person_marked_it_done_the_helper_is_the_one_asked(cast, clock):
    trust.trust_recompute(cast.community)
    commitment = _taken_by(cast, cast.caller)
    exchange.commitment_mark_done(actor=cast.member, commitment=commitment, hours=1)
    assert sweeps.auto_confirm_commitments(LATER) == 0
    assert len(_waiting(cast.caller)) == 1
    assert _waiting(cast.member) == []
    assert len(_waiting(cast.coordinator)) == 1
    # and the helper can confirm it
    exchange.commitment_confirm(actor=cast.caller, commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.status == "confirmed" and not commitment.auto_confirmed


def test_help_from_a_trusted_member_confirms_itself_without_a_waiting_note(cast, clock):
    trust.trust_recompute(cast.community)
    commitment = _taken_by(cast, cast.steward)
    exchange.commitment_mark_done(actor=cast.steward, commitment=commitment, hours=1)
    assert sweeps.auto_confirm_commitments(LATER) == 1
    commitment.refresh_from_db()
    assert commitment.status == "confirmed" and commitment.auto_confirmed
    assert not Notification.objects.filter(kind=n.CONFIRMATION_WAITING).exists()


def test_before_trust_is_computed_help_confirms_itself_without_a_waiting_note(cast, clock):
    commitment = _taken_by(cast, cast.caller)
    exchange.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=1)
    assert sweeps.auto_confirm_commitments(LATER) == 1
    assert not Notification.objects.filter(kind=n.CONFIRMATION_WAITING).exists()
