"""The pure schedule engine: occurrences of a rule at local times, daylight saving both ways."""

from __future__ import annotations

import datetime as dt

import pytest

from mutua.care.schedule import next_occurrence, reminder_times, resolve_local, validate_rrule

UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "local", "expected"),
    [
        # Spring forward: the wall time does not exist; first valid minute after the gap.
        ("Europe/London", dt.date(2026, 3, 29), "01:30", utc(2026, 3, 29, 1, 0)),  # 02:00 BST
        ("Europe/London", dt.date(2026, 3, 29), "01:00", utc(2026, 3, 29, 1, 0)),
        ("Europe/London", dt.date(2026, 3, 29), "02:00", utc(2026, 3, 29, 1, 0)),
        ("America/New_York", dt.date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 0)),  # 03:00 EDT
        ("America/New_York", dt.date(2026, 3, 8), "02:59", utc(2026, 3, 8, 7, 0)),
        # Fall back: the wall time happens twice; its first occurrence.
        ("Europe/London", dt.date(2026, 10, 25), "01:30", utc(2026, 10, 25, 0, 30)),  # BST
        ("America/New_York", dt.date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30)),  # EDT
        # Ordinary days either side.
        ("Europe/London", dt.date(2026, 3, 28), "01:30", utc(2026, 3, 28, 1, 30)),
        ("Europe/London", dt.date(2026, 10, 26), "01:30", utc(2026, 10, 26, 1, 30)),
        ("America/New_York", dt.date(2026, 7, 1), "09:00", utc(2026, 7, 1, 13, 0)),
    ],
)
def test_local_time_resolves_by_the_daylight_saving_rule(zone, day, local, expected):
    from zoneinfo import ZoneInfo

    hour, minute = map(int, local.split(":"))
    assert resolve_local(day, dt.time(hour, minute), ZoneInfo(zone)) == expected


def test_daily_check_in_across_the_spring_gap_falls_just_after_it():
    after = utc(2026, 3, 28, 12, 0)
    assert next_occurrence("FREQ=DAILY", ["01:30"], "Europe/London", after) == utc(2026, 3, 29, 1)


def test_daily_check_in_on_the_repeated_hour_falls_once_at_the_first():
    first = next_occurrence("FREQ=DAILY", ["01:30"], "America/New_York", utc(2026, 10, 31, 12))
    second = next_occurrence("FREQ=DAILY", ["01:30"], "America/New_York", first)
    assert first == utc(2026, 11, 1, 5, 30)
    assert second == utc(2026, 11, 2, 6, 30)  # the next day, not the repeated 01:30 EST


def test_several_times_a_day_on_chosen_weekdays():
    rule = "FREQ=WEEKLY;BYDAY=MO,TH"
    after = utc(2026, 11, 22, 12)  # a Sunday
    first = next_occurrence(rule, ["18:00", "09:00"], "Europe/London", after)
    second = next_occurrence(rule, ["18:00", "09:00"], "Europe/London", first)
    third = next_occurrence(rule, ["18:00", "09:00"], "Europe/London", second)
    assert [first, second, third] == [
        utc(2026, 11, 23, 9),
        utc(2026, 11, 23, 18),
        utc(2026, 11, 26, 9),
    ]


def test_every_other_day_counts_from_the_start_date():
    rule = "FREQ=DAILY;INTERVAL=2"
    start = dt.date(2026, 5, 1)
    got = next_occurrence(rule, ["10:00"], "UTC", utc(2026, 5, 2, 0), start=start)
    assert got == utc(2026, 5, 3, 10)


def test_a_finished_rule_has_no_next_occurrence():
    rule = "FREQ=DAILY;COUNT=2"
    start = dt.date(2026, 5, 1)
    assert next_occurrence(rule, ["10:00"], "UTC", utc(2026, 5, 3, 0), start=start) is None


@pytest.mark.parametrize(
    "bad", ["", "DAILY", "FREQ=HOURLY", "FREQ=DAILY;BYHOUR=9", "FREQ=DAILY;X=1"]
)
def test_rules_that_are_not_understood_are_refused(bad):
    with pytest.raises(ValueError):
        validate_rrule(bad)


def test_reminders_come_before_the_deadline_earliest_first():
    deadline = utc(2026, 5, 4, 9)
    assert reminder_times(deadline, [15, 60, 0]) == [utc(2026, 5, 4, 8), utc(2026, 5, 4, 8, 45)]
