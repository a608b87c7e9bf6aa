"""Offers and needs meet: suggested both ways, to the offer's owner when they post, never
across a block."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from mutua.exchange.services import offer_post
from mutua.matching import arrays, meet, suggestions
from mutua.matching.models import OfferOutreach
from mutua.notify.models import Notification
from mutua.people.services import api_token_create
from mutua.trust.safeguarding import block_create
from tests.exchange.helpers import new_member, post_need


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def shopping_offer(owner, community):
    return offer_post(
        owner=owner, community=community, title="Weekly shopping trips", kind="errand"
    )


def shopping_need(community, author):
    return post_need(community, author, title="Shopping this week", kind="errand")


def _render(tag: str, user, **objects) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load matching_tags %}" + tag)
    return template.render(Context({"request": request, **objects}))


def test_a_blocked_persons_offer_is_not_suggested_for_a_need(client, cast):
    # given an offer that fits the member's need, from someone the member blocked
    giver = new_member(cast.community, "Giver")
    offer = shopping_offer(giver, cast.community)
    need = shopping_need(cast.community, cast.member)
    assert meet.offers_for_need(viewer=cast.member, need=need) == [offer]
    block_create(user=cast.member, other=giver)
    # then neither the member nor a coordinator looking at the need sees it suggested
    assert meet.offers_for_need(viewer=cast.member, need=need) == []
    assert meet.offers_for_need(viewer=cast.coordinator, need=need) == []
    # nor does the API, nor the need page
    r = client.get(f"/api/v1/needs/{need.public_id}/matching-offers", **_auth(cast.member))
    assert r.status_code == 200 and r.json() == []
    assert offer.title not in _render("{% matching_for_need need %}", cast.member, need=need)


def test_a_need_from_someone_who_blocked_the_offers_owner_is_not_suggested(cast):
    giver = new_member(cast.community, "Giver")
    offer = shopping_offer(giver, cast.community)
    need = shopping_need(cast.community, cast.member)
    assert meet.needs_for_offer(viewer=giver, offer=offer) == [need]
    block_create(user=cast.member, other=giver)  # the need's person blocked the owner
    assert meet.needs_for_offer(viewer=giver, offer=offer) == []
    assert meet.needs_for_offer(viewer=cast.coordinator, offer=offer) == []


def test_the_offer_page_shows_its_owner_the_needs_it_could_meet(cast):
    giver = new_member(cast.community, "Giver")
    offer = shopping_offer(giver, cast.community)
    need = shopping_need(cast.community, cast.member)
    page = _render("{% matching_for_offer offer %}", giver, offer=offer)
    assert "Needs this offer could meet" in page and need.title in page
    assert need.public_id in page
    # another member looking at the offer is not shown a list of other people's needs
    assert need.title not in _render("{% matching_for_offer offer %}", cast.caller, offer=offer)


def test_the_owner_of_a_new_offer_hears_once_which_needs_it_could_meet(cast):
    # given an open need, and then a new offer that fits it
    need = shopping_need(cast.community, cast.member)
    giver = new_member(cast.community, "Giver")
    offer = shopping_offer(giver, cast.community)
    # when the outreach sweep runs twice
    suggestions.outreach_sweep()
    suggestions.outreach_sweep()
    # then the owner got one notification naming the need, and the outreach is recorded
    [note] = Notification.objects.filter(recipient=giver, kind="matching_needs_for_offer")
    assert need.title in note.body and offer.title in note.title
    assert OfferOutreach.objects.get(offer=offer).needs == [need.public_id]


def test_an_offer_that_fits_no_need_sends_nothing(cast):
    giver = new_member(cast.community, "Giver")
    offer = offer_post(
        owner=giver, community=cast.community, title="Piano lessons", kind="knowledge"
    )
    suggestions.outreach_sweep()
    assert not Notification.objects.filter(recipient=giver, kind="matching_needs_for_offer")
    assert OfferOutreach.objects.get(offer=offer).needs == []


def test_api_lists_needs_an_offer_could_meet(client, cast):
    giver = new_member(cast.community, "Giver")
    offer = shopping_offer(giver, cast.community)
    need = shopping_need(cast.community, cast.member)
    r = client.get(f"/api/v1/offers/{offer.public_id}/matching-needs", **_auth(giver))
    assert r.status_code == 200, r.content
    assert [n["id"] for n in r.json()] == [need.public_id]
    r = client.get(f"/api/v1/offers/{offer.public_id}/matching-needs", **_auth(cast.outsider))
    assert r.status_code in (403, 404)
