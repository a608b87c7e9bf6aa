"""The trust gates as other apps use them: care circles, automatic confirmation, level changes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mutua.care import services as care
from mutua.care.models import CarePlan, CircleContact
from mutua.core.errors import PermissionDenied
from mutua.exchange import services as exchange
from mutua.exchange import sweeps
from mutua.trust import services
from tests.exchange.helpers import post_need
from tests.trust.helpers import member, vouch

START = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)


def _plan(cast) -> CarePlan:
    return care.care_plan_create(
        actor=cast.member,
        community=cast.community,
        person=cast.member,
        times=["09:00"],
        reminder_leads=[30],
        grace_minutes=30,
    )


def test_a_new_member_cannot_accept_a_care_circle_invitation_once_trust_is_computed(cast):
    # given a plan, a new member invited to its circle and trust computed
    plan = _plan(cast)
    newcomer = member(cast.community, "Nia New")
    contact = care.circle_invite(actor=cast.member, plan=plan, member=newcomer)
    services.trust_recompute(cast.community)
    # when they accept, then they are told why, and the invitation stays open
    with pytest.raises(PermissionDenied) as refused:
        care.circle_accept(member=newcomer, contact=contact)
    assert "care circle" in refused.value.message
    contact.refresh_from_db()
    assert contact.status == "invited"


def test_a_known_member_can_accept_a_care_circle_invitation(cast):
    plan = _plan(cast)
    friend = member(cast.community, "Kit Known")
    vouch(cast.community, cast.steward, friend)
    contact = care.circle_invite(actor=cast.member, plan=plan, member=friend)
    services.trust_recompute(cast.community)
    assert care.circle_accept(member=friend, contact=contact).status == "accepted"


def test_the_care_circle_page_refuses_a_new_member_with_the_reason(cast, client):
    plan = _plan(cast)
    newcomer = member(cast.community, "Nia New")
    contact = care.circle_invite(actor=cast.member, plan=plan, member=newcomer)
    services.trust_recompute(cast.community)
    client.force_login(newcomer)
    url = reverse("care:circle_action", args=[contact.public_id, "accept"])
    response = client.post(url)
    assert response.status_code == 403
    assert "vouch" in response.content.decode()
    assert CircleContact.objects.get(pk=contact.pk).status == "invited"


def test_a_contact_who_falls_below_the_gate_is_flagged_and_kept_in_the_circle(cast):
    # given a known member who accepted a place in a circle
    plan = _plan(cast)
    friend = member(cast.community, "Kit Known")
    v = vouch(cast.community, cast.steward, friend)
    contact = care.circle_invite(actor=cast.member, plan=plan, member=friend)
    services.trust_recompute(cast.community)
    care.circle_accept(member=friend, contact=contact)
    # when the vouch is revoked and trust recomputed
    services.vouch_revoke(actor=cast.steward, vouch=v)
    services.trust_recompute(cast.community)
    # then the plan is flagged to coordinators and the contact is still there, accepted
    plan.refresh_from_db()
    contact.refresh_from_db()
    assert services.trust_level_of(friend, cast.community) == "new"
    assert plan.is_flagged and "trust" in plan.flag_reason
    assert contact.status == "accepted"


def test_a_trust_flag_survives_other_circle_changes_until_trust_returns(cast):
    # given a plan flagged because its only member contact fell below the gate
    plan = _plan(cast)
    friend = member(cast.community, "Kit Known")
    v = vouch(cast.community, cast.steward, friend)
    contact = care.circle_invite(actor=cast.member, plan=plan, member=friend)
    services.trust_recompute(cast.community)
    care.circle_accept(member=friend, contact=contact)
    services.vouch_revoke(actor=cast.steward, vouch=v)
    services.trust_recompute(cast.community)
    # when another change to the circle re-checks the flag (a second invitation declined)
    other = member(cast.community, "Ola Other")
    second = care.circle_invite(actor=cast.member, plan=plan, member=other)
    care.circle_decline(member=other, contact=second)
    care.circle_remove(actor=cast.member, contact=second)
    # then the trust flag is still up
    plan.refresh_from_db()
    assert plan.is_flagged and "trust" in plan.flag_reason
    # and once the contact is vouched for again, the sweep's next reminder lowers it instead
    vouch(cast.community, cast.steward, friend)
    services.trust_recompute(cast.community)
    assert services.trust_level_of(friend, cast.community) == "known"
    care.care_sweep(now=timezone.now() + dt.timedelta(days=2))
    plan.refresh_from_db()
    assert not plan.is_flagged


def test_a_member_rising_in_trust_does_not_flag_their_circle(cast):
    plan = _plan(cast)
    friend = member(cast.community, "Kit Known")
    vouch(cast.community, cast.steward, friend)
    contact = care.circle_invite(actor=cast.member, plan=plan, member=friend)
    services.trust_recompute(cast.community)
    care.circle_accept(member=friend, contact=contact)
    vouch(cast.community, cast.coordinator, friend)
    vouch(cast.community, cast.steward, cast.coordinator)
    services.trust_recompute(cast.community)
    plan.refresh_from_db()
    assert services.trust_level_of(friend, cast.community) == "trusted"
    assert not plan.is_flagged


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _done_by(cast, helper):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = exchange.need_self_assign(helper=helper, need=need)
    exchange.commitment_mark_done(actor=helper, commitment=commitment, hours=1)
    return commitment


def test_help_from_a_member_below_trusted_is_left_for_people_to_confirm(cast, clock):
    # given trust computed and a new helper whose help was marked done
    services.trust_recompute(cast.community)
    commitment = _done_by(cast, cast.caller)
    # when the sweep runs after the waiting time, nothing is confirmed automatically
    assert sweeps.auto_confirm_commitments(START + dt.timedelta(days=4)) == 0
    commitment.refresh_from_db()
    assert commitment.status == "done_pending" and commitment.auto_confirm_at is None
    # and the person can still confirm it themselves
    exchange.commitment_confirm(actor=cast.member, commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.status == "confirmed" and not commitment.auto_confirmed


def test_help_from_a_trusted_member_still_confirms_itself(cast, clock):
    services.trust_recompute(cast.community)
    commitment = _done_by(cast, cast.steward)
    assert sweeps.auto_confirm_commitments(START + dt.timedelta(days=4)) == 1
    commitment.refresh_from_db()
    assert commitment.status == "confirmed" and commitment.auto_confirmed
