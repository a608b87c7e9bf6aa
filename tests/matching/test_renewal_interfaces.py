"""Arrangement terms on the pages and in the API: the term on the arrangement page, a
coordinator's renew button, the matching settings page and endpoints, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mutua.communities.models import Membership
from mutua.core.models import AuditEntry
from mutua.exchange import services as exchange
from mutua.exchange.services.arrangements import arrangement_terms
from mutua.matching.models import ArrangementTerm, MatchingSettings
from mutua.matching.renewals import matching_settings_update
from mutua.people.services import api_token_create
from mutua.trust.models import TrustScore

JSON = "application/json"
SETTINGS_PAGE = "/c/riverside/matching/settings/"
SETTINGS_API = "/api/v1/communities/riverside/matching-settings"


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    return r.json()


def _terms_on(cast, days: int = 28) -> None:
    matching_settings_update(
        actor=cast.coordinator,
        community=cast.community,
        trusted_arrangements_renew=True,
        arrangement_term_days=days,
    )


def _arrangement(cast, title: str = "Shopping every Tuesday"):
    return exchange.arrangement_create(
        actor=cast.coordinator,
        helper_agreed=True,  # the helper said yes (recorded by a coordinator)
        community=cast.community,
        person=cast.member,
        helper=cast.caller,
        title=title,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=timezone.now(),
    )


def _trusted(cast, *users) -> None:
    for user in users:
        membership = Membership.objects.get(community=cast.community, user=user)
        TrustScore.objects.update_or_create(
            membership=membership, defaults={"level": "trusted", "computed_at": timezone.now()}
        )


def _same_instant(a: dt.datetime, b: dt.datetime) -> bool:
    return abs(a - b) < dt.timedelta(milliseconds=1)  # the API writes milliseconds


def _page(cast, arrangement) -> str:
    return f"/c/riverside/arrangements/{arrangement.public_id}/"


def _renew(arrangement) -> str:
    return f"/c/riverside/arrangement-terms/{arrangement.public_id}/renew/"


# --- the arrangement page ---------------------------------------------------------------------


def test_arrangement_page_shows_the_term_and_that_a_coordinator_renews_it(client, cast):
    _terms_on(cast)
    arrangement = _arrangement(cast)
    client.force_login(cast.coordinator)
    page = client.get(_page(cast, arrangement)).content.decode()
    assert "Runs until" in page and "A coordinator renews it." in page
    assert "Renew for one more term" in page


def test_a_trusted_pair_reads_that_it_renews_by_itself(client, cast):
    _terms_on(cast)
    arrangement = _arrangement(cast)
    _trusted(cast, cast.member, cast.caller)
    client.force_login(cast.member)
    page = client.get(_page(cast, arrangement)).content.decode()
    assert "It renews by itself: you both are trusted." in page
    assert "Renew for one more term" not in page  # the button is for coordinators


def test_arrangement_page_says_nothing_of_terms_where_they_are_not_used(client, cast):
    arrangement = _arrangement(cast)
    client.force_login(cast.coordinator)
    page = client.get(_page(cast, arrangement)).content.decode()
    assert "Runs until" not in page and "Renew for one more term" not in page


def test_coordinator_renews_from_the_arrangement_page(client, cast):
    _terms_on(cast)
    arrangement = _arrangement(cast)
    client.force_login(cast.coordinator)
    r = client.post(_renew(arrangement))
    assert r.status_code == 302 and r["Location"] == _page(cast, arrangement)
    term = ArrangementTerm.objects.get(arrangement=arrangement)
    assert term.renewals == 1 and term.renewed_by == cast.coordinator
    entry = AuditEntry.objects.get(action="matching.arrangement_renew")
    assert entry.actor == cast.coordinator and entry.after["automatic"] is False


def test_member_cannot_renew_and_nothing_changes(client, cast):
    _terms_on(cast)
    arrangement = _arrangement(cast)
    client.force_login(cast.member)  # the person helped, but not a coordinator
    assert client.post(_renew(arrangement)).status_code == 403
    assert not ArrangementTerm.objects.filter(renewals__gt=0).exists()
    assert not AuditEntry.objects.filter(action="matching.arrangement_renew").exists()


def test_renew_answers_get_with_405(client, cast):
    _terms_on(cast)
    arrangement = _arrangement(cast)
    client.force_login(cast.coordinator)
    assert client.get(_renew(arrangement)).status_code == 405


# --- the settings page --------------------------------------------------------------------------


def test_coordinator_turns_terms_on_on_the_settings_page(client, cast):
    client.force_login(cast.coordinator)
    assert client.get(SETTINGS_PAGE).status_code == 200
    r = client.post(
        SETTINGS_PAGE, {"trusted_arrangements_renew": "on", "arrangement_term_days": "35"}
    )
    assert r.status_code == 302
    ms = MatchingSettings.objects.get(community=cast.community)
    assert (ms.trusted_arrangements_renew, ms.arrangement_term_days) == (True, 35)


@pytest.mark.parametrize("days", ["3", "366", "", "many"])
def test_settings_page_refuses_a_bad_term_and_writes_nothing(client, cast, days):
    client.force_login(cast.coordinator)
    r = client.post(
        SETTINGS_PAGE, {"trusted_arrangements_renew": "on", "arrangement_term_days": days}
    )
    assert r.status_code == 400
    assert not MatchingSettings.objects.exists()


def test_member_cannot_see_or_change_the_settings_page(client, cast):
    client.force_login(cast.member)
    assert client.get(SETTINGS_PAGE).status_code == 403
    r = client.post(
        SETTINGS_PAGE, {"trusted_arrangements_renew": "on", "arrangement_term_days": "35"}
    )
    assert r.status_code == 403
    assert not MatchingSettings.objects.exists()


# --- the API ------------------------------------------------------------------------------------


def test_coordinator_reads_and_changes_the_settings_over_the_api(client, cast):
    auth = _auth(cast.coordinator)
    terms = ("trusted_arrangements_renew", "arrangement_term_days")
    read = client.get(SETTINGS_API, **auth).json()
    assert {k: read[k] for k in terms} == {
        "trusted_arrangements_renew": False,
        "arrangement_term_days": 56,
    }
    r = client.patch(SETTINGS_API, {"trusted_arrangements_renew": True}, content_type=JSON, **auth)
    assert r.status_code == 200 and r.json()["trusted_arrangements_renew"] is True
    r = client.patch(SETTINGS_API, {"arrangement_term_days": 14}, content_type=JSON, **auth)
    assert {k: r.json()[k] for k in terms} == {
        "trusted_arrangements_renew": True,
        "arrangement_term_days": 14,
    }


@pytest.mark.parametrize("days", [6, 366, -1, 2**40])
def test_api_refuses_a_bad_term_with_a_problem_and_writes_nothing(client, cast, days):
    _terms_on(cast, days=30)
    body = {"trusted_arrangements_renew": False, "arrangement_term_days": days}
    problem = _problem(
        client.patch(SETTINGS_API, body, content_type=JSON, **_auth(cast.coordinator)), 422
    )
    assert "arrangement_term_days" in problem["errors"]
    ms = MatchingSettings.objects.get(community=cast.community)
    assert (ms.trusted_arrangements_renew, ms.arrangement_term_days) == (True, 30)


def test_api_refuses_members_and_outsiders_the_settings(client, cast):
    body = {"trusted_arrangements_renew": True}
    for user in (cast.member, cast.caller, cast.outsider):
        _problem(client.get(SETTINGS_API, **_auth(user)), 403)
        _problem(client.patch(SETTINGS_API, body, content_type=JSON, **_auth(user)), 403)
    assert not MatchingSettings.objects.exists()


def test_api_arrangement_shows_its_term(client, cast):
    arrangement = _arrangement(cast)
    url = f"/api/v1/arrangements/{arrangement.public_id}"
    without = client.get(url, **_auth(cast.member)).json()
    assert without["term_ends_at"] is None and without["renews_automatically"] is None
    _terms_on(cast, days=28)
    _trusted(cast, cast.member, cast.caller)
    shown = client.get(url, **_auth(cast.member)).json()
    ends = dt.datetime.fromisoformat(shown["term_ends_at"])
    assert _same_instant(ends, ArrangementTerm.objects.get(arrangement=arrangement).ends_at)
    assert shown["renews_automatically"] is True


def test_api_renews_for_coordinators_only(client, cast):
    _terms_on(cast, days=28)
    arrangement = _arrangement(cast)
    url = f"/api/v1/arrangements/{arrangement.public_id}/renew"
    _problem(client.post(url, **_auth(cast.member)), 403)
    assert not ArrangementTerm.objects.filter(renewals__gt=0).exists()
    before = arrangement_terms([arrangement])[arrangement.pk].ends_at
    r = client.post(url, **_auth(cast.coordinator))
    assert r.status_code == 200
    ends = dt.datetime.fromisoformat(r.json()["term_ends_at"])
    assert _same_instant(ends, before + dt.timedelta(days=28))


def test_api_arrangement_list_looks_terms_up_in_a_constant_number_of_queries(client, cast):
    _terms_on(cast)
    _arrangement(cast, "First arrangement")
    url = "/api/v1/communities/riverside/arrangements"
    auth = _auth(cast.coordinator)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url, **auth).json()["items"]) == 1
    for n in range(3):
        _arrangement(cast, f"Arrangement {n}")
    with CaptureQueriesContext(connection) as four:
        items = client.get(url, **auth).json()["items"]
    assert len(items) == 4 and all(i["term_ends_at"] for i in items)
    assert len(four) <= len(one)  # the first call also records the token's use
