"""More automatic with trust: arrangement terms renew by themselves between trusted people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mutua.communities.models import Membership
from mutua.core.errors import PermissionDenied
from mutua.exchange import services as exchange
from mutua.matching.models import ArrangementTerm, MatchingSettings
from mutua.matching.renewals import arrangement_term_renew, arrangement_terms_sweep
from mutua.trust.models import TrustScore


def _arrangement(cast):
    return exchange.arrangement_create(
        actor=cast.coordinator,
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
