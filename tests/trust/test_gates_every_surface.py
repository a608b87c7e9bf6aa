"""Every trust gate refuses a member below it, and changes nothing, on every surface that leads
to it (web page, API, signed link); a member who passes the gate goes through the same surface.

Gates are on by default and apply once trust has been computed (`trust_recompute`).
"""

from __future__ import annotations

from django.urls import reverse

from mutua.care import services as care
from mutua.care.models import CarePlan, CircleContact
from mutua.communities.models import Membership
from mutua.exchange import services as exchange
from mutua.exchange.models import Commitment
from mutua.notify.models import Notification
from mutua.people.services import api_token_create
from mutua.trust import services
from mutua.trust.models import Vouch
from tests.exchange.helpers import post_need
from tests.trust.helpers import member, vouch

JSON = "application/json"


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _membership(cast, user) -> Membership:
    return Membership.objects.get(community=cast.community, user=user)


def _role(cast, user) -> str:
    return _membership(cast, user).role


def _known(cast, name: str):
    """A member with one vouch from the steward: known, not trusted."""
    person = member(cast.community, name)
    vouch(cast.community, cast.steward, person)
    return person


def _trusted(cast, name: str):
    """A member vouched for by the steward and by a coordinator the steward vouched for."""
    person = _known(cast, name)
    vouch(cast.community, cast.coordinator, person)
    vouch(cast.community, cast.steward, cast.coordinator)
    return person


def _computed(cast, *expected) -> None:
    services.trust_recompute(cast.community)
    for person, level in expected:
        assert services.trust_level_of(person, cast.community) == level


# ---- Being made coordinator ---------------------------------------------------------------
def _role_page(client, cast, user):
    client.force_login(cast.steward)
    url = f"/c/riverside/members/{_membership(cast, user).public_id}/role/"
    return client.post(url, {"role": "coordinator"})


def _role_api(client, cast, user):
    return client.patch(
        f"/api/v1/communities/riverside/members/{_membership(cast, user).public_id}",
        {"role": "coordinator"},
        content_type=JSON,
        **_auth(cast.steward),
    )


def test_the_role_page_refuses_to_make_a_known_member_coordinator(client, cast):
    friend = _known(cast, "Kit Known")
    _computed(cast, (friend, "known"))
    r = _role_page(client, cast, friend)
    assert r.status_code == 403
    assert "be proposed as a coordinator" in r.content.decode()
    assert _role(cast, friend) == "member"


def test_the_role_page_makes_a_trusted_member_coordinator(client, cast):
    friend = _trusted(cast, "Tess Trusted")
    _computed(cast, (friend, "trusted"))
    r = _role_page(client, cast, friend)
    assert r.status_code == 302
    assert _role(cast, friend) == "coordinator"


def test_the_api_refuses_to_make_a_known_member_coordinator(client, cast):
    friend = _known(cast, "Kit Known")
    _computed(cast, (friend, "known"))
    r = _role_api(client, cast, friend)
    assert r.status_code == 403, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    assert "be proposed as a coordinator" in r.json()["detail"]
    assert _role(cast, friend) == "member"


def test_the_api_makes_a_trusted_member_coordinator(client, cast):
    friend = _trusted(cast, "Tess Trusted")
    _computed(cast, (friend, "trusted"))
    r = _role_api(client, cast, friend)
    assert r.status_code == 200, r.content
    assert _role(cast, friend) == "coordinator"


# ---- Joining a care circle ----------------------------------------------------------------
def _invited(cast, person) -> CircleContact:
    plan: CarePlan = care.care_plan_create(
        actor=cast.member,
        community=cast.community,
        person=cast.member,
        times=["09:00"],
        reminder_leads=[30],
        grace_minutes=30,
    )
    return care.circle_invite(actor=cast.member, plan=plan, member=person)


def _accept_api(client, contact, person):
    url = f"/api/v1/care/circles/{contact.public_id}/accept"
    return client.post(url, content_type=JSON, **_auth(person))


def test_the_care_api_refuses_a_new_member_a_place_in_a_circle(client, cast):
    newcomer = member(cast.community, "Nia New")
    contact = _invited(cast, newcomer)
    _computed(cast, (newcomer, "new"))
    r = _accept_api(client, contact, newcomer)
    assert r.status_code == 403, r.content
    assert "join a care circle" in r.json()["detail"]
    contact.refresh_from_db()
    assert contact.status == "invited"


def test_the_care_api_gives_a_known_member_a_place_in_a_circle(client, cast):
    friend = _known(cast, "Kit Known")
    contact = _invited(cast, friend)
    _computed(cast, (friend, "known"))
    r = _accept_api(client, contact, friend)
    assert r.status_code == 200, r.content
    contact.refresh_from_db()
    assert contact.status == "accepted"


def _accept_page(client, contact, person):
    client.force_login(person)
    return client.post(reverse("care:circle_action", args=[contact.public_id, "accept"]))


def test_the_care_page_refuses_a_new_member_a_place_in_a_circle(client, cast):
    newcomer = member(cast.community, "Nia New")
    contact = _invited(cast, newcomer)
    _computed(cast, (newcomer, "new"))
    r = _accept_page(client, contact, newcomer)
    assert r.status_code == 403
    assert "join a care circle" in r.content.decode()
    contact.refresh_from_db()
    assert contact.status == "invited"


def test_the_care_page_gives_a_known_member_a_place_in_a_circle(client, cast):
    friend = _known(cast, "Kit Known")
    contact = _invited(cast, friend)
    _computed(cast, (friend, "known"))
    r = _accept_page(client, contact, friend)
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.status == "accepted"


# ---- A task that shows a home address -----------------------------------------------------
def _private_need(cast):
    return post_need(cast.community, cast.member, address="12 Quiet Lane")


def _assign_page(client, cast, need, helper):
    client.force_login(cast.coordinator)
    body = {"need": need.public_id, "helper": _membership(cast, helper).public_id}
    return client.post("/c/riverside/dispatch/assign/", body)


def _assign_api(client, cast, need, helper):
    return client.post(
        f"/api/v1/needs/{need.public_id}/assign",
        {"helper": helper.public_id},
        content_type=JSON,
        **_auth(cast.coordinator),
    )


def test_the_dispatch_board_refuses_to_give_a_new_member_a_task_with_an_address(client, cast):
    need, newcomer = _private_need(cast), member(cast.community, "Nia New")
    _computed(cast, (newcomer, "new"))
    r = _assign_page(client, cast, need, newcomer)
    assert r.status_code == 403
    assert not Commitment.objects.exists()
    assert not Notification.objects.filter(recipient=newcomer).exists()


def test_the_dispatch_board_gives_a_known_member_a_task_with_an_address(client, cast):
    need, friend = _private_need(cast), _known(cast, "Kit Known")
    _computed(cast, (friend, "known"))
    r = _assign_page(client, cast, need, friend)
    assert r.status_code == 302
    assert Commitment.objects.get().helper == friend


def test_the_api_refuses_to_give_a_new_member_a_task_with_an_address(client, cast):
    need, newcomer = _private_need(cast), member(cast.community, "Nia New")
    _computed(cast, (newcomer, "new"))
    r = _assign_api(client, cast, need, newcomer)
    assert r.status_code == 403, r.content
    assert "home address" in r.json()["detail"]
    assert not Commitment.objects.exists()


def test_the_api_gives_a_known_member_a_task_with_an_address(client, cast):
    need, friend = _private_need(cast), _known(cast, "Kit Known")
    _computed(cast, (friend, "known"))
    r = _assign_api(client, cast, need, friend)
    assert r.status_code == 201, r.content
    assert Commitment.objects.get().helper == friend


def _accept_link(helper) -> str:
    note = Notification.objects.filter(recipient=helper, kind="exchange_task_asked").latest("id")
    [url] = [a["url"] for a in note.actions if "Yes" in a["label"]]
    path = url.split("://", 1)[-1]
    return path[path.index("/") :]


def test_the_signed_link_refuses_a_helper_who_is_no_longer_known(client, cast):
    # given a known helper asked by link, whose only vouch is withdrawn before they answer
    need, friend = _private_need(cast), member(cast.community, "Kit Known")
    backing = vouch(cast.community, cast.steward, friend)
    _computed(cast, (friend, "known"))
    exchange.need_ask_helper(actor=cast.coordinator, need=need, helper=friend)
    services.vouch_revoke(actor=cast.steward, vouch=backing)
    _computed(cast, (friend, "new"))
    # when they take the task from the link, they are told why and nothing is taken
    r = client.post(_accept_link(friend))
    assert r.status_code == 409
    assert "home address" in r.content.decode()
    assert not Commitment.objects.exists()


def test_the_signed_link_gives_a_known_helper_a_task_with_an_address(client, cast):
    need, friend = _private_need(cast), _known(cast, "Kit Known")
    _computed(cast, (friend, "known"))
    exchange.need_ask_helper(actor=cast.coordinator, need=need, helper=friend)
    r = client.post(_accept_link(friend))
    assert r.status_code == 200, r.content
    assert Commitment.objects.get().helper == friend


# ---- Vouching -----------------------------------------------------------------------------
def _vouch_page(client, cast, voucher, vouchee):
    client.force_login(voucher)
    url = f"/c/riverside/trust/members/{_membership(cast, vouchee).public_id}/vouch/"
    return client.post(url, {"note": "Neighbour"}, follow=True)


def _vouch_api(client, cast, voucher, vouchee):
    return client.post(
        "/api/v1/communities/riverside/vouches",
        {"member": _membership(cast, vouchee).public_id},
        content_type=JSON,
        **_auth(voucher),
    )


def _vouches_by(user) -> int:
    return Vouch.objects.filter(voucher=user).count()


def test_the_vouch_page_refuses_a_new_member(client, cast):
    _computed(cast, (cast.member, "new"))
    r = _vouch_page(client, cast, cast.member, cast.caller)
    assert "To vouch for other members" in r.content.decode()
    assert _vouches_by(cast.member) == 0


def test_the_vouch_page_records_a_known_members_vouch(client, cast):
    friend = _known(cast, "Kit Known")
    _computed(cast, (friend, "known"))
    r = _vouch_page(client, cast, friend, cast.caller)
    assert "Your vouch is recorded" in r.content.decode()
    assert Vouch.objects.filter(voucher=friend, vouchee=cast.caller).count() == 1


def test_the_api_refuses_a_new_members_vouch(client, cast):
    _computed(cast, (cast.member, "new"))
    r = _vouch_api(client, cast, cast.member, cast.caller)
    assert r.status_code == 403, r.content
    assert "vouch for other members" in r.json()["detail"]
    assert _vouches_by(cast.member) == 0


def test_the_api_records_a_known_members_vouch(client, cast):
    friend = _known(cast, "Kit Known")
    _computed(cast, (friend, "known"))
    r = _vouch_api(client, cast, friend, cast.caller)
    assert r.status_code == 201, r.content
    assert Vouch.objects.filter(voucher=friend, vouchee=cast.caller).count() == 1
