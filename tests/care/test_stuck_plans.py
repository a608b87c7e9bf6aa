"""A plan the sweep cannot move is never hidden: the board shows it in red and /health answers
503 while it stays stuck, even though the sweep itself keeps running."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care.models import CarePlan
from mutua.care.selectors import care_board
from mutua.core.health import health_status, heartbeat_record
from tests.care.helpers import START, fresh, make_plan, sweep_at

M = dt.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _broken(cast) -> CarePlan:
    """A plan whose stored rule became unreadable (as after a bad hand edit or import)."""
    plan = make_plan(cast)
    CarePlan.objects.filter(pk=plan.pk).update(
        rrule="FREQ=NEVER", current_due_at=None, next_due_at=START + M
    )
    return plan


def test_a_plan_that_keeps_failing_is_shown_in_red_and_health_fails(client, cast, clock):
    # given a plan the sweep cannot advance
    plan = _broken(cast)
    # when the sweep runs: it keeps going, records its heartbeat, and remembers the failure
    report = sweep_at(clock, START + 2 * M)
    heartbeat_record(now=START + 2 * M)
    assert report.failed == 1
    assert fresh(plan).failing_since == START + 2 * M
    # then the board shows the plan in red at once
    client.force_login(cast.coordinator)
    page = client.get("/c/riverside/care/").content.decode()
    assert "NOT being watched: the sweep cannot move it" in page
    assert 'class="care-failing"' in page and "Member Person" in page
    board = care_board(viewer=cast.coordinator, community=cast.community, now=START + 2 * M)
    assert [p.public_id for p in board.failing] == [plan.public_id]
    assert health_status(now=START + 2 * M)["ok"] is True  # not yet past the threshold
    # and once it has been stuck past the threshold, /health answers 503
    later = START + 20 * M
    sweep_at(clock, later)
    heartbeat_record(now=later)
    status = health_status(now=later)
    assert status["care_sweep"] is True and status["care_plans_stuck"] is True
    assert status["ok"] is False
    assert client.get("/health").status_code == 503
    assert fresh(plan).failing_since == START + 2 * M  # since the first failure


def test_a_stuck_plan_that_is_mended_moves_again_and_health_recovers(client, cast, clock):
    plan = _broken(cast)
    sweep_at(clock, START + 2 * M)
    CarePlan.objects.filter(pk=plan.pk).update(rrule="FREQ=DAILY")  # mended
    later = START + 20 * M
    report = sweep_at(clock, later)
    heartbeat_record(now=later)
    p = fresh(plan)
    assert report.failed == 0 and p.failing_since is None
    assert p.current_due_at == START + 60 * M
    assert health_status(now=later)["ok"] is True
    board = care_board(viewer=cast.coordinator, community=cast.community, now=later)
    assert board.failing == []
