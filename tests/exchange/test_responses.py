"""Responses, acceptance, self-assignment, coordinator assignment and requirements."""

from __future__ import annotations

import datetime as dt

import pytest

from mutua.core.errors import Conflict, PermissionDenied
from mutua.exchange import services
from mutua.exchange.models import Commitment, Response
from mutua.people.models import Profile
from tests.exchange.helpers import kinds_for, new_member, post_need


def test_helper_responds_and_the_person_accepts(cast):
    # given a need and a member who offers to help
    need = post_need(cast.community, cast.member)
    response = services.response_create(
        helper=cast.caller, need=need, message="I can do it", proposed_time="Tuesday afternoon"
    )
    assert "exchange_response_new" in kinds_for(cast.member)
    # when the person accepts
    commitment = services.response_accept(actor=cast.member, response=response)
    # then there is a commitment, the need is committed and the helper is told
    need.refresh_from_db()
    assert commitment.helper == cast.caller and commitment.status == "active"
    assert need.status == "committed"
    assert "exchange_response_accepted" in kinds_for(cast.caller)
    assert commitment.release_at == commitment.due_at + dt.timedelta(hours=24)


def test_coordinator_may_accept_a_response_but_another_member_may_not(cast):
    need = post_need(cast.community, cast.member)
    response = services.response_create(helper=cast.caller, need=need)
    other = new_member(cast.community, "Other Member")
    with pytest.raises(PermissionDenied):
        services.response_accept(actor=other, response=response)
    assert not Commitment.objects.exists()
    services.response_accept(actor=cast.coordinator, response=response)
    assert Commitment.objects.count() == 1


def test_person_cannot_respond_to_their_own_need(cast):
    need = post_need(cast.community, cast.member)
    with pytest.raises(PermissionDenied):
        services.response_create(helper=cast.member, need=need)


def test_outsider_cannot_respond(cast):
    need = post_need(cast.community, cast.member)
    with pytest.raises(PermissionDenied):
        services.response_create(helper=cast.outsider, need=need)
    assert not Response.objects.exists()


def test_helper_without_a_car_cannot_respond_to_a_ride(cast):
    need = post_need(cast.community, cast.member, kind="ride", requirements=["car"])
    with pytest.raises(PermissionDenied) as exc:
        services.response_create(helper=cast.caller, need=need)
    assert "car" in exc.value.message
    Profile.objects.filter(user=cast.caller).update(has_car=True)
    services.response_create(helper=cast.caller, need=need)


def test_unvetted_helper_cannot_be_assigned_to_a_need_asking_for_vetting(cast):
    need = post_need(cast.community, cast.member, requirements=["vetted"])
    with pytest.raises(PermissionDenied):
        services.commitment_assign(actor=cast.coordinator, need=need, helper=cast.caller)
    vetted = new_member(
        cast.community, "Vera Vetted", vetted_until=dt.date.today() + dt.timedelta(days=30)
    )
    services.commitment_assign(actor=cast.coordinator, need=need, helper=vetted)


def test_helper_on_a_break_is_refused(cast):
    Profile.objects.filter(user=cast.caller).update(capacity_status="break")
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    with pytest.raises(PermissionDenied):
        services.need_self_assign(helper=cast.caller, need=need)


def test_self_assign_needs_the_persons_permission(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=False)
    with pytest.raises(PermissionDenied):
        services.need_self_assign(helper=cast.caller, need=need)
    assert not Commitment.objects.exists()


def test_member_cannot_assign_helpers(cast):
    need = post_need(cast.community, cast.member)
    with pytest.raises(PermissionDenied):
        services.commitment_assign(actor=cast.caller, need=need, helper=cast.steward)


def test_full_need_refuses_a_second_helper_with_a_clear_answer(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    services.need_self_assign(helper=cast.caller, need=need)
    with pytest.raises(Conflict) as exc:
        services.need_self_assign(helper=cast.coordinator, need=need)
    assert "taken" in exc.value.message
    assert Commitment.objects.count() == 1


def test_partly_committed_then_committed(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=2)
    services.need_self_assign(helper=cast.caller, need=need)
    need.refresh_from_db()
    assert need.status == "partly_committed"
    services.need_self_assign(helper=cast.coordinator, need=need)
    need.refresh_from_db()
    assert need.status == "committed"


def test_helper_release_frees_the_place_and_tells_the_person(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_release(actor=cast.caller, commitment=commitment, reason="ill")
    need.refresh_from_db()
    assert need.status == "open"
    assert "exchange_commitment_released" in kinds_for(cast.member)


def test_declined_response_cannot_be_accepted_later(cast):
    need = post_need(cast.community, cast.member)
    response = services.response_create(helper=cast.caller, need=need)
    services.response_decline(actor=cast.member, response=response)
    with pytest.raises(Conflict):
        services.response_accept(actor=cast.member, response=response)
