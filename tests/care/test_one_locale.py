"""The sweep builds its rows inside `one_locale()`: the language and URL configuration are read
once per batch, and every answer is the one Django would give outside it."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import translation

from mutua.care import services
from mutua.core.bulk import current_language, gettext_once, one_locale, reverse_one
from mutua.notify.models import Notification
from tests.care.helpers import START
from tests.factories import add_member, make_user


def test_inside_one_locale_the_answers_are_those_of_django():
    # given the language and URL answers outside a block, in two languages
    for language in ("en", "es"):
        with translation.override(language):
            outside = (
                reverse("care:plan_detail", args=["abcDEF123_-"]),
                translation.gettext("I'm OK"),
                translation.get_language(),
            )
            # when they are asked again (twice) inside one block
            with one_locale():
                inside = [
                    (
                        reverse_one("care:plan_detail", "abcDEF123_-"),
                        gettext_once("I'm OK"),
                        current_language(),
                    )
                    for _n in range(2)
                ]
            # then they are the same, and the block leaves nothing behind
            assert inside == [outside, outside]
            assert current_language() == language


def test_an_argument_that_is_not_url_safe_still_goes_through_reverse():
    with one_locale():
        assert reverse_one("care:plan_detail", "a b") == reverse("care:plan_detail", args=["a b"])


def test_the_reminder_is_labelled_in_the_language_the_sweep_runs_in(cast):
    # given a plan whose reminder is due, and a sweep run in Spanish
    person = make_user("Lola Person", "lola@example.org")
    add_member(cast.community, person)
    with time_machine.travel(START, tick=False):
        services.care_plan_create(
            actor=person, community=cast.community, person=person, times=["09:00"]
        )
        with translation.override("es"):
            services.care_sweep(now=START + dt.timedelta(minutes=30))
            label = translation.gettext("I'm OK")
    # then the "I'm OK" button was translated by that language, as one plan alone would be
    [notification] = Notification.objects.filter(recipient=person)
    assert [a["label"] for a in notification.actions] == [label]
