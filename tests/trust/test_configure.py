"""A community's trust settings: who may change what, the ranges, the audit log, the effect."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.trust import services
from mutua.trust.configure import trust_settings_update
from mutua.trust.models import TrustSettings
from tests.trust.helpers import vouch


def _settings(community) -> TrustSettings:
    return TrustSettings.objects.get_or_create(community=community)[0]


def test_a_steward_switches_the_gates_off_and_it_is_audit_logged(cast):
    # given trust computed, so a new member is refused a care circle
    services.trust_recompute(cast.community)
    assert services.trust_gate_refusal(cast.member, cast.community, "care_circle")
    # when a steward switches the gates off (a coordinator may not: see test_safeguarding_privacy)
    trust_settings_update(actor=cast.steward, community=cast.community, gates_enabled=False)
    # then nobody is refused for their level, and the log has before and after
    assert services.trust_gate_refusal(cast.member, cast.community, "care_circle") == ""
    entry = AuditEntry.objects.get(action="trust.settings")
    assert entry.actor == cast.steward
    assert entry.before == {"gates_enabled": True} and entry.after == {"gates_enabled": False}


def test_a_coordinator_sets_the_vouch_limit(cast):
    trust_settings_update(actor=cast.coordinator, community=cast.community, vouch_monthly_limit=2)
    assert _settings(cast.community).vouch_monthly_limit == 2


def test_a_steward_changes_the_thresholds_and_levels_follow(cast):
    # given a member with one vouch from the steward: known with the defaults
    vouch(cast.community, cast.steward, cast.member)
    services.trust_recompute(cast.community)
    assert services.trust_level_of(cast.member, cast.community) == "known"
    # when a steward asks much more of "known"
    trust_settings_update(
        actor=cast.steward, community=cast.community, known_at=4.5, trusted_at=9.0, min_backers=3
    )
    services.trust_recompute(cast.community)
    # then the member is new again, and the change is logged with the old values
    assert services.trust_level_of(cast.member, cast.community) == "new"
    entry = AuditEntry.objects.get(action="trust.settings")
    assert entry.before == {"known_at": 0.2, "trusted_at": 1.0, "min_backers": 2}
    assert entry.after == {"known_at": 4.5, "trusted_at": 9.0, "min_backers": 3}


def test_changing_the_scoring_marks_trust_for_a_recompute(cast):
    services.trust_recompute(cast.community)
    trust_settings_update(actor=cast.steward, community=cast.community, damping=0.8)
    assert _settings(cast.community).recompute_due_at is not None


def test_switching_the_gates_needs_no_recompute(cast):
    services.trust_recompute(cast.community)
    trust_settings_update(actor=cast.steward, community=cast.community, gates_enabled=False)
    assert _settings(cast.community).recompute_due_at is None


@pytest.mark.parametrize("role", ["member", "caller"])
def test_members_and_callers_cannot_change_any_setting(cast, role):
    actor = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        trust_settings_update(actor=actor, community=cast.community, gates_enabled=False)
    with pytest.raises(PermissionDenied):
        trust_settings_update(actor=actor, community=cast.community, vouch_monthly_limit=9)
    assert _settings(cast.community).gates_enabled is True
    assert _settings(cast.community).vouch_monthly_limit == 5
    assert not AuditEntry.objects.filter(action="trust.settings").exists()


def test_outsiders_cannot_change_settings(cast):
    with pytest.raises(PermissionDenied):
        trust_settings_update(actor=cast.outsider, community=cast.community, gates_enabled=False)


@pytest.mark.parametrize(
    "change", [{"known_at": 0.5}, {"trusted_at": 2.0}, {"min_backers": 3}, {"damping": 0.7}]
)
def test_coordinators_cannot_change_what_the_levels_mean(cast, change):
    with pytest.raises(PermissionDenied):
        trust_settings_update(actor=cast.coordinator, community=cast.community, **change)
    conf = _settings(cast.community)
    assert (conf.known_at, conf.trusted_at, conf.min_backers, conf.damping) == (0.2, 1.0, 2, 0.85)


def test_a_coordinator_saving_the_current_thresholds_unchanged_is_not_refused(cast):
    conf = trust_settings_update(
        actor=cast.coordinator,
        community=cast.community,
        known_at=0.2,
        trusted_at=1.0,
        vouch_monthly_limit=3,
    )
    assert conf.vouch_monthly_limit == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"known_at": 0.0}, "known_at"),
        ({"known_at": 6.0}, "known_at"),
        ({"trusted_at": 50.0}, "trusted_at"),
        ({"damping": 0.99}, "damping"),
        ({"min_backers": 0}, "min_backers"),
        ({"vouch_monthly_limit": 51}, "vouch_monthly_limit"),
        ({"vouch_monthly_limit": 2.5}, "vouch_monthly_limit"),
        ({"known_at": 2.0, "trusted_at": 1.5}, "trusted_at"),
        ({"known_at": 1.0}, "known_at"),  # as high as trusted: nobody could be only known
        ({"gates_enabled": "no"}, "gates_enabled"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_give_a_field_message_and_change_nothing(cast, change, field):
    with pytest.raises(ValidationFailed) as refused:
        trust_settings_update(actor=cast.steward, community=cast.community, **change)
    assert field in refused.value.field_errors
    conf = _settings(cast.community)
    assert (conf.known_at, conf.trusted_at, conf.damping, conf.min_backers) == (0.2, 1.0, 0.85, 2)
    assert conf.vouch_monthly_limit == 5 and conf.gates_enabled is True
    assert not AuditEntry.objects.filter(action="trust.settings").exists()
