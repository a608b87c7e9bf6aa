"""Standing arrangements: occurrences materialised ahead, pause, resume, hand over."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.exchange import services, sweeps
from mutua.exchange.models import Commitment, Need, StandingArrangement
from tests.exchange.helpers import new_member

START = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _weekly(cast):
    """The person proposes weekly shopping and the helper says yes."""
    proposed = services.arrangement_create(
        actor=cast.member,
        community=cast.community,
        helper=cast.caller,
        title="Shopping every Tuesday",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=START + dt.timedelta(days=1, hours=1),
    )
    return services.arrangement_answer(actor=cast.caller, arrangement=proposed, accept=True)


def test_weekly_shopping_creates_two_weeks_of_committed_needs(cast, clock):
    arrangement = _weekly(cast)
    needs = Need.objects.filter(arrangement=arrangement).order_by("starts_at")
    assert [n.starts_at.weekday() for n in needs] == [1, 1]
    assert all(n.status == "committed" for n in needs)
    assert Commitment.objects.filter(need__arrangement=arrangement, helper=cast.caller).count() == 2
    # running the sweep again at the same time makes nothing new
    assert sweeps.materialise_arrangements(START) == 0
    # a week later one more occurrence appears
    assert sweeps.materialise_arrangements(START + dt.timedelta(days=7)) == 1


def _live_dates(arrangement) -> list[dt.date]:
    needs = Need.objects.filter(arrangement=arrangement, status__in=["open", "committed"])
    return sorted(n.starts_at.date() for n in needs)


def test_paused_arrangement_makes_no_occurrences_until_resumed(cast, clock):
    arrangement = _weekly(cast)
    services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="paused")
    assert sweeps.materialise_arrangements(START + dt.timedelta(days=14)) == 0
    assert _live_dates(arrangement) == []
    with time_machine.travel(START + dt.timedelta(days=14), tick=False):
        services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="active")
        # resuming makes the next two weeks at once; the sweep has nothing left to do
        assert sweeps.materialise_arrangements(START + dt.timedelta(days=14)) == 0
    assert _live_dates(arrangement) == [dt.date(2030, 5, 21), dt.date(2030, 5, 28)]


def test_hand_over_moves_future_occurrences_to_the_new_helper(cast, clock):
    arrangement = _weekly(cast)
    newcomer = new_member(cast.community, "New Helper")
    services.arrangement_hand_over(
        actor=cast.coordinator, arrangement=arrangement, helper=newcomer, helper_agreed=True
    )
    active = Commitment.objects.filter(need__arrangement=arrangement, status="active")
    assert {c.helper for c in active} == {newcomer}
    assert StandingArrangement.objects.get().helper == newcomer


def test_stranger_cannot_hand_over(cast, clock):
    arrangement = _weekly(cast)
    other = new_member(cast.community, "Other")
    with pytest.raises(PermissionDenied):
        services.arrangement_hand_over(actor=other, arrangement=arrangement, helper=other)


def test_bad_rrule_is_refused(cast, clock):
    with pytest.raises(ValidationFailed) as exc:
        services.arrangement_create(
            actor=cast.member,
            community=cast.community,
            helper=cast.caller,
            title="Shopping",
            rrule="EVERY TUESDAY PLEASE",
            dtstart=START,
        )
    assert "rrule" in exc.value.field_errors
    assert not StandingArrangement.objects.exists()


def test_the_sweep_reaches_every_arrangement_beyond_one_batch(cast, clock, monkeypatch):
    # given more active arrangements than one batch of the sweep
    monkeypatch.setattr(sweeps, "BATCH", 2)
    made = [_weekly(cast) for _ in range(5)]
    # when a week passes and the sweep runs once
    assert sweeps.materialise_arrangements(START + dt.timedelta(days=7)) == 5
    # then each of them has its third occurrence, not only the first batch
    for arrangement in made:
        assert Need.objects.filter(arrangement=arrangement).count() == 3
