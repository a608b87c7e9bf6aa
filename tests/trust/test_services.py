"""Vouches, verification, recompute, levels and gates."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mutua.communities.services import membership_change_role
from mutua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mutua.exchange import services as exchange
from mutua.trust import services
from mutua.trust.models import TrustScore, TrustSettings, Vouch
from mutua.trust.recompute import LEVEL_CHANGE_HANDLERS
from tests.trust.helpers import member, vouch


def _levels(community, *users):
    services.trust_recompute(community)
    return [services.trust_level_of(u, community) for u in users]


def test_recompute_gives_every_active_member_a_score_and_stewards_are_trusted(cast):
    written = services.trust_recompute(cast.community)
    assert written == 4
    assert TrustScore.objects.filter(membership__community=cast.community).count() == 4
    assert services.trust_level_of(cast.steward, cast.community) == "trusted"
    assert services.trust_level_of(cast.member, cast.community) == "new"


def test_a_vouch_from_a_steward_makes_a_member_known_and_revoking_it_lowers_the_level(cast):
    v = vouch(cast.community, cast.steward, cast.member)
    assert _levels(cast.community, cast.member) == ["known"]
    services.vouch_revoke(actor=cast.steward, vouch=v)
    assert _levels(cast.community, cast.member) == ["new"]


def test_trusted_needs_two_members_with_standing(cast):
    vouch(cast.community, cast.steward, cast.member)
    assert _levels(cast.community, cast.member) == ["known"]
    vouch(cast.community, cast.steward, cast.coordinator)
    vouch(cast.community, cast.coordinator, cast.member)
    assert _levels(cast.community, cast.member) == ["trusted"]


def test_new_members_cannot_vouch_and_nothing_is_written(cast):
    # given trust computed (gates apply), the member is new
    services.trust_recompute(cast.community)
    # when they vouch, then the vouch gate refuses with the reason and nothing is written
    with pytest.raises(PermissionDenied) as refused:
        services.vouch_create(voucher=cast.member, vouchee=cast.caller, community=cast.community)
    assert "vouch for other members" in refused.value.message
    assert not Vouch.objects.exists()


def test_with_gates_switched_off_a_new_member_may_vouch(cast):
    # given trust computed, then the gates switched off by a steward
    from mutua.trust.configure import trust_settings_update

    services.trust_recompute(cast.community)
    trust_settings_update(actor=cast.steward, community=cast.community, gates_enabled=False)
    # when a new member vouches, then it is recorded
    vouch = services.vouch_create(
        voucher=cast.member, vouchee=cast.caller, community=cast.community
    )
    assert vouch.voucher == cast.member
    # and switched on again, the next new member is refused once more
    trust_settings_update(actor=cast.coordinator, community=cast.community, gates_enabled=True)
    with pytest.raises(PermissionDenied):
        services.vouch_create(voucher=cast.caller, vouchee=cast.member, community=cast.community)
    assert Vouch.objects.count() == 1


def test_before_trust_is_first_computed_the_vouch_gate_is_open_like_every_gate(cast):
    # given a community where trust was never computed: nobody has a level yet
    # when a member vouches, then it is recorded (gates apply once trust is computed)
    services.vouch_create(voucher=cast.member, vouchee=cast.caller, community=cast.community)
    assert Vouch.objects.filter(voucher=cast.member).count() == 1


def test_vouching_for_yourself_or_an_outsider_is_refused(cast):
    with pytest.raises(ValidationFailed):
        services.vouch_create(voucher=cast.steward, vouchee=cast.steward, community=cast.community)
    with pytest.raises(NotFound):
        services.vouch_create(voucher=cast.steward, vouchee=cast.outsider, community=cast.community)


def test_the_monthly_vouch_limit_counts_revoked_vouches_too(cast):
    TrustSettings.objects.create(community=cast.community, vouch_monthly_limit=1)
    v = services.vouch_create(voucher=cast.steward, vouchee=cast.member, community=cast.community)
    services.vouch_revoke(actor=cast.steward, vouch=v)
    with pytest.raises(Conflict):
        services.vouch_create(voucher=cast.steward, vouchee=cast.member, community=cast.community)


def test_a_second_live_vouch_for_the_same_person_is_refused(cast):
    services.vouch_create(voucher=cast.steward, vouchee=cast.member, community=cast.community)
    with pytest.raises(Conflict):
        services.vouch_create(voucher=cast.steward, vouchee=cast.member, community=cast.community)


def test_met_in_person_is_recorded_by_coordinators_only_and_audit_logged(cast):
    with pytest.raises(PermissionDenied):
        services.verification_set(
            actor=cast.member, community=cast.community, user=cast.caller, met_in_person=True
        )
    services.verification_set(
        actor=cast.coordinator, community=cast.community, user=cast.member, met_in_person=True
    )
    assert cast.community.audit_entries.filter(action="trust.met_in_person").count() == 1


def test_gates_are_off_until_trust_is_first_computed(cast):
    services.trust_gate_require(cast.member, cast.community, "care_circle")
    services.trust_recompute(cast.community)
    with pytest.raises(PermissionDenied) as refused:
        services.trust_gate_require(cast.member, cast.community, "care_circle")
    assert "known" in refused.value.message


@pytest.mark.parametrize("gate", sorted(services.GATES))
def test_every_gate_refuses_a_new_member_and_lets_a_steward_through(cast, gate):
    services.trust_recompute(cast.community)
    with pytest.raises(PermissionDenied):
        services.trust_gate_require(cast.member, cast.community, gate)
    services.trust_gate_require(cast.steward, cast.community, gate)


def test_a_new_member_cannot_take_a_need_with_a_home_address(cast):
    need = exchange.need_post(
        actor=cast.caller,
        community=cast.community,
        title="Shopping",
        address="1 Long Lane",
        allow_self_assign=True,
    )
    services.trust_recompute(cast.community)
    with pytest.raises(PermissionDenied):
        exchange.need_self_assign(helper=cast.member, need=need)
    with pytest.raises(PermissionDenied):
        exchange.commitment_assign(actor=cast.coordinator, need=need, helper=cast.member)
    assert not need.commitments.exists()


def test_a_known_member_can_take_a_need_with_a_home_address(cast):
    need = exchange.need_post(
        actor=cast.caller,
        community=cast.community,
        title="Shopping",
        address="1 Long Lane",
        allow_self_assign=True,
    )
    vouch(cast.community, cast.steward, cast.member)
    services.trust_recompute(cast.community)
    commitment = exchange.need_self_assign(helper=cast.member, need=need)
    assert commitment.helper == cast.member


def test_proposing_a_new_member_as_coordinator_is_refused_once_trust_is_on(cast):
    services.trust_recompute(cast.community)
    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=cast.steward, membership=cast.member.memberships.get(), role="coordinator"
        )
    assert cast.member.memberships.get().role == "member"


def test_kept_commitments_count_as_evidence_in_the_explanation(cast):
    need = exchange.need_post(actor=cast.caller, community=cast.community, title="Soup")
    c = exchange.commitment_assign(actor=cast.coordinator, need=need, helper=cast.member)
    exchange.commitment_mark_done(actor=cast.member, commitment=c)
    exchange.commitment_confirm(actor=cast.caller, commitment=c)
    vouch(cast.community, cast.steward, cast.caller)
    services.trust_recompute(cast.community)
    from mutua.trust.selectors import my_trust

    mine = my_trust(viewer=cast.member, community=cast.community)
    assert "1 commitment kept" in mine.explanation
    score = TrustScore.objects.get(membership__user=cast.member)
    assert score.normalised > 0


def test_level_change_handlers_hear_about_a_drop(cast):
    heard = []
    LEVEL_CHANGE_HANDLERS.append(lambda m, old, new: heard.append((m.user_id, old, new)))
    try:
        v = vouch(cast.community, cast.steward, cast.member)
        services.trust_recompute(cast.community)
        v.revoked_at = timezone.now()
        v.save()
        services.trust_recompute(cast.community)
    finally:
        LEVEL_CHANGE_HANDLERS.pop()
    assert (cast.member.pk, "known", "new") in heard


def test_recompute_reads_evidence_in_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for _ in range(30):
        vouch(cast.community, cast.steward, member(cast.community))
    with django_assert_max_num_queries(20):
        services.trust_recompute(cast.community)
