"""Pure rules: quiet hours, backoff, phone numbers, reply parsing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mutua.notify.engine import (
    HELP,
    NO,
    OK,
    STOP,
    UNKNOWN,
    YES,
    normalise_phone,
    parse_reply,
    quiet_hours_end,
    retry_delay,
)

LONDON = ZoneInfo("Europe/London")


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("now", "start", "end", "expected"),
    [
        (at(2025, 6, 1, 23, 0), dt.time(22), dt.time(7), at(2025, 6, 2, 7, 0)),
        (at(2025, 6, 1, 3, 0), dt.time(22), dt.time(7), at(2025, 6, 1, 7, 0)),
        (at(2025, 6, 1, 12, 0), dt.time(22), dt.time(7), None),
        (at(2025, 6, 1, 7, 0), dt.time(22), dt.time(7), None),
        (at(2025, 6, 1, 13, 30), dt.time(13), dt.time(15), at(2025, 6, 1, 15, 0)),
        (at(2025, 6, 1, 13, 30), dt.time(13), dt.time(13), None),
        (at(2025, 6, 1, 13, 30), None, dt.time(13), None),
    ],
)
def test_quiet_hours_end(now, start, end, expected):
    assert quiet_hours_end(now, start, end, LONDON) == expected


def test_quiet_hours_ending_in_a_daylight_saving_gap_end_at_the_first_valid_minute():
    # 30 March 2025: clocks in London jump from 01:00 to 02:00
    release = quiet_hours_end(at(2025, 3, 30, 0, 30), dt.time(23), dt.time(1, 30), LONDON)
    assert release == dt.datetime(2025, 3, 30, 1, 30, tzinfo=dt.UTC)  # 02:30 BST
    assert release.astimezone(LONDON).hour == 2


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == dt.timedelta(hours=6)


def test_phone_numbers_are_normalised():
    assert normalise_phone(" +44 (20) 7946-0000 ") == "+442079460000"
    assert normalise_phone("600 111 222") == "600111222"


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("OK", OK, ""),
        ("ok", OK, ""),
        ("Ok!", OK, ""),
        ("  okay.  ", OK, ""),
        ("I'm ok", OK, ""),
        ("I\u2019m fine, thanks", OK, ""),
        ("all good", OK, ""),
        ("Estoy bien", OK, ""),
        ("OK 4821", OK, "4821"),
        ("4821 ok", OK, "4821"),
        ("not ok", HELP, ""),
        ("NOT OK", HELP, ""),
        ("Not okay!", HELP, ""),
        ("I am not ok", HELP, ""),
        ("im not really ok", HELP, ""),
        ("no estoy bien", HELP, ""),
        ("No, estoy mal", HELP, ""),
        ("nok", HELP, ""),
        ("HELP", HELP, ""),
        ("help me please", HELP, ""),
        ("¡Ayuda!", HELP, ""),
        ("ok but I need help", HELP, ""),
        ("SOS a7", HELP, "A7"),
        ("yes", YES, ""),
        ("Yes!", YES, ""),
        ("Sí", YES, ""),
        ("SI", YES, ""),
        ("y", YES, ""),
        ("yes b12", YES, "B12"),
        ("no", NO, ""),
        ("No.", NO, ""),
        ("nope", NO, ""),
        ("no thanks", NO, ""),
        ("STOP", STOP, ""),
        ("stop.", STOP, ""),
        ("Unsubscribe", STOP, ""),
        ("", UNKNOWN, ""),
        ("???", UNKNOWN, ""),
        ("1234", UNKNOWN, "1234"),
        ("banana", UNKNOWN, ""),
        ("Hi, I'm ok", OK, ""),
        ("Hola, estoy bien, gracias", OK, ""),
        ("Good to hear from you, but I fell", UNKNOWN, ""),
        ("fine except my hip hurts", UNKNOWN, ""),
        ("Estoy bien pero me he caido", UNKNOWN, ""),
        ("ok thanks, I am going to the hospital later for my leg", UNKNOWN, ""),
        ("ok I fell", UNKNOWN, ""),
        ("🙂", UNKNOWN, ""),
    ],
)
def test_parse_reply(text, kind, code):
    reply = parse_reply(text)
    assert (reply.kind, reply.code) == (kind, code)


def test_not_ok_is_never_ok_and_no_is_not_not_ok():
    assert parse_reply("not ok").kind != parse_reply("ok").kind
    assert parse_reply("no").kind != parse_reply("not ok").kind
