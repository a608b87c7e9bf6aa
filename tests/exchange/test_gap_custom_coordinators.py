"""Follow-ups reach holders of a custom role with the exchange coordinators' powers."""

from __future__ import annotations

from mutua.communities.models import Membership
from mutua.communities.services import custom_role_assign, custom_role_create
from mutua.exchange import services
from mutua.exchange.services.common import coordinators_of
from mutua.trust import services as trust
from tests.exchange.helpers import kinds_for, new_member, post_need
from tests.trust.helpers import vouch


def _give_role(cast, user, permissions, name):
    vouch(cast.community, cast.steward, user)
    vouch(cast.community, cast.steward, cast.coordinator)
    vouch(cast.community, cast.coordinator, user)
    trust.trust_recompute(cast.community)
    role = custom_role_create(
        actor=cast.steward, community=cast.community, name=name, permissions=permissions
    )
    membership = Membership.objects.get(community=cast.community, user=user)
    custom_role_assign(actor=cast.steward, membership=membership, role=role)


def test_a_custom_role_with_exchange_coordination_counts_as_a_coordinator(cast):
    lead = new_member(cast.community, "Dana Dispatch")
    _give_role(cast, lead, ["exchange.coordinate"], "Dispatch lead")
    assert lead in coordinators_of(cast.community)
    assert cast.coordinator in coordinators_of(cast.community)
    assert cast.steward in coordinators_of(cast.community)


def test_a_custom_role_without_it_does_not(cast):
    friend = new_member(cast.community, "Phil Phone")
    _give_role(cast, friend, ["calllist.view"], "Phone friends")
    assert friend not in coordinators_of(cast.community)
    assert cast.member not in coordinators_of(cast.community)


def test_a_follow_up_reaches_the_custom_role_holder(cast):
    lead = new_member(cast.community, "Dana Dispatch")
    _give_role(cast, lead, ["exchange.coordinate"], "Dispatch lead")
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_flag_follow_up(actor=cast.member, commitment=commitment, note="Late")
    assert "exchange_follow_up" in kinds_for(lead)
    assert "exchange_follow_up" not in kinds_for(cast.caller)
