"""Standing arrangements repeat on the community's wall clock: "every Tuesday at 10:00" is
10:00 local time all year, on the local weekday, stored as UTC instants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mutua.core.errors import ValidationFailed
from mutua.exchange import services, sweeps
from mutua.exchange.models import Need, StandingArrangement

LONDON = ZoneInfo("Europe/London")  # BST ends on Sunday 27 October 2030, starts 31 March
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # PDT ends on Sunday 3 November 2030


def _in_zone(cast, name: str):
    cast.community.time_zone = name
    cast.community.save(update_fields=["time_zone"])


def _arrange(cast, rrule: str, dtstart: dt.datetime) -> StandingArrangement:
    return services.arrangement_create(
        actor=cast.member,
        community=cast.community,
        helper=cast.caller,
        title="Shopping every Tuesday",
        rrule=rrule,
        dtstart=dtstart,
    )


def _accept(cast, arrangement) -> StandingArrangement:
    return services.arrangement_answer(actor=cast.caller, arrangement=arrangement, accept=True)


def _starts(arrangement) -> list[dt.datetime]:
    needs = Need.objects.filter(arrangement=arrangement).order_by("starts_at")
    return [n.starts_at for n in needs]


def test_weekly_help_keeps_its_local_hour_when_the_clocks_go_back(cast):
    _in_zone(cast, "Europe/London")
    first = dt.datetime(2030, 10, 15, 10, 0, tzinfo=LONDON)  # a Tuesday, 09:00 UTC
    with time_machine.travel(dt.datetime(2030, 10, 14, 9, 0, tzinfo=dt.UTC), tick=False):
        arrangement = _accept(cast, _arrange(cast, "FREQ=WEEKLY;BYDAY=TU", first))
    sweeps.materialise_arrangements(dt.datetime(2030, 10, 28, 9, 0, tzinfo=dt.UTC))
    starts = _starts(arrangement)
    assert [s.astimezone(LONDON).strftime("%a %H:%M") for s in starts] == ["Tue 10:00"] * 4
    assert [s.astimezone(dt.UTC).hour for s in starts] == [9, 9, 10, 10]
    assert all(s.utcoffset() == dt.timedelta(0) for s in starts)  # stored as UTC


def test_late_evening_help_falls_on_the_local_weekday_across_a_clock_change(cast):
    _in_zone(cast, "America/Los_Angeles")
    first = dt.datetime(2030, 10, 29, 23, 30, tzinfo=LOS_ANGELES)  # Tuesday, Wed 06:30 UTC
    with time_machine.travel(dt.datetime(2030, 10, 29, 12, 0, tzinfo=dt.UTC), tick=False):
        arrangement = _accept(cast, _arrange(cast, "FREQ=WEEKLY;BYDAY=TU", first))
    starts = _starts(arrangement)
    local = [s.astimezone(LOS_ANGELES) for s in starts]
    assert [s.strftime("%a %d %H:%M") for s in local] == ["Tue 29 23:30", "Tue 05 23:30"]
    assert [s.astimezone(dt.UTC).strftime("%a %H:%M") for s in starts] == [
        "Wed 06:30",
        "Wed 07:30",
    ]


def test_a_skipped_local_time_falls_just_after_the_clocks_go_forward(cast):
    _in_zone(cast, "Europe/London")
    first = dt.datetime(2030, 3, 30, 1, 30, tzinfo=LONDON)  # 01:30 does not exist on 31 March
    with time_machine.travel(dt.datetime(2030, 3, 29, 12, 0, tzinfo=dt.UTC), tick=False):
        arrangement = _accept(cast, _arrange(cast, "FREQ=DAILY;COUNT=3", first))
    local = [s.astimezone(LONDON).strftime("%d %H:%M") for s in _starts(arrangement)]
    assert local == ["30 01:30", "31 02:00", "01 01:30"]


def test_a_utc_community_is_unchanged(cast):
    first = dt.datetime(2030, 10, 15, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2030, 10, 14, 9, 0, tzinfo=dt.UTC), tick=False):
        arrangement = _accept(cast, _arrange(cast, "FREQ=WEEKLY;BYDAY=TU", first))
    assert [s.strftime("%a %H:%M") for s in _starts(arrangement)] == ["Tue 10:00"] * 2


def test_a_bad_rule_is_still_refused_in_a_local_time_zone_and_nothing_is_made(cast):
    _in_zone(cast, "Europe/London")
    first = dt.datetime(2030, 10, 15, 10, 0, tzinfo=LONDON)
    with pytest.raises(ValidationFailed) as refused:
        _arrange(cast, "FREQ=HOURLY", first)
    assert "rrule" in refused.value.field_errors
    assert not StandingArrangement.objects.exists()
