"""Safeguarding over the API: unblocking, the concern queue, suspension and lifting it."""

from __future__ import annotations

import pytest

from mutua.communities.models import Membership
from mutua.core.models import AuditEntry
from mutua.people.services import api_token_create
from mutua.trust import safeguarding
from tests.trust.helpers import member

BASE = "/api/v1/communities/riverside"


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _id(user, community) -> str:
    return Membership.objects.get(user=user, community=community).public_id


def test_blocking_and_unblocking_over_the_api(client, cast):
    headers = _auth(cast.member)
    other = _id(cast.caller, cast.community)
    r = client.post(f"{BASE}/blocks", {"member": other}, content_type="application/json", **headers)
    assert r.status_code == 204
    assert safeguarding.is_blocked(cast.member, cast.caller)
    r = client.delete(f"{BASE}/blocks/{other}", **headers)
    assert r.status_code == 204
    assert not safeguarding.is_blocked(cast.member, cast.caller)


def test_unblocking_removes_only_my_own_block(client, cast):
    # given the caller blocked the member
    safeguarding.block_create(user=cast.caller, other=cast.member)
    # when the member "unblocks" the caller, then the caller's block stays
    r = client.delete(f"{BASE}/blocks/{_id(cast.caller, cast.community)}", **_auth(cast.member))
    assert r.status_code == 204
    assert safeguarding.is_blocked(cast.member, cast.caller)


def test_coordinators_list_the_concern_queue_with_the_people_named(client, cast):
    # given two concerns, one of them reviewed
    open_one = safeguarding.concern_report(
        reporter=cast.member, community=cast.community, text="Asked for money", about=cast.caller
    )
    done = safeguarding.concern_report(reporter=cast.caller, community=cast.community, text="x")
    safeguarding.concern_review(actor=cast.coordinator, concern=done, outcome="Talked")
    headers = _auth(cast.coordinator)
    # when a coordinator lists the queue, then the open one is there with who is involved
    r = client.get(f"{BASE}/concerns", **headers)
    assert r.status_code == 200, r.content
    items = r.json()["items"]
    assert [c["id"] for c in items] == [open_one.public_id]
    assert items[0]["about"] == _id(cast.caller, cast.community)
    assert items[0]["reporter"] == _id(cast.member, cast.community)
    assert items[0]["text"] == "Asked for money"
    # and the reviewed ones on asking, with the outcome
    reviewed = client.get(f"{BASE}/concerns?status=reviewed", **headers).json()["items"]
    assert [(c["id"], c["outcome"]) for c in reviewed] == [(done.public_id, "Talked")]
    assert len(client.get(f"{BASE}/concerns?status=all", **headers).json()["items"]) == 2


def test_the_concern_queue_takes_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    headers = _auth(cast.coordinator)
    safeguarding.concern_report(reporter=cast.member, community=cast.community, text="x")
    with django_assert_max_num_queries(30) as few:
        client.get(f"{BASE}/concerns", **headers)
    for _ in range(8):
        safeguarding.concern_report(
            reporter=member(cast.community), community=cast.community, text="y", about=cast.caller
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"{BASE}/concerns", **headers).json()["items"]) == 9


@pytest.mark.parametrize("role", ["member", "caller"])
def test_members_and_callers_cannot_read_the_concern_queue(client, cast, role):
    safeguarding.concern_report(reporter=cast.member, community=cast.community, text="x")
    r = client.get(f"{BASE}/concerns", **_auth(getattr(cast, role)))
    assert r.status_code == 403
    assert r["Content-Type"].startswith("application/problem+json")


def test_a_coordinator_suspends_and_lifts_a_suspension_over_the_api(client, cast):
    headers = _auth(cast.coordinator)
    target = _id(cast.member, cast.community)
    r = client.post(
        f"{BASE}/members/{target}/suspend",
        {"reason": "Checking a report"},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    entry = AuditEntry.objects.get(action="safeguarding.suspend")
    assert entry.is_safeguarding and entry.reason == "Checking a report"
    r = client.post(f"{BASE}/members/{target}/unsuspend", **headers)
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert Membership.objects.get(public_id=target).status == "active"


@pytest.mark.parametrize("role", ["member", "caller"])
def test_members_and_callers_cannot_suspend_over_the_api(client, cast, role):
    target = _id(cast.coordinator, cast.community)
    r = client.post(
        f"{BASE}/members/{target}/suspend",
        {"reason": "No"},
        content_type="application/json",
        **_auth(getattr(cast, role)),
    )
    assert r.status_code == 403
    assert Membership.objects.get(public_id=target).status == "active"


def test_a_coordinator_cannot_suspend_a_steward_over_the_api(client, cast):
    target = _id(cast.steward, cast.community)
    r = client.post(
        f"{BASE}/members/{target}/suspend",
        {"reason": "No"},
        content_type="application/json",
        **_auth(cast.coordinator),
    )
    assert r.status_code == 403
    assert Membership.objects.get(public_id=target).status == "active"


def test_suspending_without_a_reason_gives_a_field_error(client, cast):
    target = _id(cast.member, cast.community)
    r = client.post(
        f"{BASE}/members/{target}/suspend",
        {"reason": "  "},
        content_type="application/json",
        **_auth(cast.coordinator),
    )
    assert r.status_code == 422 and "reason" in r.json()["errors"]
    assert Membership.objects.get(public_id=target).status == "active"


def test_members_cannot_lift_a_suspension_over_the_api(client, cast):
    m = Membership.objects.get(user=cast.caller, community=cast.community)
    safeguarding.membership_suspend(actor=cast.coordinator, membership=m, reason="Checking")
    r = client.post(f"{BASE}/members/{m.public_id}/unsuspend", **_auth(cast.member))
    assert r.status_code == 403
    m.refresh_from_db()
    assert m.status == "suspended"
