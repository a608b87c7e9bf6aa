"""Coordinators tune how helpers are chosen: service, page and API, ranges and the audit log."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.matching import arrays, selectors, tuning
from mutua.matching.models import MatchingSettings
from mutua.people.services import api_token_create
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_coordinator_changes_weights_and_counts_and_the_change_is_audited(cast):
    # when a coordinator widens the radius, values fairness more and lowers the daily cap
    ms = tuning.matching_settings_change(
        actor=cast.coordinator,
        community=cast.community,
        radius_km=8,
        load=2.5,
        daily_suggestion_cap=1,
        capacity=2,
    )
    # then the values are stored, the engine reads them, and one audit entry says what changed
    ms.refresh_from_db()
    assert ms.weights == {"radius_km": 8.0, "load": 2.5}
    assert (ms.daily_suggestion_cap, ms.capacity) == (1, 2)
    weights = arrays.weights_for(ms)
    assert (weights.radius_km, weights.load, weights.distance_per_km) == (8.0, 2.5, 1.0)
    entry = AuditEntry.objects.get(action="matching.settings")
    assert entry.after == {"radius_km": 8.0, "load": 2.5, "daily_suggestion_cap": 1, "capacity": 2}
    assert entry.before == {"radius_km": 5.0, "load": 0.5, "daily_suggestion_cap": 3, "capacity": 3}


def test_a_wider_radius_reaches_a_helper_further_away(cast):
    far = new_member(cast.community, "Far", approx_lat=LAT + 7 / 111.195, approx_lon=LON)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    assert selectors.matching_rank(viewer=cast.coordinator, need=need) == []
    tuning.matching_settings_change(actor=cast.coordinator, community=cast.community, radius_km=8)
    assert [m.user for m in selectors.matching_rank(viewer=cast.coordinator, need=need)] == [far]


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_others_cannot_change_the_settings(cast, role):
    with pytest.raises(PermissionDenied):
        tuning.matching_settings_change(actor=getattr(cast, role), community=cast.community, load=3)
    assert not MatchingSettings.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("load", -1), ("radius_km", 0.1), ("capacity", 0), ("capacity", 2.5), ("widen_minutes", 1)],
)
def test_a_value_out_of_range_is_refused_on_its_field_and_nothing_changes(cast, field, value):
    with pytest.raises(ValidationFailed) as err:
        tuning.matching_settings_change(
            actor=cast.coordinator, community=cast.community, fatigue=1, **{field: value}
        )
    assert list(err.value.field_errors) == [field]
    assert "from" in err.value.field_errors[field][0]
    assert not MatchingSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="matching.settings").exists()


def test_the_settings_page_saves_tuning_with_plain_labels(client, cast):
    client.force_login(cast.coordinator)
    page = client.get("/c/riverside/matching/settings/").content.decode()
    assert "How helpers are chosen" in page and "Spreading tasks fairly" in page
    r = client.post(
        "/c/riverside/matching/settings/",
        {"section": "tuning", **{f"tuning-{k}": v for k, v in _defaults(load=4).items()}},
    )
    assert r.status_code == 302
    assert MatchingSettings.objects.get().weights["load"] == 4.0


def test_the_settings_page_shows_a_field_message_for_bad_input_and_saves_nothing(client, cast):
    client.force_login(cast.coordinator)
    values = {f"tuning-{k}": v for k, v in _defaults(suggest_per_round=99).items()}
    r = client.post("/c/riverside/matching/settings/", {"section": "tuning", **values})
    assert r.status_code == 400
    assert "Ensure this value is less than or equal to 20" in r.content.decode()
    assert not MatchingSettings.objects.exists()


def test_members_cannot_open_the_settings_page(client, cast):
    client.force_login(cast.member)
    assert client.get("/c/riverside/matching/settings/").status_code == 403


def _defaults(**changes) -> dict:
    return {**tuning.tuned_values(MatchingSettings()), **changes}


def test_api_reads_and_patches_the_settings(client, cast):
    coordinator = _auth(cast.coordinator)
    r = client.get("/api/v1/communities/riverside/matching-settings", **coordinator)
    assert r.status_code == 200, r.content
    assert r.json()["load"] == 0.5 and r.json()["daily_suggestion_cap"] == 3
    r = client.patch(
        "/api/v1/communities/riverside/matching-settings",
        {"trust": 2, "widen_minutes_urgent": 15},
        content_type="application/json",
        **coordinator,
    )
    assert r.status_code == 200, r.content
    assert (r.json()["trust"], r.json()["widen_minutes_urgent"]) == (2.0, 15)
    assert r.json()["arrangement_term_days"] == 56  # untouched


def test_api_refuses_bad_values_with_a_field_message_and_members(client, cast):
    r = client.patch(
        "/api/v1/communities/riverside/matching-settings",
        {"max_rounds": 50},
        content_type="application/json",
        **_auth(cast.coordinator),
    )
    assert r.status_code == 422 and "max_rounds" in r.json()["errors"]
    assert r["Content-Type"].startswith("application/problem+json")
    r = client.patch(
        "/api/v1/communities/riverside/matching-settings",
        {"load": 1},
        content_type="application/json",
        **_auth(cast.member),
    )
    assert r.status_code == 403
    assert not MatchingSettings.objects.exists()
