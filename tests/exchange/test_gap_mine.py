"""My needs and my tasks: each member sees only their own, and no private details."""

from __future__ import annotations

import datetime as dt

import time_machine

from mutua.exchange import services
from mutua.exchange.selectors_mine import my_exchange
from tests.exchange.helpers import new_member, post_need

ADDRESS = "12 Hidden Lane"


def _loop(cast):
    """The member's need with the caller helping, a pending response from the coordinator,
    and a request waiting for the caller's offer."""
    need = post_need(
        cast.community,
        cast.member,
        allow_self_assign=True,
        helpers_wanted=2,
        address=ADDRESS,
        contact_phone="+44 7700 900123",
    )
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    response = services.response_create(helper=cast.coordinator, need=need, message="I can")
    offer = services.offer_post(owner=cast.caller, community=cast.community, title="Soup")
    request = services.offer_request_create(requester=cast.member, offer=offer)
    return need, commitment, response, request


def test_the_person_sees_their_needs_and_the_responses_to_answer(cast):
    need, _commitment, response, _request = _loop(cast)
    mine = my_exchange(viewer=cast.member)
    assert mine.needs == [need] and mine.needs[0].pending_responses == 1
    assert mine.responses == [response]
    assert mine.upcoming == [] and mine.offer_requests == []


def test_the_helper_sees_their_tasks_by_state_and_requests_for_their_offers(cast):
    _need, commitment, _response, request = _loop(cast)
    mine = my_exchange(viewer=cast.caller)
    assert mine.needs == [] and mine.responses == []
    assert mine.upcoming == [commitment] and mine.to_mark_done == []
    assert mine.offer_requests == [request]
    with time_machine.travel(commitment.due_at + dt.timedelta(minutes=1)):
        assert my_exchange(viewer=cast.caller).to_mark_done == [commitment]
    services.commitment_mark_done(actor=cast.member, commitment=commitment, hours=1)
    mine = my_exchange(viewer=cast.caller)
    assert mine.to_confirm == [commitment] and mine.upcoming == []
    assert my_exchange(viewer=cast.member).to_confirm == []  # they marked it: the helper confirms


def test_a_bystander_sees_nothing_of_other_peoples_exchange(cast):
    _loop(cast)
    bystander = new_member(cast.community, "Bea Bystander")
    mine = my_exchange(viewer=bystander)
    assert mine.counts == dict.fromkeys(mine.counts, 0)
    assert mine.waiting == 0


def test_the_page_lists_my_own_rows_without_private_details(cast, client):
    need, _commitment, _response, _request = _loop(cast)
    for viewer in (cast.member, cast.caller):
        client.force_login(viewer)
        page = client.get("/me/help/").content.decode()
        assert need.title in page
        assert ADDRESS not in page and "900123" not in page
    client.force_login(new_member(cast.community, "Bea Bystander"))
    page = client.get("/me/help/").content.decode()
    assert need.title not in page and "Soup" not in page


def test_the_page_needs_a_sign_in(client, db):
    assert client.get("/me/help/").status_code == 302


def test_the_dashboard_counts_and_links_the_next_items(cast, client):
    need, _commitment, _response, _request = _loop(cast)
    client.force_login(cast.member)
    page = client.get("/").content.decode()
    assert "1 open need" in page and "1 offer of help to answer" in page
    assert f"/c/{cast.community.slug}/needs/{need.public_id}/" in page
    assert ADDRESS not in page


def test_the_lists_take_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for _ in range(3):
        _loop(cast)
    with django_assert_max_num_queries(8):
        mine = my_exchange(viewer=cast.member)
        [n.skills.all() for n in mine.needs]
    assert len(mine.needs) == 3


def test_the_api_lists_my_needs_tasks_and_requests(cast, client):
    need, commitment, _response, request = _loop(cast)
    client.force_login(cast.member)
    needs = client.get("/api/v1/me/needs").json()["items"]
    assert [(n["id"], n["pending_responses"]) for n in needs] == [(need.public_id, 1)]
    assert "address" not in needs[0]
    client.force_login(cast.caller)
    assert client.get("/api/v1/me/needs").json()["items"] == []
    upcoming = client.get("/api/v1/me/commitments?state=upcoming").json()["items"]
    assert [c["id"] for c in upcoming] == [commitment.public_id]
    assert client.get("/api/v1/me/commitments?state=to_confirm").json()["items"] == []
    asked = client.get("/api/v1/me/offer-requests").json()["items"]
    assert [r["id"] for r in asked] == [request.public_id]
    client.force_login(cast.coordinator)
    assert client.get("/api/v1/me/offer-requests").json()["items"] == []
