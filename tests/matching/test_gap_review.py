"""Review of a draft plan beyond approve or discard: take one proposed helper off, or swap them
for another who fits (hard rules, capacity and times checked again), on the web and the API."""

from __future__ import annotations

import datetime as dt

import pytest

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.matching import arrays, review, services
from mutua.matching.models import PlanAssignment
from mutua.people.services import api_token_create
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _helper(community, name, km=0.5, **fields):
    return new_member(community, name, approx_lat=LAT + km / 111.195, approx_lon=LON, **fields)


def _plan(cast, **need):
    near, other = _helper(cast.community, "Nina Near", 0.2), _helper(cast.community, "Otto Other")
    post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Shopping", **need)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    return plan, plan.assignments.get(), near, other


def _before(plan):
    return list(plan.assignments.values_list("helper", "cost", "terms", "status"))


def test_a_coordinator_swaps_a_proposed_helper_for_another_who_fits(cast):
    _plan_row, row, near, other = _plan(cast)
    assert row.helper == near
    swapped = review.plan_assignment_swap(actor=cast.coordinator, assignment=row, helper=other)
    assert swapped.helper == other and swapped.status == "proposed"
    assert swapped.terms["distance_km"] == pytest.approx(0.5, abs=0.3)
    entry = AuditEntry.objects.get(action="matching.plan_swap")
    assert entry.before["helper"] == near.public_id and entry.after["helper"] == other.public_id


def test_a_swap_for_someone_who_does_not_fit_is_refused_and_nothing_changes(cast):
    # given a helper 40 km away, and the person helped, who cannot help themself
    plan, row, _near, _other = _plan(cast)
    far = _helper(cast.community, "Fay Far", km=40)
    before = _before(plan)
    for who in (far, cast.member):  # too far away; the person helped themself
        with pytest.raises(ValidationFailed) as refused:
            review.plan_assignment_swap(actor=cast.coordinator, assignment=row, helper=who)
        assert "helper" in refused.value.field_errors
    assert _before(plan) == before
    assert not AuditEntry.objects.filter(action="matching.plan_swap").exists()


def test_a_swap_is_refused_when_the_helper_has_no_room_counting_this_plan(cast):
    # given a plan that already proposes `other` for one need, and `other` takes one task at most
    plan, row, near, other = _plan(cast)
    other.profile.capacity_status = "limited"
    other.profile.save()
    second = post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Lift to town")
    PlanAssignment.objects.create(plan=plan, need=second, helper=other, cost=1.0)
    with pytest.raises(ValidationFailed, match="as much as they can take on"):
        review.plan_assignment_swap(actor=cast.coordinator, assignment=row, helper=other)
    assert plan.assignments.get(need=row.need).helper == near


def test_a_swap_is_refused_when_the_plan_has_them_elsewhere_at_that_time(cast):
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    when = {"starts_at": start, "ends_at": start + dt.timedelta(hours=1)}
    plan, row, _near, other = _plan(cast, **when)
    second = post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Visit", **when)
    PlanAssignment.objects.create(plan=plan, need=second, helper=other, cost=1.0)
    with pytest.raises(ValidationFailed, match="at that time"):
        review.plan_assignment_swap(actor=cast.coordinator, assignment=row, helper=other)


def test_removing_a_proposed_helper_leaves_the_need_a_place_short_with_the_reason(cast):
    plan, row, near, _other = _plan(cast)
    plan = review.plan_assignment_remove(actor=cast.coordinator, assignment=row)
    assert not plan.assignments.exists()
    assert [(u["title"], u["missing"], u["reason"]) for u in plan.unmet] == [
        ("Shopping", 1, "removed")
    ]
    assert AuditEntry.objects.get(action="matching.plan_remove").before["helper"] == near.public_id
    # approving then asks nobody for it
    services.dispatch_plan_approve(actor=cast.coordinator, plan=plan)
    assert not PlanAssignment.objects.filter(status="asked").exists()


def test_members_cannot_change_a_plan_and_a_reviewed_plan_cannot_change(cast):
    plan, row, _near, other = _plan(cast)
    for actor in (cast.member, cast.caller):
        with pytest.raises(PermissionDenied):
            review.plan_assignment_remove(actor=actor, assignment=row)
        with pytest.raises(PermissionDenied):
            review.plan_assignment_swap(actor=actor, assignment=row, helper=other)
    services.dispatch_plan_discard(actor=cast.coordinator, plan=plan)
    with pytest.raises(Conflict):
        review.plan_assignment_remove(actor=cast.coordinator, assignment=row)
    assert plan.assignments.count() == 1


# --- web ----------------------------------------------------------------------------------


def _page(plan, row) -> str:
    return f"/c/riverside/dispatch/plans/{plan.public_id}/assignments/{row.public_id}/"


def test_the_review_page_lists_who_else_fits_and_swaps_on_the_web(client, cast):
    plan, row, _near, other = _plan(cast)
    client.force_login(cast.coordinator)
    detail = client.get(f"/c/riverside/dispatch/plans/{plan.public_id}/").content.decode()
    assert _page(plan, row) in detail
    page = client.get(_page(plan, row)).content.decode()
    assert "Otto Other" in page and f'value="{other.public_id}"' in page
    assert 'for="helper-1"' in page and 'id="helper-1"' in page  # a label on every input
    r = client.post(_page(plan, row), {"action": "swap", "helper": other.public_id}, follow=True)
    assert "Otto Other is now proposed for this need." in r.content.decode()
    assert plan.assignments.get().helper == other


def test_a_refused_swap_on_the_web_shows_the_reason_by_the_choice(client, cast):
    plan, row, near, _other = _plan(cast)
    client.force_login(cast.coordinator)
    r = client.post(_page(plan, row), {"action": "swap", "helper": cast.member.public_id})
    assert r.status_code == 422
    page = r.content.decode()
    assert 'aria-describedby="helper-error"' in page and "cannot take this need" in page
    assert plan.assignments.get().helper == near


def test_removing_on_the_web_and_members_refused(client, cast):
    plan, row, _near, _other = _plan(cast)
    client.force_login(cast.member)
    assert client.get(_page(plan, row)).status_code == 403
    assert client.post(_page(plan, row), {"action": "remove"}).status_code == 403
    client.force_login(cast.coordinator)
    r = client.post(_page(plan, row), {"action": "remove"}, follow=True)
    assert "is no longer proposed for this need." in r.content.decode()
    assert "A coordinator took the proposed helper off the plan." in r.content.decode()


# --- API ----------------------------------------------------------------------------------


def _api(plan, row, what) -> str:
    return f"/api/v1/dispatch-plans/{plan.public_id}/assignments/{row.public_id}/{what}"


def test_the_api_lists_alternatives_swaps_and_removes(client, cast):
    plan, row, _near, other = _plan(cast)
    auth = _auth(cast.coordinator)
    r = client.get(_api(plan, row, "alternatives"), **auth)
    assert r.status_code == 200 and [m["helper"] for m in r.json()] == [other.public_id]
    r = client.post(
        _api(plan, row, "swap"),
        {"helper": other.public_id},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["assignments"][0]["helper"] == other.public_id
    r = client.post(_api(plan, row, "remove"), **auth)
    assert r.status_code == 200 and r.json()["assignments"] == []
    assert r.json()["unmet"][0]["reason"] == "removed"


def test_the_api_refuses_members_and_bad_helpers(client, cast):
    plan, row, near, _other = _plan(cast)
    r = client.post(_api(plan, row, "remove"), **_auth(cast.member))
    assert r.status_code == 403
    r = client.post(
        _api(plan, row, "swap"),
        {"helper": cast.member.public_id},
        content_type="application/json",
        **_auth(cast.coordinator),
    )
    assert r.status_code == 422 and "helper" in str(r.json())
    assert plan.assignments.get().helper == near
