"""More automatic with trust: arrangement terms renew by themselves between trusted people."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from mutua.communities.models import Membership
from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import services as exchange
from mutua.exchange import sweeps
from mutua.exchange.models import Need
from mutua.exchange.services.arrangements import arrangement_terms
from mutua.matching import renewals
from mutua.matching.models import ArrangementTerm, MatchingSettings
from mutua.matching.notifications import TERM_ENDING
from mutua.matching.renewals import arrangement_term_renew, arrangement_terms_sweep
from mutua.notify.models import Notification
from mutua.trust.models import TrustScore


def _arrangement(cast):
    return exchange.arrangement_create(
        actor=cast.coordinator,
        helper_agreed=True,  # the helper said yes (recorded by a coordinator)
        community=cast.community,
        person=cast.member,
        helper=cast.caller,
        title="Shopping every Tuesday",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=timezone.now(),
    )


def _level(cast, user, level: str) -> None:
    membership = Membership.objects.get(community=cast.community, user=user)
    TrustScore.objects.update_or_create(
        membership=membership, defaults={"level": level, "computed_at": timezone.now()}
    )


def _terms_on(cast, days: int = 56) -> None:
    MatchingSettings.objects.update_or_create(
        community=cast.community,
        defaults={"trusted_arrangements_renew": True, "arrangement_term_days": days},
    )


def _near_the_end():
    return timezone.now() + dt.timedelta(days=50)  # 6 days before a 56-day term ends


def test_a_trusted_pair_renews_without_a_coordinator(cast):
    # given a community using terms and a person and helper who are both trusted
    _terms_on(cast)
    arrangement = _arrangement(cast)
    _level(cast, cast.member, "trusted")
    _level(cast, cast.caller, "trusted")
    # when the sweep runs near the end of the term
    assert arrangement_terms_sweep(now=_near_the_end()) == 1
    # then the term is one term longer, renewed by nobody
    term = ArrangementTerm.objects.get(arrangement=arrangement)
    assert term.renewals == 1 and term.renewed_by is None
    assert term.ends_at >= _near_the_end() + dt.timedelta(days=55)
    # and running again changes nothing (the new end is far away)
    assert arrangement_terms_sweep(now=_near_the_end()) == 0


def test_a_pair_not_both_trusted_waits_for_a_coordinator(cast):
    # given only the helper is trusted
    _terms_on(cast)
    arrangement = _arrangement(cast)
    _level(cast, cast.member, "known")
    _level(cast, cast.caller, "trusted")
    # when the sweep runs near the end of the term, then it is not renewed
    assert arrangement_terms_sweep(now=_near_the_end()) == 0
    term = ArrangementTerm.objects.get(arrangement=arrangement)
    assert term.renewals == 0
    # and a coordinator can renew it, but a member cannot
    with pytest.raises(PermissionDenied):
        arrangement_term_renew(actor=cast.member, arrangement=arrangement)
    renewed = arrangement_term_renew(actor=cast.coordinator, arrangement=arrangement)
    assert renewed.renewals == 1 and renewed.renewed_by == cast.coordinator


def test_communities_without_the_setting_give_no_terms(cast):
    # given trusted people but the community has not turned terms on
    _arrangement(cast)
    _level(cast, cast.member, "trusted")
    _level(cast, cast.caller, "trusted")
    # when the sweep runs, then nothing happens
    assert arrangement_terms_sweep(now=_near_the_end()) == 0
    assert not ArrangementTerm.objects.exists()


# --- Terms bind the exchange, coordinators are told, settings are validated -------------------

START = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)  # a Monday
FIRST = START + dt.timedelta(days=1, hours=1)  # Tuesday 7 May, 10:00
TERM_END = FIRST + dt.timedelta(days=14)  # Tuesday 21 May, 10:00: itself an occurrence


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _use_terms(cast, days: int = 14) -> None:
    renewals.matching_settings_update(
        actor=cast.coordinator,
        community=cast.community,
        trusted_arrangements_renew=True,
        arrangement_term_days=days,
    )


def _weekly(cast, person=None):
    return exchange.arrangement_create(
        actor=cast.coordinator,
        helper_agreed=True,  # the helper said yes (recorded by a coordinator)
        community=cast.community,
        person=person or cast.member,
        helper=cast.caller,
        title="Shopping every Tuesday",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=FIRST,
    )


def _dates(arrangement) -> list[dt.date]:
    needs = Need.objects.filter(arrangement=arrangement).order_by("starts_at")
    return [n.starts_at.date() for n in needs]


def _told(user) -> int:
    return Notification.objects.filter(recipient=user, kind=TERM_ENDING).count()


def test_occurrences_stop_at_the_end_of_the_term(cast, clock):
    # given a community with 14-day terms and an arrangement every Tuesday
    _use_terms(cast)
    arrangement = _weekly(cast)
    assert arrangement_terms([arrangement])[arrangement.pk].ends_at == TERM_END
    # when the exchange's sweep runs again and again past the end of the term
    for days in (10, 20, 40):
        sweeps.materialise_arrangements(START + dt.timedelta(days=days))
    # then no occurrence starts at or after the end (the 21st would be the next one)
    assert _dates(arrangement) == [dt.date(2030, 5, 7), dt.date(2030, 5, 14)]


def test_without_terms_occurrences_go_on(cast, clock):
    # given the same arrangement in a community that does not use terms
    arrangement = _weekly(cast)
    assert arrangement_terms([arrangement]) == {}
    # when the sweep runs later, then the dates keep coming
    sweeps.materialise_arrangements(START + dt.timedelta(days=20))
    assert dt.date(2030, 5, 28) in _dates(arrangement)


def test_a_trusted_pair_renews_and_occurrences_continue(cast, clock):
    # given a trusted person and helper whose term ends on the 21st
    _use_terms(cast)
    arrangement = _weekly(cast)
    _level(cast, cast.member, "trusted")
    _level(cast, cast.caller, "trusted")
    # when the terms sweep runs within two weeks of the end
    assert arrangement_terms_sweep(now=START + dt.timedelta(days=10)) == 1
    # then the term is one term longer and the next dates are there, the 21st included
    term = ArrangementTerm.objects.get(arrangement=arrangement)
    assert term.ends_at == TERM_END + dt.timedelta(days=14) and term.renewed_by is None
    assert dt.date(2030, 5, 21) in _dates(arrangement)
    assert dt.date(2030, 5, 28) in _dates(arrangement)
    # and nobody was asked to renew it
    assert _told(cast.coordinator) == 0
    assert AuditEntry.objects.filter(action="matching.arrangement_renew", actor=None).count() == 1


def test_coordinators_are_told_once_per_term_and_one_renews(cast, clock):
    # given a pair not both trusted
    _use_terms(cast)
    arrangement = _weekly(cast)
    _level(cast, cast.member, "known")
    _level(cast, cast.caller, "trusted")
    # when the terms sweep runs twice near the end
    near = START + dt.timedelta(days=10)
    assert arrangement_terms_sweep(now=near) == 0
    assert arrangement_terms_sweep(now=near) == 0
    # then each coordinator (and the steward) is told once, members are not
    assert (_told(cast.coordinator), _told(cast.steward), _told(cast.member)) == (1, 1, 0)
    note = Notification.objects.get(recipient=cast.coordinator, kind=TERM_ENDING)
    assert "Shopping every Tuesday" in note.title and arrangement.public_id in note.url
    # and no date is added after the end
    sweeps.materialise_arrangements(near)
    assert dt.date(2030, 5, 21) not in _dates(arrangement)
    # when a coordinator renews, then the dates continue at once
    clock.move_to(near)
    arrangement_term_renew(actor=cast.coordinator, arrangement=arrangement)
    assert dt.date(2030, 5, 21) in _dates(arrangement)
    # and the next term's end is told about once more
    arrangement_terms_sweep(now=START + dt.timedelta(days=25))
    arrangement_terms_sweep(now=START + dt.timedelta(days=26))
    assert _told(cast.coordinator) == 2


def test_help_on_someones_behalf_always_waits_for_a_coordinator(cast, clock):
    # given an arrangement for someone without an account, with a trusted helper
    _use_terms(cast)
    arrangement = exchange.arrangement_create(
        actor=cast.coordinator,
        helper_agreed=True,  # the helper said yes (recorded by a coordinator)
        community=cast.community,
        on_behalf_name="Mrs Jones",
        consent_given=True,
        helper=cast.caller,
        title="Shopping every Tuesday",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=FIRST,
    )
    _level(cast, cast.caller, "trusted")
    # when the sweep runs near the end, then it is not renewed by itself
    assert arrangement_terms_sweep(now=START + dt.timedelta(days=10)) == 0
    assert not arrangement_terms([arrangement])[arrangement.pk].renews_automatically
    assert _told(cast.coordinator) == 1


def test_renewing_is_refused_where_there_are_no_terms_or_the_arrangement_ended(cast, clock):
    arrangement = _weekly(cast)
    with pytest.raises(Conflict):
        arrangement_term_renew(actor=cast.coordinator, arrangement=arrangement)
    _use_terms(cast)
    exchange.arrangement_set_status(actor=cast.coordinator, arrangement=arrangement, status="ended")
    with pytest.raises(Conflict):
        arrangement_term_renew(actor=cast.coordinator, arrangement=arrangement)
    assert not ArrangementTerm.objects.filter(renewals__gt=0).exists()


def test_turning_terms_on_gives_running_arrangements_a_full_term_from_that_day(cast, clock):
    # given an arrangement made long before the community used terms
    arrangement = _weekly(cast)
    later = START + dt.timedelta(days=100)
    clock.move_to(later)
    # when a coordinator turns terms on
    _use_terms(cast, days=28)
    # then its first term runs 28 days from today, not from when it was made
    term = ArrangementTerm.objects.get(arrangement=arrangement)
    assert term.ends_at == later + dt.timedelta(days=28)
    # and the change is in the audit log
    entry = AuditEntry.objects.get(action="matching.settings")
    assert entry.before["trusted_arrangements_renew"] is False
    assert entry.after == {"trusted_arrangements_renew": True, "arrangement_term_days": 28}


def test_turning_terms_off_lifts_the_bound(cast, clock):
    _use_terms(cast)
    arrangement = _weekly(cast)
    renewals.matching_settings_update(
        actor=cast.coordinator,
        community=cast.community,
        trusted_arrangements_renew=False,
        arrangement_term_days=14,
    )
    sweeps.materialise_arrangements(START + dt.timedelta(days=10))
    assert dt.date(2030, 5, 21) in _dates(arrangement)


def test_a_member_cannot_change_the_settings_and_nothing_is_written(cast):
    with pytest.raises(PermissionDenied):
        renewals.matching_settings_update(
            actor=cast.member,
            community=cast.community,
            trusted_arrangements_renew=True,
            arrangement_term_days=28,
        )
    assert not MatchingSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="matching.settings").exists()


@pytest.mark.parametrize("days", [0, 6, 366, 10_000])
def test_a_term_length_out_of_bounds_is_refused_and_nothing_is_written(cast, days):
    _use_terms(cast, days=30)
    with pytest.raises(ValidationFailed) as refused:
        renewals.matching_settings_update(
            actor=cast.coordinator,
            community=cast.community,
            trusted_arrangements_renew=False,
            arrangement_term_days=days,
        )
    assert "arrangement_term_days" in refused.value.field_errors
    ms = MatchingSettings.objects.get(community=cast.community)
    assert (ms.trusted_arrangements_renew, ms.arrangement_term_days) == (True, 30)
