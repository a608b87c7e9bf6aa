"""Matching on real PostgreSQL: a plan is stored, approved, declined and re-planned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from mutua.matching import arrays, services
from mutua.matching.models import PlanAssignment
from mutua.people.models import AvailabilityWindow
from tests.exchange.helpers import new_member, post_need
from tests.factories import add_member, make_community, make_user

pytestmark = pytest.mark.postgres

LAT, LON = 51.5, -0.12


@pytest.mark.django_db
def test_plan_approve_decline_and_replan_on_postgresql():
    assert connection.vendor == "postgresql"
    arrays.cache_clear()
    steward = make_user("Steward")
    community = make_community(steward)
    coordinator = add_member(community, role="coordinator").user
    person = add_member(community).user
    near = new_member(community, "Near", approx_lat=LAT + 0.002, approx_lon=LON)
    other = new_member(community, "Other", approx_lat=LAT + 0.01, approx_lon=LON)
    AvailabilityWindow.objects.create(
        profile=near.profile, weekday=0, start=dt.time(8), end=dt.time(12)
    )
    need = post_need(community, person, lat=LAT, lon=LON)
    plan = services.dispatch_plan_create(actor=coordinator, community=community)
    services.dispatch_plan_approve(actor=coordinator, plan=plan)
    first = PlanAssignment.objects.get(plan=plan)
    assert first.helper == near
    assert isinstance(first.terms["distance_km"], float)  # stored as JSON, not as a string
    services.plan_assignment_answer(helper=near, assignment=first, accept=False)
    statuses = dict(
        PlanAssignment.objects.filter(plan=plan, need=need).values_list("helper", "status")
    )
    assert statuses == {near.pk: "declined", other.pk: "asked"}
    arrays.cache_clear()
