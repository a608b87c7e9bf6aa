"""Only a coordinator turns a plan into a drill: a drill makes real missed check-ins tests."""

from __future__ import annotations

import pytest

from mutua.care import services
from mutua.care.models import CarePlan
from mutua.core.errors import PermissionDenied
from tests.care.helpers import make_plan


def test_a_member_cannot_start_a_drill_on_their_own_new_plan(cast):
    # when the member sets up their own plan as a drill
    with pytest.raises(PermissionDenied):
        services.care_plan_create(
            actor=cast.member,
            community=cast.community,
            person=cast.member,
            times=["09:00"],
            is_drill=True,
        )
    # then no plan was written
    assert not CarePlan.objects.filter(person=cast.member).exists()


def test_a_member_cannot_turn_their_plan_into_a_drill_but_may_end_one(cast):
    # given the member's own live plan
    plan = make_plan(cast)
    # when they try to make it a drill
    with pytest.raises(PermissionDenied):
        services.care_plan_update(actor=cast.member, plan=plan, is_drill=True)
    # then it stays live
    plan.refresh_from_db()
    assert plan.is_drill is False
    # and a drill a coordinator started, the member may end
    services.care_plan_update(actor=cast.coordinator, plan=plan, is_drill=True)
    services.care_plan_update(actor=cast.member, plan=plan, is_drill=False)
    plan.refresh_from_db()
    assert plan.is_drill is False


def test_the_api_refuses_a_member_starting_a_drill(cast, client):
    plan = make_plan(cast)
    client.force_login(cast.member)
    response = client.patch(
        f"/api/v1/care/plans/{plan.public_id}", {"is_drill": True}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    plan.refresh_from_db()
    assert plan.is_drill is False
