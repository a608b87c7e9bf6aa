"""Coordinators' trust pages: settings, met in person (and withdrawing it), the "Why" column."""

from __future__ import annotations

import pytest

from mutua.communities.models import Membership
from mutua.core.models import AuditEntry
from mutua.trust import services
from mutua.trust.models import TrustSettings, Verification

SETTINGS = "/c/riverside/trust/settings/"
FORM = {
    "gates_enabled": "on",
    "vouch_monthly_limit": "5",
    "known_at": "0.2",
    "trusted_at": "1.0",
    "min_backers": "2",
    "damping": "0.85",
}


def _conf(community) -> TrustSettings:
    return TrustSettings.objects.get_or_create(community=community)[0]


def test_a_coordinator_sets_the_vouch_limit_on_the_settings_page(client, cast):
    client.force_login(cast.coordinator)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Use trust levels" in text and "Only a steward can change" in text
    # when they post (scoring fields and the gates, while on, are disabled for them: not sent)
    r = client.post(SETTINGS, {"vouch_monthly_limit": "4"})
    # then the limit changed; the gates stay on (only a steward switches them off)
    assert r.status_code == 302
    conf = _conf(cast.community)
    assert conf.gates_enabled is True and conf.vouch_monthly_limit == 4
    assert conf.known_at == 0.2
    assert AuditEntry.objects.filter(action="trust.settings").count() == 1


def test_a_coordinator_cannot_change_thresholds_by_posting_them_anyway(client, cast):
    client.force_login(cast.coordinator)
    client.post(SETTINGS, {**FORM, "known_at": "0.9", "trusted_at": "3"})
    conf = _conf(cast.community)
    assert (conf.known_at, conf.trusted_at) == (0.2, 1.0)


def test_a_steward_changes_the_thresholds_on_the_settings_page(client, cast):
    client.force_login(cast.steward)
    assert "Only a steward can change" not in client.get(SETTINGS).content.decode()
    r = client.post(SETTINGS, {**FORM, "known_at": "0.3", "trusted_at": "1.5"})
    assert r.status_code == 302
    conf = _conf(cast.community)
    assert (conf.known_at, conf.trusted_at) == (0.3, 1.5)


def test_bad_settings_on_the_page_show_a_message_by_the_field_and_change_nothing(client, cast):
    client.force_login(cast.steward)
    r = client.post(SETTINGS, {**FORM, "known_at": "2", "trusted_at": "1.5"})
    assert r.status_code == 400
    assert "needs a higher score" in r.content.decode()
    r = client.post(SETTINGS, {**FORM, "damping": "2"})
    assert r.status_code == 400
    conf = _conf(cast.community)
    assert (conf.known_at, conf.trusted_at, conf.damping) == (0.2, 1.0, 0.85)


@pytest.mark.parametrize("role", ["member", "caller"])
def test_members_and_callers_cannot_open_or_post_the_settings_page(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, {**FORM, "gates_enabled": ""}).status_code == 403
    assert _conf(cast.community).gates_enabled is True


def test_the_overview_says_when_gates_are_off(client, cast):
    from mutua.trust.configure import trust_settings_update

    trust_settings_update(actor=cast.steward, community=cast.community, gates_enabled=False)
    client.force_login(cast.coordinator)
    page = client.get("/c/riverside/trust/overview/").content.decode()
    assert "Trust levels are switched off" in page and SETTINGS in page


def test_a_coordinator_records_and_withdraws_met_in_person_from_the_members_page(client, cast):
    m = Membership.objects.get(user=cast.member, community=cast.community)
    page_url = f"/c/riverside/members/{m.public_id}/"
    met_url = f"/c/riverside/trust/members/{m.public_id}/met/"
    client.force_login(cast.coordinator)
    assert "I met this person in person" in client.get(page_url).content.decode()
    client.post(met_url, {"met": "yes"})
    page = client.get(page_url).content.decode()
    assert "Withdraw “met in person”" in page
    client.post(met_url, {"met": "no"})
    assert not Verification.objects.filter(user=cast.member, revoked_at__isnull=True).exists()
    assert "I met this person in person" in client.get(page_url).content.decode()


def test_members_cannot_record_met_in_person_on_the_web(client, cast):
    m = Membership.objects.get(user=cast.caller, community=cast.community)
    client.force_login(cast.member)
    r = client.post(f"/c/riverside/trust/members/{m.public_id}/met/", {"met": "yes"})
    assert r.status_code == 403
    assert not Verification.objects.exists()


def test_the_overview_why_column_includes_missed_commitments(client, cast):
    from tests.trust.test_explain import keep_one_miss_one

    keep_one_miss_one(cast)
    services.trust_recompute(cast.community)
    client.force_login(cast.coordinator)
    page = client.get("/c/riverside/trust/overview/").content.decode()
    assert "1 commitment kept; 1 commitment missed" in page
    # and the member's own page says it with what helps next time
    client.force_login(cast.member)
    mine = client.get("/c/riverside/trust/").content.decode()
    assert "1 commitment missed" in mine and "Plans change for everyone" in mine
