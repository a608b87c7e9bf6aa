"""Standing arrangements need the helper's yes: a proposal waits, the helper answers, and the
helper and the person hear of every change; a pause cancels the dates already made."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import Commitment, Need, StandingArrangement
from tests.exchange.helpers import kinds_for, new_member

START = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)  # a Monday
WEEKLY = {"title": "Shopping every Tuesday", "rrule": "FREQ=WEEKLY;BYDAY=TU"}


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _propose(cast, actor=None, **extra):
    return services.arrangement_create(
        actor=actor or cast.member,
        community=cast.community,
        helper=cast.caller,
        dtstart=START + dt.timedelta(days=1, hours=1),
        **{**WEEKLY, **extra},
    )


def _dates(arrangement) -> int:
    return Need.objects.filter(arrangement=arrangement, status="committed").count()


def test_a_proposal_commits_nobody_until_the_helper_says_yes(cast, clock):
    # given the person proposes weekly shopping with a helper
    arrangement = _propose(cast)
    # then nothing is made yet, and the helper is asked
    assert arrangement.status == "pending"
    assert not Need.objects.filter(arrangement=arrangement).exists()
    assert "exchange_arrangement_proposed" in kinds_for(cast.caller)
    # when the helper says yes, the dates are made and the person is told
    services.arrangement_answer(actor=cast.caller, arrangement=arrangement, accept=True)
    assert StandingArrangement.objects.get().status == "active"
    assert _dates(arrangement) == 2
    assert "exchange_arrangement_changed" in kinds_for(cast.member)


def test_the_helper_may_say_no_and_nothing_is_expected_of_them(cast, clock):
    arrangement = _propose(cast)
    services.arrangement_answer(actor=cast.caller, arrangement=arrangement, accept=False)
    assert StandingArrangement.objects.get().status == "declined"
    assert not Commitment.objects.exists()
    with pytest.raises(Conflict):
        services.arrangement_answer(actor=cast.caller, arrangement=arrangement, accept=True)


def test_only_the_named_helper_answers(cast, clock):
    arrangement = _propose(cast)
    for actor in (cast.member, cast.coordinator, new_member(cast.community, "Someone")):
        with pytest.raises(PermissionDenied):
            services.arrangement_answer(actor=actor, arrangement=arrangement, accept=True)
    assert StandingArrangement.objects.get().status == "pending"


def test_a_member_cannot_name_a_helper_for_someone_else(cast, clock):
    other = new_member(cast.community, "Other Person")
    with pytest.raises(PermissionDenied):
        _propose(cast, actor=other, person=cast.member)
    with pytest.raises(PermissionDenied):  # nor claim that the helper agreed
        _propose(cast, helper_agreed=True)
    assert not StandingArrangement.objects.exists()


def test_a_coordinator_who_records_the_helpers_yes_starts_it_at_once_and_it_is_audited(cast, clock):
    arrangement = _propose(cast, actor=cast.coordinator, person=cast.member, helper_agreed=True)
    assert arrangement.status == "active" and _dates(arrangement) == 2
    assert AuditEntry.objects.filter(action="arrangement.helper_agreed").count() == 1
    assert "exchange_arrangement_changed" in kinds_for(cast.caller)
    assert "exchange_arrangement_changed" in kinds_for(cast.member)


def test_a_pending_proposal_cannot_be_paused_but_can_be_withdrawn(cast, clock):
    arrangement = _propose(cast)
    with pytest.raises(Conflict):
        services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="paused")
    services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="ended")
    assert StandingArrangement.objects.get().status == "ended"


def _active(cast):
    arrangement = _propose(cast)
    return services.arrangement_answer(actor=cast.caller, arrangement=arrangement, accept=True)


def test_pausing_cancels_the_dates_already_made_and_tells_the_helper(cast, clock):
    arrangement = _active(cast)
    before = len(kinds_for(cast.caller))
    services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="paused")
    needs = Need.objects.filter(arrangement=arrangement)
    assert {n.status for n in needs} == {"cancelled"}
    assert not Commitment.objects.filter(need__arrangement=arrangement, status="active").exists()
    assert kinds_for(cast.caller)[before:] == ["exchange_arrangement_changed"]


def test_resuming_soon_brings_the_paused_dates_back(cast, clock):
    arrangement = _active(cast)
    services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="paused")
    services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="active")
    assert _dates(arrangement) == 2
    assert Need.objects.filter(arrangement=arrangement).count() == 2  # the same dates, revived
    assert Commitment.objects.filter(need__arrangement=arrangement, status="active").count() == 2


def test_ending_cancels_the_coming_dates(cast, clock):
    arrangement = _active(cast)
    services.arrangement_set_status(actor=cast.member, arrangement=arrangement, status="ended")
    assert not Need.objects.filter(arrangement=arrangement, status="committed").exists()


def test_hand_over_tells_both_helpers_and_the_person(cast, clock):
    arrangement = _active(cast)
    newcomer = new_member(cast.community, "New Helper")
    services.arrangement_hand_over(
        actor=cast.coordinator, arrangement=arrangement, helper=newcomer, helper_agreed=True
    )
    for user in (cast.caller, newcomer, cast.member):
        assert kinds_for(user)[-1] == "exchange_arrangement_changed"


def test_the_helper_answers_on_the_arrangement_page(client, cast, clock):
    arrangement = _propose(cast)
    url = reverse("exchange:arrangement_detail", args=[cast.community.slug, arrangement.public_id])
    client.force_login(cast.caller)
    page = client.get(url)
    assert b"Yes, I can help regularly" in page.content
    client.force_login(cast.member)
    assert b"Yes, I can help regularly" not in client.get(url).content
    assert b"Waiting for the helper" in client.get(url).content
    client.force_login(cast.caller)
    action = reverse(
        "exchange:arrangement_action", args=[cast.community.slug, arrangement.public_id, "accept"]
    )
    assert client.post(action).status_code == 302
    assert StandingArrangement.objects.get().status == "active"


def test_the_helper_answers_over_the_api(client, cast, clock):
    from mutua.people.services import api_token_create

    arrangement = _propose(cast)
    _token, secret = api_token_create(user=cast.caller, name="t")
    r = client.post(
        f"/api/v1/arrangements/{arrangement.public_id}/answer",
        {"accept": False},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "declined"
