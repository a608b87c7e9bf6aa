"""Pure schedule arithmetic for care plans (no Django): occurrences of an RRULE at local times
in a community's time zone, with daylight saving handled one way everywhere.

- A local time that does not exist that day (the clocks jump forward over it) falls at the
  first valid minute after the gap.
- A local time that occurs twice (the clocks go back) falls at its first occurrence (fold=0).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

UTC = dt.UTC
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_DAYS_AHEAD = 800  # a rule with no occurrence within ~2 years is treated as finished


def parse_times(values: list[str]) -> list[dt.time]:
    """ "HH:MM" strings to sorted, distinct times; ValueError on a malformed one."""
    out = set()
    for value in values:
        match = _TIME.match(value.strip())
        if not match:
            raise ValueError(f"not a time of day: {value!r}")
        out.add(dt.time(int(match.group(1)), int(match.group(2))))
    if not out:
        raise ValueError("at least one time of day is needed")
    return sorted(out)


def validate_rrule(rule: str) -> str:
    """Return the rule normalised (upper case, no RRULE: prefix) or raise ValueError."""
    text = rule.strip().upper().removeprefix("RRULE:")
    if not text.startswith("FREQ=") or any(k in text for k in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        raise ValueError("the rule must start with FREQ= and leave times of day to the plan")
    if not re.match(r"^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)\b", text):
        raise ValueError("the rule repeats daily, weekly, monthly or yearly")
    rrulestr(text, dtstart=dt.datetime(2000, 1, 1))  # raises ValueError when malformed
    return text


def resolve_local(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of wall time `at` on `day` in `tz`, by the DST rule above."""
    naive = dt.datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return first.astimezone(UTC)  # exists (fold=0 is the first of two if repeated)
    # In a gap: fold=1 and fold=0 bracket the transition; find the first minute after it.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = first.astimezone(UTC)
    lo, hi = min(lo, hi), max(lo, hi)
    while hi - lo > dt.timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(second=0, microsecond=0)
        if mid <= lo:
            mid = lo + dt.timedelta(minutes=1)
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


def next_occurrence(
    rule: str, times: list[str], tz_name: str, after: dt.datetime, *, start: dt.date | None = None
) -> dt.datetime | None:
    """The first occurrence strictly after `after` (aware), as an aware UTC datetime.

    `start` anchors the rule (its weekday/day of month for rules that count from it);
    occurrences before `start` never happen.
    """
    tz = ZoneInfo(tz_name)
    local_times = parse_times(times)
    local_after = after.astimezone(tz)
    anchor = start or dt.date(2000, 1, 3)  # a Monday
    begin = max(anchor, local_after.date() - dt.timedelta(days=1))
    text = validate_rrule(rule)
    # Rules that do not count from their start can begin near `after` (fast, same result).
    dtstart = begin if _anchor_free(text) else anchor
    rule_obj = _rule(text, dtstart)
    limit = dt.datetime.combine(begin + dt.timedelta(days=MAX_DAYS_AHEAD), dt.time())
    cursor = dt.datetime.combine(begin, dt.time()) - dt.timedelta(seconds=1)
    while True:
        day_start = rule_obj.after(cursor, inc=False)
        if day_start is None or day_start > limit:
            return None
        for at in local_times:
            instant = resolve_local(day_start.date(), at, tz)
            if instant > after:
                return instant
        cursor = day_start


def _anchor_free(text: str) -> bool:
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    if parts.get("INTERVAL", "1") != "1" or "COUNT" in parts:
        return False
    return parts["FREQ"] == "DAILY" or (parts["FREQ"] == "WEEKLY" and "BYDAY" in parts)


@lru_cache(maxsize=4096)
def _rule(text: str, dtstart: dt.date):
    return rrulestr(text, dtstart=dt.datetime.combine(dtstart, dt.time()))


def reminder_times(deadline: dt.datetime, leads_minutes: list[int]) -> list[dt.datetime]:
    """Reminder instants before a deadline, earliest first (leads of 0 or less are dropped)."""
    return sorted({deadline - dt.timedelta(minutes=m) for m in leads_minutes if m > 0})
