"""Replies that must not be taken as OK: a question, an OK taken back, an OK denied."""

from __future__ import annotations

import pytest

from mutua.notify.engine import HELP, OK, UNKNOWN, parse_reply


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a question is not an answer: a person reads it
        ("ok?", UNKNOWN),
        ("OK ??", UNKNOWN),
        ("I'm fine?", UNKNOWN),
        ("¿bien?", UNKNOWN),
        # an OK taken back afterwards is not an OK
        ("im ok not", UNKNOWN),
        ("I'm ok. Not really", UNKNOWN),
        ("fine, never mind, not", UNKNOWN),
        # an OK denied means NOT OK: raise the alarm
        ("isn't ok", HELP),
        ("she isn't ok", HELP),
        ("never ok", HELP),
        ("I am never ok these days", HELP),
        ("it's not ok", HELP),
        ("I don't feel ok", HELP),
        ("aren't ok", HELP),
        # words the parser does not know go to a person, never taken as OK
        ("I fell", UNKNOWN),
        ("not well", UNKNOWN),
        ("I need a doctor", UNKNOWN),
        ("fine but I fell", UNKNOWN),
        # plain OKs stay OK
        ("ok", OK),
        ("OK!", OK),
        ("I'm ok, thanks", OK),
        ("Estoy bien", OK),
    ],
)
def test_reply_is_understood_as(text, kind):
    assert parse_reply(text).kind == kind


def test_a_question_or_a_denial_never_checks_anyone_in():
    for text in ("ok?", "im ok not", "isn't ok", "never ok"):
        assert parse_reply(text).kind != OK
