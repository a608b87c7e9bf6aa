"""A member who is removed, suspended or deletes their account leaves nothing live behind in
the exchange: no place nobody will fill, no offer nobody will honour, no private details."""

from __future__ import annotations

import pytest

from mutua.communities.models import Membership
from mutua.communities.services import membership_remove
from mutua.core.permissions import forget_memberships
from mutua.exchange import selectors, services
from mutua.exchange.models import Commitment, Feedback, Need, NeedPrivate, Offer, Response
from mutua.people.services import account_delete, account_export
from mutua.trust.models import TrustSettings
from tests.exchange.helpers import kinds_for, new_member, post_need
from tests.factories import add_member, make_community

RELEASED = "exchange_commitment_released"


@pytest.fixture
def helper(cast):
    TrustSettings.objects.update_or_create(
        community=cast.community, defaults={"gates_enabled": False}
    )
    return new_member(cast.community, "Bad Helper")


@pytest.fixture
def busy(cast, helper):
    """The helper holds a place, has an open offer and a pending offer of help."""
    need = post_need(cast.community, cast.member, allow_self_assign=True, address="12 Mill")
    commitment = services.need_self_assign(helper=helper, need=need)
    offer = services.offer_post(owner=helper, community=cast.community, title="Lifts anytime")
    asked = services.response_create(helper=helper, need=post_need(cast.community, cast.member))
    return need, commitment, offer, asked


# ---- 6. removal or suspension (what the membership hook calls) ------------------------------


def test_a_removed_helpers_place_is_given_back_and_the_person_and_coordinators_told(
    cast, helper, busy
):
    need, commitment, offer, asked = busy
    membership = Membership.objects.get(user=helper, community=cast.community)
    membership_remove(actor=cast.coordinator, membership=membership, reason="concern")
    # (the removal ran the exchange's membership hook; running it again changes nothing)
    services.exchange_membership_end(user=helper, community=cast.community)

    commitment.refresh_from_db()
    need.refresh_from_db()
    assert commitment.status == "released" and need.status == "open"
    assert Offer.objects.get(pk=offer.pk).status == "closed"
    assert Response.objects.get(pk=asked.pk).status == "withdrawn"
    assert RELEASED in kinds_for(cast.member) and RELEASED in kinds_for(cast.coordinator)
    assert list(selectors.offer_list(viewer=cast.member, community=cast.community)) == []
    assert selectors.need_private_for(viewer=helper, need=need) is None


def test_a_suspended_helper_loses_the_persons_details_at_once(cast, helper, busy):
    need, _commitment, _offer, _asked = busy
    assert selectors.need_private_for(viewer=helper, need=need)["address"] == "12 Mill"
    Membership.objects.filter(user=helper, community=cast.community).update(status="suspended")
    forget_memberships(helper)

    assert selectors.need_private_for(viewer=helper, need=need) is None


def test_ending_a_membership_leaves_other_communities_and_done_help_alone(cast, helper, busy):
    _need, commitment, _offer, _asked = busy
    other = make_community(name="Hillside", slug="hillside")
    add_member(other, helper)
    add_member(other, cast.member)
    TrustSettings.objects.update_or_create(community=other, defaults={"gates_enabled": False})
    there = services.need_self_assign(
        helper=helper, need=post_need(other, cast.member, allow_self_assign=True)
    )
    services.commitment_mark_done(actor=helper, commitment=commitment, hours="1")

    released = services.exchange_membership_end(user=helper, community=cast.community)

    assert released == []
    assert Commitment.objects.get(pk=commitment.pk).status == "done_pending"
    assert Commitment.objects.get(pk=there.pk).status == "active"
    # and running it again changes nothing
    assert services.exchange_membership_end(user=helper, community=cast.community) == []


# ---- 7. account deletion ---------------------------------------------------------------------


def test_the_export_holds_the_members_exchange_data(cast, helper, busy):
    need, commitment, _offer, _asked = busy
    services.feedback_give(actor=helper, commitment=commitment, kind="thanks", text="Lovely")

    mine = account_export(user=cast.member)
    theirs = account_export(user=helper)

    assert mine["needs"][0]["id"] == need.public_id
    assert mine["needs"][0]["private"]["address"] == "12 Mill"
    assert mine["thanks_and_feedback"][0]["direction"] == "received"
    assert theirs["offers"][0]["title"] == "Lifts anytime"
    assert theirs["offers_of_help"][0]["status"] == "pending"
    assert theirs["commitments"][0]["side"] == "helper"
    assert "Member Person" not in str(theirs)


def test_deleting_the_persons_account_erases_private_details_and_cancels_live_needs(
    cast, helper, busy
):
    need, commitment, _offer, _asked = busy
    services.feedback_give(actor=helper, commitment=commitment, kind="thanks", text="Hi Maria")

    account_delete(user=cast.member)

    need.refresh_from_db()
    assert not NeedPrivate.objects.filter(need__author_id=cast.member.pk).exists()
    assert set(Need.objects.filter(author_id=cast.member.pk).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert need.description == ""
    assert Commitment.objects.get(pk=commitment.pk).status == "cancelled"
    assert Feedback.objects.get().text == ""


def test_deleting_the_helpers_account_gives_places_back_and_closes_offers(cast, helper, busy):
    need, commitment, offer, asked = busy

    account_delete(user=helper)

    assert Commitment.objects.get(pk=commitment.pk).status == "released"
    assert Need.objects.get(pk=need.pk).status == "open"
    assert Offer.objects.get(pk=offer.pk).status == "closed"
    assert Response.objects.get(pk=asked.pk).status == "withdrawn"


@pytest.mark.parametrize("how", ["leave", "suspend"])
def test_leaving_or_being_suspended_gives_the_places_back_through_the_hook(cast, helper, busy, how):
    from mutua.communities.services import membership_leave
    from mutua.trust.safeguarding import membership_suspend

    need, commitment, offer, _asked = busy
    if how == "leave":
        membership_leave(user=helper, community=cast.community)
    else:
        membership = Membership.objects.get(user=helper, community=cast.community)
        membership_suspend(actor=cast.coordinator, membership=membership, reason="concern")

    commitment.refresh_from_db()
    assert commitment.status == "released"
    assert Need.objects.get(pk=need.pk).status == "open"
    assert Offer.objects.get(pk=offer.pk).status == "closed"
