"""API: the whole loop after a direct take, a coordinator's assignment or a link — reading
commitments with the thanks, feedback and expenses each viewer may see, and acting on them."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import Commitment, NeedPrivate, Offer
from mutua.people.services import api_token_create
from tests.exchange.helpers import new_member, post_need

JSON = "application/json"


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(client, url, body, auth):
    return client.post(url, body, content_type=JSON, **auth)


def test_after_a_direct_take_the_person_finds_confirms_and_thanks_and_the_helper_reads_it(
    client, cast
):
    # given a need the caller took directly and marked done with an expense
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours="1")
    services.expense_record(actor=cast.caller, commitment=commitment, amount="12.50")
    person, helper = _auth(cast.member), _auth(cast.caller)
    # when the person lists the need's commitments over the API
    listed = client.get(f"/api/v1/needs/{need.public_id}/commitments", **person).json()
    item = listed["items"][0]
    assert item["id"] == commitment.public_id and item["status"] == "done_pending"
    assert item["my_side"] == "person" and item["expenses"][0]["amount"] == "12.50"
    # then they confirm, thank and mark the expense repaid
    assert _post(client, f"/api/v1/commitments/{item['id']}/confirm", {}, person).status_code == 200
    body = {"kind": "thanks", "text": "Thank you, truly."}
    assert (
        _post(client, f"/api/v1/commitments/{item['id']}/feedback", body, person).status_code == 204
    )
    repaid = client.post(f"/api/v1/expenses/{item['expenses'][0]['id']}/repaid", **person)
    assert repaid.status_code == 200 and repaid.json()["repaid_at"]
    # and the helper reads the thanks on their own list
    mine = client.get("/api/v1/me/commitments?side=helper", **helper).json()["items"]
    assert [f["text"] for f in mine[0]["feedback"]] == ["Thank you, truly."]
    assert mine[0]["status"] == "confirmed" and mine[0]["my_side"] == "helper"


def test_private_feedback_and_expenses_are_not_shown_to_other_members(client, cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    services.expense_record(actor=cast.caller, commitment=commitment, amount="5")
    services.feedback_give(actor=cast.member, commitment=commitment, kind="feedback", text="Late")
    services.feedback_give(actor=cast.member, commitment=commitment, kind="thanks", text="Ta")
    other = new_member(cast.community, "Another Member")
    seen = client.get(f"/api/v1/needs/{need.public_id}/commitments", **_auth(other)).json()
    assert seen["items"][0]["feedback"] == [] and seen["items"][0]["expenses"] == []
    helper = client.get(f"/api/v1/commitments/{commitment.public_id}", **_auth(cast.caller)).json()
    assert [f["kind"] for f in helper["feedback"]] == ["thanks"]  # not the private feedback
    coordinator = client.get(
        f"/api/v1/commitments/{commitment.public_id}", **_auth(cast.coordinator)
    ).json()
    assert sorted(f["kind"] for f in coordinator["feedback"]) == ["feedback", "thanks"]
    assert (
        client.get(
            f"/api/v1/needs/{need.public_id}/commitments", **_auth(cast.outsider)
        ).status_code
        == 403
    )


def test_the_commitments_list_reads_in_a_fixed_number_of_queries(client, cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=5)
    for i in range(2):
        c = services.need_self_assign(helper=new_member(cast.community, f"H{i}"), need=need)
        services.feedback_give(actor=cast.member, commitment=c, kind="thanks", text="Thanks")
    auth = _auth(cast.member)
    url = f"/api/v1/needs/{need.public_id}/commitments"
    client.get(url, **auth)  # the token's first use is written once
    with CaptureQueriesContext(connection) as few:
        client.get(url, **auth)
    for i in range(3):
        c = services.need_self_assign(helper=new_member(cast.community, f"More {i}"), need=need)
        services.expense_record(actor=c.helper, commitment=c, amount="3")
    with CaptureQueriesContext(connection) as more:
        assert len(client.get(url, **auth).json()["items"]) == 5
    assert len(more) == len(few)


def test_me_commitments_lists_help_i_receive_and_help_i_give(client, cast):
    mine = post_need(cast.community, cast.member, allow_self_assign=True)
    services.need_self_assign(helper=cast.caller, need=mine)
    theirs = post_need(cast.community, cast.caller, allow_self_assign=True)
    services.need_self_assign(helper=cast.member, need=theirs)
    auth = _auth(cast.member)
    both = client.get("/api/v1/me/commitments", **auth).json()["items"]
    assert {c["need"] for c in both} == {mine.public_id, theirs.public_id}
    helped = client.get("/api/v1/me/commitments?side=person", **auth).json()["items"]
    assert [c["need"] for c in helped] == [mine.public_id]


def test_a_coordinator_assigns_one_helper_over_the_api_and_members_are_refused(client, cast):
    need = post_need(cast.community, cast.member)
    body = {"helper": cast.caller.public_id}
    refused = _post(client, f"/api/v1/needs/{need.public_id}/assign", body, _auth(cast.caller))
    assert refused.status_code == 403 and not Commitment.objects.exists()
    r = _post(client, f"/api/v1/needs/{need.public_id}/assign", body, _auth(cast.coordinator))
    assert r.status_code == 201, r.content
    assert r.json()["helper"] == cast.caller.public_id
    assert AuditEntry.objects.filter(action="need.assign").count() == 1
    bad = _post(client, f"/api/v1/needs/{need.public_id}/assign", {"helper": "0" * 16},
                _auth(cast.coordinator))  # fmt: skip
    assert bad.status_code == 422 and "helper" in bad.json()["errors"]


def test_a_coordinator_asks_a_helper_over_the_api_who_accepts_by_link(client, cast):
    from mutua.notify.models import Notification

    need = post_need(cast.community, cast.member)
    r = _post(client, f"/api/v1/needs/{need.public_id}/ask", {"helper": cast.caller.public_id},
              _auth(cast.coordinator))  # fmt: skip
    assert r.status_code == 204, r.content
    note = Notification.objects.get(recipient=cast.caller, kind="exchange_task_asked")
    assert len(note.actions) == 2
    refused = _post(client, f"/api/v1/needs/{need.public_id}/ask",
                     {"helper": cast.steward.public_id}, _auth(cast.member))  # fmt: skip
    assert refused.status_code == 403


def test_the_person_changes_private_details_over_the_api_and_only_given_fields_change(client, cast):
    need = post_need(cast.community, cast.member, address="1 Old Road", access_notes="Ring twice")
    r = client.patch(
        f"/api/v1/needs/{need.public_id}/private",
        {"address": "2 New Road"},
        content_type=JSON,
        **_auth(cast.member),
    )
    assert r.status_code == 200, r.content
    private = NeedPrivate.objects.get(need=need)
    assert (private.address, private.access_notes) == ("2 New Road", "Ring twice")
    refused = client.patch(
        f"/api/v1/needs/{need.public_id}/private",
        {"address": "3 Elsewhere"},
        content_type=JSON,
        **_auth(cast.caller),
    )
    assert refused.status_code == 403
    assert NeedPrivate.objects.get(need=need).address == "2 New Road"


def test_need_out_carries_area_skills_on_behalf_and_the_emergency_number_when_urgent(client, cast):
    from tests.factories import make_area

    area = make_area(cast.community, "North")
    urgent = post_need(cast.community, cast.member, urgency="immediate", service_area=area)
    calm = services.need_post(
        actor=cast.coordinator, community=cast.community, title="Shopping for Mrs Lee",
        on_behalf_name="Mrs Lee", consent_given=True,
    )  # fmt: skip
    auth = _auth(cast.caller)
    one = client.get(f"/api/v1/needs/{urgent.public_id}", **auth).json()
    assert one["service_area"] == area.slug and one["emergency_number"] == "112"
    assert one["is_on_behalf"] is False and one["skills"] == []
    other = client.get(f"/api/v1/needs/{calm.public_id}", **auth).json()
    assert other["emergency_number"] is None and other["is_on_behalf"] is True
    assert "gender_wanted" not in other


def test_offers_have_detail_close_skills_and_location_over_the_api(client, cast):
    from mutua.people.models import Skill

    skill = Skill.objects.get_or_create(slug="gardening", defaults={"name": "Gardening"})[0]
    body = {"title": "Gardening on Saturdays", "skills": ["gardening"], "lat": 51.5, "lon": -0.1}
    r = _post(client, "/api/v1/communities/riverside/offers", body, _auth(cast.member))
    assert r.status_code == 201, r.content
    offer_id = r.json()["id"]
    assert r.json()["skills"] == [skill.slug] and r.json()["approx_lat"] is not None
    seen = client.get(f"/api/v1/offers/{offer_id}", **_auth(cast.caller))
    assert seen.status_code == 200 and seen.json()["title"] == "Gardening on Saturdays"
    assert client.post(f"/api/v1/offers/{offer_id}/close", **_auth(cast.caller)).status_code == 403
    closed = client.post(f"/api/v1/offers/{offer_id}/close", **_auth(cast.member))
    assert closed.json()["status"] == "closed"
    assert Offer.objects.get().status == "closed"
