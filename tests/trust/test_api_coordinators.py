"""Trust over the API for coordinators: member rows, met in person, settings."""

from __future__ import annotations

import pytest

from mutua.communities.models import Membership
from mutua.core.models import AuditEntry
from mutua.people.services import api_token_create
from mutua.trust import services
from mutua.trust.models import TrustSettings, Verification
from tests.trust.helpers import member, vouch

BASE = "/api/v1/communities/riverside"


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _id(user, community) -> str:
    return Membership.objects.get(user=user, community=community).public_id


def test_coordinators_read_each_members_level_and_why_but_never_a_score(client, cast):
    # given a member vouched for and trust computed
    vouch(cast.community, cast.steward, cast.member)
    services.trust_recompute(cast.community)
    # when a coordinator lists the members' trust
    r = client.get(f"{BASE}/trust/members", **_auth(cast.coordinator))
    assert r.status_code == 200, r.content
    rows = {row["member"]: row for row in r.json()["items"]}
    # then each row has the level and the evidence in words, and no number
    row = rows[_id(cast.member, cast.community)]
    assert row["level"] == "known" and "Sam Steward" in row["explanation"]
    assert rows[_id(cast.steward, cast.community)]["level"] == "trusted"
    assert not {"score", "normalised"} & set(row)


def test_the_member_rows_filter_by_level_and_page_with_a_cursor(client, cast):
    for _ in range(3):
        member(cast.community)
    services.trust_recompute(cast.community)
    headers = _auth(cast.coordinator)
    rows, cursor, pages = [], "", 0
    while True:
        page = client.get(
            f"{BASE}/trust/members?level=new&limit=2" + (f"&cursor={cursor}" if cursor else ""),
            **headers,
        ).json()
        rows += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    seen = [row["member"] for row in rows]
    assert len(seen) == len(set(seen)) == 6  # coordinator, caller, member and three newcomers
    assert pages == 3 and all(row["level"] == "new" for row in rows)
    assert _id(cast.steward, cast.community) not in seen


def test_the_member_rows_take_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    services.trust_recompute(cast.community)
    headers = _auth(cast.coordinator)
    with django_assert_max_num_queries(30) as few:
        client.get(f"{BASE}/trust/members?limit=100", **headers)
    for _ in range(12):
        vouch(cast.community, cast.steward, member(cast.community))
    services.trust_recompute(cast.community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(f"{BASE}/trust/members?limit=100", **headers)
    assert len(r.json()["items"]) == 16


@pytest.mark.parametrize("role", ["member", "caller"])
def test_members_and_callers_cannot_read_the_member_rows_or_the_overview(client, cast, role):
    headers = _auth(getattr(cast, role))
    assert client.get(f"{BASE}/trust/members", **headers).status_code == 403
    assert client.get(f"{BASE}/trust/overview", **headers).status_code == 403


def test_a_coordinator_records_and_withdraws_met_in_person_over_the_api(client, cast):
    path = f"{BASE}/members/{_id(cast.member, cast.community)}/met-in-person"
    r = client.put(path, **_auth(cast.coordinator))
    assert r.status_code == 200 and r.json()["met_in_person"] is True
    assert Verification.objects.filter(user=cast.member, revoked_at__isnull=True).exists()
    r = client.delete(path, **_auth(cast.coordinator))
    assert r.status_code == 204
    assert not Verification.objects.filter(user=cast.member, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="trust.met_in_person").count() == 2


@pytest.mark.parametrize("role", ["member", "caller"])
def test_members_cannot_record_met_in_person_over_the_api(client, cast, role):
    path = f"{BASE}/members/{_id(cast.coordinator, cast.community)}/met-in-person"
    r = client.put(path, **_auth(getattr(cast, role)))
    assert r.status_code == 403
    assert r["Content-Type"].startswith("application/problem+json")
    assert not Verification.objects.exists()


def test_settings_over_the_api_for_coordinators_and_stewards(client, cast):
    # a coordinator reads the settings and sets the vouch limit
    r = client.get(f"{BASE}/trust/settings", **_auth(cast.coordinator))
    assert r.status_code == 200 and r.json()["gates_enabled"] is True
    assert r.json()["known_at"] == 0.2 and r.json()["vouch_monthly_limit"] == 5
    r = client.patch(
        f"{BASE}/trust/settings",
        {"vouch_monthly_limit": 3},
        content_type="application/json",
        **_auth(cast.coordinator),
    )
    assert r.status_code == 200, r.content
    assert r.json()["gates_enabled"] is True and r.json()["vouch_monthly_limit"] == 3
    # but only a steward switches the gates off
    off = {"gates_enabled": False}
    r = client.patch(
        f"{BASE}/trust/settings", off, content_type="application/json", **_auth(cast.coordinator)
    )
    assert r.status_code == 403
    r = client.patch(
        f"{BASE}/trust/settings", off, content_type="application/json", **_auth(cast.steward)
    )
    assert r.status_code == 200 and r.json()["gates_enabled"] is False
    # but may not change the thresholds; a steward may
    r = client.patch(
        f"{BASE}/trust/settings",
        {"trusted_at": 1.5},
        content_type="application/json",
        **_auth(cast.coordinator),
    )
    assert r.status_code == 403
    r = client.patch(
        f"{BASE}/trust/settings",
        {"trusted_at": 1.5},
        content_type="application/json",
        **_auth(cast.steward),
    )
    assert r.status_code == 200 and r.json()["trusted_at"] == 1.5


@pytest.mark.parametrize("role", ["member", "caller"])
def test_members_cannot_read_or_change_the_settings_over_the_api(client, cast, role):
    headers = _auth(getattr(cast, role))
    assert client.get(f"{BASE}/trust/settings", **headers).status_code == 403
    r = client.patch(
        f"{BASE}/trust/settings",
        {"gates_enabled": False},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 403
    assert TrustSettings.objects.get_or_create(community=cast.community)[0].gates_enabled


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"known_at": -1}, "known_at"),
        ({"damping": 1.5}, "damping"),
        ({"vouch_monthly_limit": 10**12}, "vouch_monthly_limit"),
        ({"min_backers": 0}, "min_backers"),
        ({"known_at": 3.0}, "known_at"),  # above trusted (1.0): checked by the service
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_settings_over_the_api_give_a_field_error_and_change_nothing(client, cast, body, field):
    r = client.patch(
        f"{BASE}/trust/settings", body, content_type="application/json", **_auth(cast.steward)
    )
    assert r.status_code == 422, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    assert field in r.json()["errors"]
    conf = TrustSettings.objects.get_or_create(community=cast.community)[0]
    assert (conf.known_at, conf.damping, conf.vouch_monthly_limit) == (0.2, 0.85, 5)
