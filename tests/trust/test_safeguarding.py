"""Blocks, concerns, the coordinators' review and suspension."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.models import Membership
from mutua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import selectors as exchange_selectors
from mutua.exchange import services as exchange
from mutua.people.services import api_token_create
from mutua.trust import safeguarding, selectors
from mutua.trust.models import Concern


def test_blocking_hides_needs_and_offers_both_ways(cast):
    need = exchange.need_post(actor=cast.member, community=cast.community, title="Soup")
    offer = exchange.offer_post(owner=cast.caller, community=cast.community, title="Ladder")
    safeguarding.block_create(user=cast.member, other=cast.caller)
    assert safeguarding.is_blocked(cast.caller, cast.member)
    assert need not in exchange_selectors.need_list(viewer=cast.caller, community=cast.community)
    assert offer not in exchange_selectors.offer_list(viewer=cast.member, community=cast.community)
    assert need in exchange_selectors.need_list(viewer=cast.coordinator, community=cast.community)


def test_unblocking_shows_them_again(cast):
    need = exchange.need_post(actor=cast.member, community=cast.community, title="Soup")
    safeguarding.block_create(user=cast.caller, other=cast.member)
    safeguarding.block_remove(user=cast.caller, other=cast.member)
    assert not safeguarding.is_blocked(cast.caller, cast.member)
    assert need in exchange_selectors.need_list(viewer=cast.caller, community=cast.community)


def test_blocking_yourself_is_refused(cast):
    with pytest.raises(ValidationFailed):
        safeguarding.block_create(user=cast.member, other=cast.member)


def test_a_concern_reaches_coordinators_privately_and_is_safeguarding_only(cast):
    concern = safeguarding.concern_report(
        reporter=cast.member,
        community=cast.community,
        text="He asked for money.",
        about=cast.caller,
    )
    queue = selectors.concern_queue(viewer=cast.coordinator, community=cast.community)
    assert list(queue) == [concern]
    entry = AuditEntry.objects.get(action="safeguarding.concern")
    assert entry.is_safeguarding and entry.subject == cast.caller
    with pytest.raises(PermissionDenied):
        selectors.concern_queue(viewer=cast.member, community=cast.community)


def test_an_empty_concern_is_refused_and_nothing_is_written(cast):
    with pytest.raises(ValidationFailed):
        safeguarding.concern_report(reporter=cast.member, community=cast.community, text="  ")
    assert not Concern.objects.exists()


def test_outsiders_cannot_report_concerns(cast):
    with pytest.raises(PermissionDenied):
        safeguarding.concern_report(reporter=cast.outsider, community=cast.community, text="x")


def test_review_leaves_the_queue_and_cannot_be_done_twice(cast):
    concern = safeguarding.concern_report(reporter=cast.member, community=cast.community, text="x")
    with pytest.raises(PermissionDenied):
        safeguarding.concern_review(actor=cast.caller, concern=concern, outcome="Talked")
    safeguarding.concern_review(actor=cast.coordinator, concern=concern, outcome="Talked to both")
    assert not selectors.concern_queue(viewer=cast.coordinator, community=cast.community).exists()
    with pytest.raises(Conflict):
        safeguarding.concern_review(actor=cast.coordinator, concern=concern, outcome="again")


def test_suspension_is_audit_logged_as_safeguarding_and_ends_access(cast):
    membership = Membership.objects.get(user=cast.member, community=cast.community)
    safeguarding.membership_suspend(actor=cast.coordinator, membership=membership, reason="Review")
    membership.refresh_from_db()
    assert membership.status == "suspended"
    entry = AuditEntry.objects.get(action="safeguarding.suspend")
    assert entry.is_safeguarding and entry.reason == "Review"
    with pytest.raises(PermissionDenied):
        exchange_selectors.need_list(viewer=cast.member, community=cast.community)


def test_members_and_callers_cannot_suspend_and_coordinators_cannot_suspend_staff(cast):
    member = Membership.objects.get(user=cast.member, community=cast.community)
    with pytest.raises(PermissionDenied):
        safeguarding.membership_suspend(actor=cast.caller, membership=member, reason="x")
    steward = Membership.objects.get(user=cast.steward, community=cast.community)
    with pytest.raises(PermissionDenied):
        safeguarding.membership_suspend(actor=cast.coordinator, membership=steward, reason="x")
    assert not AuditEntry.objects.filter(action="safeguarding.suspend").exists()


def test_a_block_hides_need_and_offer_detail_and_direct_links_both_ways(cast, client):
    # given a need by the member, an offer by the caller, and the member blocking the caller
    need = exchange.need_post(actor=cast.member, community=cast.community, title="Soup")
    offer = exchange.offer_post(owner=cast.caller, community=cast.community, title="Ladder")
    safeguarding.block_create(user=cast.member, other=cast.caller)
    # then the selectors refuse the other's need and offer as if they did not exist
    with pytest.raises(NotFound):
        exchange_selectors.need_get(viewer=cast.caller, public_id=need.public_id)
    with pytest.raises(NotFound):
        exchange_selectors.offer_get(viewer=cast.member, public_id=offer.public_id)
    # and the pages and the API answer 404
    client.force_login(cast.caller)
    page = client.get(reverse("exchange:need_detail", args=["riverside", need.public_id]))
    assert page.status_code == 404
    _token, secret = api_token_create(user=cast.caller, name="test")
    api = client.get(f"/api/v1/needs/{need.public_id}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 404
    client.force_login(cast.member)
    page = client.get(reverse("exchange:offer_detail", args=["riverside", offer.public_id]))
    assert page.status_code == 404
    # while the owners themselves and everyone else still see them
    assert exchange_selectors.need_get(viewer=cast.member, public_id=need.public_id) == need
    assert exchange_selectors.offer_get(viewer=cast.coordinator, public_id=offer.public_id) == offer
