"""A helper asked by e-mail or SMS answers from a signed link (GET shows a page, only POST
acts) or by replying YES / NO; once one answer is given the other link stops working."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied
from mutua.exchange import services
from mutua.exchange.models import Commitment
from mutua.notify.models import Notification, NotificationPreference, OutboxMessage
from mutua.notify.services import inbound_sms_receive
from mutua.people.services import sensitive_update
from tests.exchange.helpers import kinds_for, post_need


def _links(helper, nth: int = -1) -> dict[str, str]:
    notes = list(
        Notification.objects.filter(recipient=helper, kind="exchange_task_asked").order_by("id")
    )
    note = notes[nth]
    found = {}
    for action in note.actions:
        path = action["url"].split("://", 1)[-1]
        found["yes" if "Yes" in action["label"] else "no"] = path[path.index("/") :]
    return found


def test_helper_accepts_from_the_link_with_a_post_only_and_once(client, cast):
    need = post_need(cast.community, cast.member)
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    accept = _links(cast.caller)["yes"]
    # a mail scanner's GET changes nothing
    assert client.get(accept).status_code == 200
    assert not Commitment.objects.exists()
    # the helper's POST takes the task
    assert client.post(accept).status_code == 200
    assert Commitment.objects.get().helper == cast.caller
    # and a second POST of the same link is refused and takes nothing more
    assert client.post(accept).status_code == 409
    assert Commitment.objects.count() == 1


def test_once_accepted_the_decline_link_stops_working(client, cast):
    need = post_need(cast.community, cast.member)
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    links = _links(cast.caller)
    client.post(links["yes"])
    before = kinds_for(cast.coordinator)
    r = client.post(links["no"])
    assert r.status_code == 409 and b"already been used" in r.content
    assert kinds_for(cast.coordinator) == before  # no "cannot take it" sent
    assert Commitment.objects.get().status == "active"


def test_once_declined_the_accept_link_stops_working(client, cast):
    need = post_need(cast.community, cast.member)
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    links = _links(cast.caller)
    assert client.post(links["no"]).status_code == 200
    assert "exchange_task_declined" in kinds_for(cast.coordinator)
    assert client.post(links["yes"]).status_code == 409
    assert not Commitment.objects.exists()


def test_asking_the_same_helper_again_sends_a_fresh_message_whose_links_work(client, cast):
    # given a helper asked once who did not answer
    need = post_need(cast.community, cast.member)
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    first = _links(cast.caller)
    # when the coordinator asks again
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    # then a second message arrives, the first one's links have stopped, the new ones work
    assert kinds_for(cast.caller).count("exchange_task_asked") == 2
    second = _links(cast.caller)
    assert second["yes"] != first["yes"]
    assert client.post(first["yes"]).status_code == 409
    assert client.post(second["yes"]).status_code == 200
    assert Commitment.objects.get().helper == cast.caller


def test_a_helper_already_on_the_task_is_not_asked_again(cast):
    from mutua.core.errors import Conflict

    need = post_need(cast.community, cast.member, helpers_wanted=2)
    services.commitment_assign(actor=cast.coordinator, need=need, helper=cast.caller)
    with pytest.raises(Conflict):
        services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)


def _sms_helper(cast) -> None:
    sensitive_update(user=cast.caller, phone="+447700900123")
    NotificationPreference.objects.create(
        user=cast.caller, kind="exchange_task_asked", channel="sms", enabled=True
    )


def test_the_sms_carries_both_links_and_how_to_reply(cast):
    _sms_helper(cast)
    need = post_need(cast.community, cast.member, urgency="immediate")
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    sms = OutboxMessage.objects.get(recipient=cast.caller, channel="sms").sms_text
    links = _links(cast.caller)
    assert links["yes"] in sms and links["no"] in sms
    assert "reply YES or NO" in sms and "112" in sms


def test_replying_yes_by_sms_takes_the_task_and_spends_the_links(client, cast):
    _sms_helper(cast)
    need = post_need(cast.community, cast.member)
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    inbound = inbound_sms_receive(from_address="+447700900123", text="Yes!")
    assert any("task_reply_handle" in h for h in inbound.handled_by)
    assert Commitment.objects.get().helper == cast.caller
    assert client.post(_links(cast.caller)["no"]).status_code == 409


def test_replying_no_by_sms_tells_the_coordinators(cast):
    _sms_helper(cast)
    need = post_need(cast.community, cast.member)
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    inbound_sms_receive(from_address="+447700900123", text="no sorry")
    assert "exchange_task_declined" in kinds_for(cast.coordinator)
    assert not Commitment.objects.exists()


def test_a_reply_is_left_for_a_person_when_two_asks_are_waiting(cast):
    _sms_helper(cast)
    for title in ("Shopping", "Lift to town"):
        need = post_need(cast.community, cast.member, title=title)
        services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    inbound = inbound_sms_receive(from_address="+447700900123", text="YES")
    assert not any("task_reply_handle" in h for h in inbound.handled_by)
    assert not Commitment.objects.exists()


def test_the_link_page_of_an_urgent_need_shows_the_emergency_number(client, cast):
    need = post_need(cast.community, cast.member, urgency="immediate")
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    page = client.get(_links(cast.caller)["yes"])
    assert b"not an emergency service" in page.content and b"112" in page.content


def test_member_cannot_ask_helpers(cast):
    need = post_need(cast.community, cast.member)
    with pytest.raises(PermissionDenied):
        services.need_ask_helper(actor=cast.caller, need=need, helper=cast.steward)
