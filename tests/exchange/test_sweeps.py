"""Sweeps with a controlled clock: each acts once, running it twice does nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.exchange import services, sweeps
from mutua.exchange.models import Need, Offer
from tests.exchange.helpers import kinds_for, post_need

START = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_stale_commitment_is_released_after_due_time_and_grace_once(cast, clock):
    # given a commitment due in two hours (grace 24 h)
    need = post_need(
        cast.community, cast.member, allow_self_assign=True, ends_at=START + dt.timedelta(hours=2)
    )
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    # when the sweep runs before the grace has passed, nothing happens
    assert sweeps.release_stale_commitments(START + dt.timedelta(hours=20)) == 0
    # and after it, the commitment is released and helper and coordinators are told
    later = START + dt.timedelta(hours=27)
    assert sweeps.release_stale_commitments(later) == 1
    assert sweeps.release_stale_commitments(later) == 0
    commitment.refresh_from_db()
    need.refresh_from_db()
    assert commitment.status == "released"
    assert need.status == "open"
    assert kinds_for(cast.caller).count("exchange_commitment_released") == 1
    assert kinds_for(cast.coordinator).count("exchange_commitment_released") == 1


def test_commitment_marked_done_is_auto_confirmed_after_the_configured_days(cast, clock):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=1)
    assert sweeps.auto_confirm_commitments(START + dt.timedelta(days=2)) == 0
    assert sweeps.auto_confirm_commitments(START + dt.timedelta(days=3, minutes=1)) == 1
    assert sweeps.auto_confirm_commitments(START + dt.timedelta(days=3, minutes=2)) == 0
    commitment.refresh_from_db()
    assert commitment.status == "confirmed" and commitment.auto_confirmed
    assert kinds_for(cast.caller).count("exchange_confirmed") == 1


def test_offer_owner_is_reminded_once_before_expiry_and_renewing_extends(cast, clock):
    offer = services.offer_post(
        owner=cast.member, community=cast.community, title="Ladder", days=10
    )
    assert sweeps.remind_expiring_offers(START + dt.timedelta(days=6)) == 0
    assert sweeps.remind_expiring_offers(START + dt.timedelta(days=7, minutes=1)) == 1
    assert sweeps.remind_expiring_offers(START + dt.timedelta(days=7, minutes=2)) == 0
    assert kinds_for(cast.member).count("exchange_offer_expiring") == 1
    services.offer_renew(actor=cast.member, offer=offer, days=30)
    offer.refresh_from_db()
    assert offer.reminded_at is None and offer.expires_at == START + dt.timedelta(days=30)
    assert sweeps.expire_offers(START + dt.timedelta(days=11)) == 0


def test_offer_expires_when_not_renewed(cast, clock):
    offer = services.offer_post(
        owner=cast.member, community=cast.community, title="Ladder", days=10
    )
    assert sweeps.expire_offers(START + dt.timedelta(days=11)) == 1
    assert sweeps.expire_offers(START + dt.timedelta(days=11)) == 0
    offer.refresh_from_db()
    assert offer.status == "expired"
    assert Offer.objects.filter(status="open").count() == 0


def test_unanswered_need_expires_but_a_taken_one_does_not(cast, clock):
    lonely = post_need(cast.community, cast.member, urgency="immediate")
    taken = post_need(cast.community, cast.member, urgency="immediate", allow_self_assign=True)
    services.need_self_assign(helper=cast.caller, need=taken)
    assert sweeps.expire_needs(START + dt.timedelta(days=2)) == 1
    assert sweeps.expire_needs(START + dt.timedelta(days=2)) == 0
    assert Need.objects.get(pk=lonely.pk).status == "expired"
    assert Need.objects.get(pk=taken.pk).status == "committed"
