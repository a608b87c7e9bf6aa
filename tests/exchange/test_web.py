"""Exchange pages: the loop on the web, refusals, privacy per surface and query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.exchange import services
from mutua.exchange.models import Commitment, Feedback, Need
from mutua.people.services import sensitive_update
from tests.exchange.helpers import post_need


def test_member_posts_another_responds_the_first_accepts_both_finish_and_thank(client, cast):
    slug = cast.community.slug
    client.force_login(cast.member)
    # a member posts a need
    r = client.post(
        reverse("exchange:need_new", args=[slug]),
        {
            "title": "Carry boxes upstairs",
            "kind": "errand",
            "urgency": "week",
            "helpers_wanted": 1,
            "address": "3 Elm Road",
        },
    )
    need = Need.objects.get()
    assert r.status_code == 302
    # another responds
    client.force_login(cast.caller)
    page = client.get(reverse("exchange:need_detail", args=[slug, need.public_id]))
    assert b"3 Elm Road" not in page.content
    client.post(
        reverse("exchange:need_action", args=[slug, need.public_id, "respond"]),
        {"proposed_time": "Saturday morning"},
    )
    # the first accepts
    client.force_login(cast.member)
    response = need.responses.get()
    client.post(
        reverse("exchange:need_action", args=[slug, need.public_id, "accept"]),
        {"response": response.public_id},
    )
    commitment = Commitment.objects.get()
    # the helper now sees the address, marks done; the person confirms and thanks
    client.force_login(cast.caller)
    assert (
        b"3 Elm Road"
        in client.get(reverse("exchange:need_detail", args=[slug, need.public_id])).content
    )
    client.post(
        reverse("exchange:need_action", args=[slug, need.public_id, "done"]),
        {"commitment": commitment.public_id, "hours": "2"},
    )
    client.force_login(cast.member)
    client.post(
        reverse("exchange:need_action", args=[slug, need.public_id, "confirm"]),
        {"commitment": commitment.public_id},
    )
    client.post(
        reverse("exchange:need_action", args=[slug, need.public_id, "thanks"]),
        {"commitment": commitment.public_id, "text": "You are a star"},
    )
    commitment.refresh_from_db()
    assert commitment.status == "confirmed"
    assert Feedback.objects.get().recipient == cast.caller
    client.force_login(cast.caller)
    assert (
        b"You are a star"
        in client.get(reverse("exchange:need_detail", args=[slug, need.public_id])).content
    )


def test_bad_need_form_shows_field_errors_and_writes_nothing(client, cast):
    client.force_login(cast.member)
    r = client.post(
        reverse("exchange:need_new", args=[cast.community.slug]),
        {"title": "x", "kind": "errand", "urgency": "week", "helpers_wanted": 1},
    )
    assert r.status_code == 200
    assert r.context["form"].errors["title"]
    assert not Need.objects.exists()


def test_outsider_is_refused_the_needs_list(client, cast):
    client.force_login(cast.outsider)
    r = client.get(reverse("exchange:need_list", args=[cast.community.slug]))
    assert r.status_code == 403


def test_urgent_need_shows_the_emergency_number(client, cast):
    need = post_need(cast.community, cast.member, urgency="immediate")
    client.force_login(cast.caller)
    r = client.get(reverse("exchange:need_detail", args=[cast.community.slug, need.public_id]))
    assert cast.community.emergency_number.encode() in r.content


def test_share_link_shows_no_sensitive_details_and_nothing_to_outsiders(client, cast):
    need = post_need(
        cast.community, cast.member, address="9 Secret Close", description="Public bit"
    )
    client.force_login(cast.caller)
    r = client.get(reverse("exchange:need_share", args=[need.public_id]))
    assert b"Public bit" in r.content and b"9 Secret Close" not in r.content
    client.force_login(cast.outsider)
    r = client.get(reverse("exchange:need_share", args=[need.public_id]))
    assert need.title.encode() not in r.content and b"Public bit" not in r.content


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_page_never_shows_addresses_and_its_queries_do_not_grow(client, cast):
    post_need(cast.community, cast.member, title="Need 0", address="0 Hidden Way")
    client.force_login(cast.coordinator)
    url = reverse("exchange:need_list", args=[cast.community.slug])
    client.get(url)
    one = _queries(client, url)
    for i in range(1, 6):
        post_need(cast.community, cast.member, title=f"Need {i}", address=f"{i} Hidden Way")
    assert _queries(client, url) == one
    r = client.get(url)
    assert b"Hidden Way" not in r.content
    assert r.content.count(b"card need") == 6


def test_dispatch_board_is_for_coordinators_and_assigns(client, cast):
    need = post_need(cast.community, cast.member)
    client.force_login(cast.caller)
    assert client.get(reverse("exchange:dispatch", args=[cast.community.slug])).status_code == 403
    client.force_login(cast.coordinator)
    r = client.get(reverse("exchange:dispatch", args=[cast.community.slug]))
    assert need.title.encode() in r.content
    helper = cast.community.memberships.get(user=cast.caller)
    client.post(
        reverse("exchange:dispatch_assign", args=[cast.community.slug]),
        {"need": need.public_id, "helper": helper.public_id},
    )
    assert Commitment.objects.get().helper == cast.caller


def test_call_list_shows_phones_to_callers_only(client, cast):
    sensitive_update(user=cast.member, phone="+441234567890")
    post_need(cast.community, cast.member)
    url = reverse("exchange:call_list", args=[cast.community.slug])
    client.force_login(cast.caller)
    assert b"+441234567890" in client.get(url).content
    # a plain member and an outsider are refused, and see no phone
    for user in (cast.member, cast.outsider):
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == 403 and b"+441234567890" not in r.content


@pytest.mark.parametrize("action", ["ask"])
def test_member_asks_for_an_offer_and_the_owner_answers(client, cast, action):
    offer = services.offer_post(owner=cast.member, community=cast.community, title="Ladder to lend")
    client.force_login(cast.caller)
    client.post(
        reverse("exchange:offer_action", args=[cast.community.slug, offer.public_id, action]),
        {"message": "Could I borrow it Friday?"},
    )
    req = offer.requests.get()
    client.force_login(cast.member)
    client.post(
        reverse("exchange:offer_action", args=[cast.community.slug, offer.public_id, "yes"]),
        {"request": req.public_id},
    )
    req.refresh_from_db()
    assert req.status == "accepted"
