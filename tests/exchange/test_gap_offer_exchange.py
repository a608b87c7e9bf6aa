"""An accepted offer request becomes a private, committed need the whole loop runs on."""

from __future__ import annotations

import pytest

from mutua.core.errors import Conflict, NotFound, PermissionDenied
from mutua.exchange import selectors, services
from mutua.exchange.models import Commitment, Need, OfferRequest
from mutua.ledger.services import ledger_configure
from tests.exchange.helpers import kinds_for, new_member
from tests.ledger.helpers import balance


def _offer(cast, **kwargs):
    kwargs.setdefault("title", "Lifts to the clinic")
    return services.offer_post(
        owner=cast.caller, community=cast.community, kind="ride", category="", **kwargs
    )


def _asked(cast, **kwargs):
    offer = _offer(cast, **kwargs)
    request = services.offer_request_create(
        requester=cast.member, offer=offer, message="Thursday morning, please"
    )
    return offer, request


def test_accepting_a_request_commits_the_owner_to_a_private_need_of_the_requester(cast):
    offer, request = _asked(cast)
    services.offer_request_answer(actor=cast.caller, request=request, accept=True)
    need = Need.objects.get(offer_request=request)
    commitment = Commitment.objects.get(need=need)
    assert need.author == cast.member and need.is_private
    assert (need.title, need.kind, need.status) == ("Lifts to the clinic", "ride", "committed")
    assert commitment.helper == cast.caller and commitment.status == "active"
    offer.refresh_from_db()
    assert offer.status == "open"  # an offer given more than once stays open
    assert "exchange_offer_answered" in kinds_for(cast.member)
    assert "exchange_response_accepted" in kinds_for(cast.caller)


def test_the_private_need_is_seen_by_the_two_and_coordinators_only(cast):
    _, request = _asked(cast)
    services.offer_request_answer(actor=cast.caller, request=request, accept=True)
    need = Need.objects.get(offer_request=request)
    for viewer in (cast.member, cast.caller, cast.coordinator):
        assert selectors.need_get(viewer=viewer, public_id=need.public_id) == need
    bystander = new_member(cast.community, "Bea Bystander")
    with pytest.raises(NotFound):
        selectors.need_get(viewer=bystander, public_id=need.public_id)
    with pytest.raises(NotFound):
        selectors.need_share_summary(viewer=bystander, public_id=need.public_id)
    listed = selectors.need_list(
        viewer=cast.coordinator,
        community=cast.community,
        filters=selectors.NeedFilters(status="all"),
    )
    assert need not in listed
    assert need not in [
        n
        for n, _phone in selectors.dispatch_call_list(
            viewer=cast.coordinator, community=cast.community
        )
    ]


def test_completion_of_an_accepted_request_credits_the_owner_through_the_ledger(cast):
    ledger_configure(actor=cast.steward, community=cast.community, is_enabled=True)
    _, request = _asked(cast)
    services.offer_request_answer(actor=cast.caller, request=request, accept=True)
    commitment = Commitment.objects.get(need__offer_request=request)
    services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours="2")
    services.commitment_confirm(actor=cast.member, commitment=commitment)
    services.feedback_give(actor=cast.member, commitment=commitment, kind="thanks", text="Thanks!")
    assert balance(cast.community, cast.caller) == 120
    assert balance(cast.community, cast.member) == -120
    assert "exchange_thanks" in kinds_for(cast.caller)


def test_a_one_off_offer_closes_and_its_other_requests_are_declined(cast):
    offer, request = _asked(cast, is_one_off=True)
    other = services.offer_request_create(requester=cast.coordinator, offer=offer, message="Me too")
    services.offer_request_answer(actor=cast.caller, request=request, accept=True)
    offer.refresh_from_db()
    other.refresh_from_db()
    assert offer.status == "closed" and other.status == "declined"
    assert "exchange_offer_answered" in kinds_for(cast.coordinator)


def test_declining_a_request_creates_nothing(cast):
    _, request = _asked(cast)
    services.offer_request_answer(actor=cast.caller, request=request, accept=False)
    request.refresh_from_db()
    assert request.status == "declined"
    assert not Need.objects.exists() and not Commitment.objects.exists()


def test_a_third_member_cannot_answer_and_nothing_changes(cast):
    _, request = _asked(cast)
    for actor in (new_member(cast.community, "Tess Third"), cast.member):
        with pytest.raises(PermissionDenied):
            services.offer_request_answer(actor=actor, request=request, accept=True)
    assert OfferRequest.objects.get().status == "pending"
    assert not Need.objects.exists()


def test_answering_twice_is_a_clear_conflict(cast):
    _, request = _asked(cast)
    services.offer_request_answer(actor=cast.caller, request=request, accept=True)
    with pytest.raises(Conflict) as exc:
        services.offer_request_answer(actor=cast.caller, request=request, accept=False)
    assert "already been answered" in exc.value.message
    assert Need.objects.count() == 1 and Commitment.objects.count() == 1


def test_accepting_on_the_web_leads_to_the_task(cast, client):
    offer, request = _asked(cast)
    client.force_login(cast.caller)
    response = client.post(
        f"/c/{cast.community.slug}/offers/{offer.public_id}/yes/",
        {"request": request.public_id},
    )
    need = Need.objects.get(offer_request=request)
    assert response.status_code == 302
    assert response["Location"] == f"/c/{cast.community.slug}/needs/{need.public_id}/"


def test_accepting_over_the_api_makes_the_commitment(cast, client):
    _, request = _asked(cast)
    client.force_login(cast.caller)
    response = client.post(f"/api/v1/offer-requests/{request.public_id}/accept")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert Commitment.objects.get(need__offer_request=request).helper == cast.caller
