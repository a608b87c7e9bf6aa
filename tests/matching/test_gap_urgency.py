"""Urgency: when helpers are short, more urgent needs are served first (a real term of the
min-cost flow, in every solver), nearness counts more for urgent needs, and the words say so."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.matching import arrays, engine, selectors, services, solvers, synthetic
from mutua.matching.explanations import explain, reason_words
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


def helpers(n: int, *, xy=None, week_load=None) -> engine.Helpers:
    z = np.zeros(n, dtype=bool)
    return engine.Helpers(
        uid=np.arange(1, n + 1, dtype=np.int64),
        xy=np.zeros((n, 2)) if xy is None else np.asarray(xy, dtype=float),
        skills=engine.bits([[0]] * n, 1),
        langs=engine.bits([[0]] * n, 1),
        avail=np.zeros((n, engine.SLOT_WORDS), dtype=np.uint64),
        vetted=z.copy(),
        car=z.copy(),
        accessible=z.copy(),
        pets=z.copy(),
        gender=np.zeros(n, dtype=np.int8),
        on_break=z.copy(),
        limited=z.copy(),
        open_commitments=np.zeros(n, dtype=np.int64),
        week_load=np.array(week_load or [0] * n, dtype=np.int64),
        notified=np.zeros(n, dtype=np.int64),
    )


def needs(xy, urgency) -> engine.Needs:
    m = len(urgency)
    return engine.Needs(
        xy=np.asarray(xy, dtype=float),
        skills=engine.bits([[0]] * m, 1),
        langs=np.zeros((m, 1), dtype=np.uint64),
        window=np.zeros((m, engine.SLOT_WORDS), dtype=np.uint64),
        places=np.ones(m, dtype=np.int64),
        flags=np.zeros(m, dtype=np.int64),
        gender=np.zeros(m, dtype=np.int8),
        person=np.full(m, -1, dtype=np.int64),
        radius_m=np.full(m, 5000.0),
        urgency=np.asarray(urgency, dtype=np.int8),
    )


@settings(max_examples=30, deadline=None)
@given(
    urgencies=st.lists(st.integers(0, 3), min_size=2, max_size=2, unique=True),
    km=st.floats(0, 4.5),
)
def test_with_one_helper_and_two_equal_needs_the_more_urgent_one_gets_them(urgencies, km):
    # given one helper with room for one task, and two needs alike but for their urgency
    ix = engine.index_build(helpers(1))
    hs = ix.helpers
    hs.open_commitments[:] = 2  # capacity 3: one place left
    nd = needs([[km * 1000, 0], [km * 1000, 0]], urgencies)
    model = solvers.model_build(ix, nd, engine.Weights(), capacity=3)
    # when every solver plans
    plans = [
        solvers.plan_solve(ix, nd, model, capacity=3),
        solvers.plan_highs(ix, nd, model, capacity=3),
        solvers.plan_networkx(ix, nd, model, capacity=3),
    ]
    # then each gives the helper to the more urgent need, at the same cost
    urgent = int(np.argmax(urgencies))
    assert all(p.assignments == [(urgent, 0)] for p in plans)
    assert len({p.cost for p in plans}) == 1
    # and the other need says why it was left
    assert plans[0].reasons == {1 - urgent: engine.MORE_URGENT}


def test_an_urgent_need_further_away_is_still_served_before_a_flexible_one_nearby():
    ix = engine.index_build(helpers(1))
    nd = needs([[4000, 0], [100, 0]], [engine.IMMEDIATE, engine.FLEXIBLE])
    ix.helpers.limited[:] = True  # one task at most
    plan = solvers.plan(ix, nd, engine.Weights())
    assert plan.assignments == [(0, 0)]
    assert plan.unmet == {1: 1}


def test_without_urgency_the_nearer_need_is_served_and_no_urgency_reason_is_given():
    ix = engine.index_build(helpers(1))
    nd = needs([[4000, 0], [100, 0]], [engine.FLEXIBLE, engine.FLEXIBLE])
    ix.helpers.limited[:] = True
    plan = solvers.plan(ix, nd, engine.Weights())
    assert plan.assignments == [(1, 0)]
    assert plan.reasons == {0: engine.AT_CAPACITY}


def test_nearness_counts_more_for_an_urgent_need_in_the_ranking():
    # given a near helper who already did two tasks this week and a further one who did none
    ix = engine.index_build(helpers(2, xy=[[1000, 0], [2500, 0]], week_load=[2, 0]))
    nd = needs([[0, 0], [0, 0]], [engine.FLEXIBLE, engine.IMMEDIATE])
    w = engine.Weights()
    # then a flexible need spreads the load, an immediate one asks the nearer helper first
    assert [c.helper for c in engine.rank(ix, nd, 0, 2, w)] == [1, 0]
    ranked = engine.rank(ix, nd, 1, 2, w)
    assert [c.helper for c in ranked] == [0, 1]
    assert ranked[0].cost == pytest.approx(2 * 1.0 + w.load * 5)
    assert "urgent, so nearness counts more" in engine.describe(ranked[0])


def test_the_benchmark_instance_with_urgencies_reaches_the_same_cost_in_every_solver():
    ix, nd = synthetic.instance(40, 400, seed=3, timed=True)
    model = solvers.model_build(ix, nd, engine.Weights(), max_candidates=10)
    ours = solvers.plan_solve(ix, nd, model)
    assert ours.cost == solvers.plan_highs(ix, nd, model).cost
    assert ours.cost == solvers.plan_networkx(ix, nd, model).cost


# --- through the services -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def test_a_dispatch_plan_gives_a_short_helper_to_the_urgent_need_and_says_why(cast):
    # given one helper with room for one task, a flexible need nearby and an urgent one further
    helper = new_member(cast.community, "Hana Helper", approx_lat=LAT, approx_lon=LON)
    helper.profile.capacity_status = "limited"
    helper.profile.save()
    later = post_need(cast.community, cast.member, lat=LAT + 0.001, lon=LON, title="Later")
    urgent = post_need(
        cast.community, cast.member, lat=LAT + 0.03, lon=LON, title="Now", urgency="immediate"
    )
    # when a coordinator makes a plan
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    # then the urgent need gets the helper; the other is unmet, with the reason in words
    assert list(plan.assignments.values_list("need", "helper")) == [(urgent.pk, helper.pk)]
    assert [(u["need"], u["reason"]) for u in plan.unmet] == [(later.public_id, engine.MORE_URGENT)]
    assert reason_words(engine.MORE_URGENT) == (
        "The helpers who fit were given to more urgent needs first."
    )
    row = plan.assignments.get()
    assert row.terms["urgent"] is True
    assert "km away; urgent, so nearness counts more" in explain(row.terms)


def test_a_flexible_need_is_not_explained_as_urgent(cast):
    new_member(cast.community, "Hana Helper", approx_lat=LAT, approx_lon=LON)
    need = post_need(
        cast.community,
        cast.member,
        lat=LAT,
        lon=LON,
        starts_at=dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 7, 11, tzinfo=dt.UTC),
    )
    [match] = selectors.matching_rank(viewer=cast.coordinator, need=need)
    assert match.terms["urgent"] is False
    assert "urgent" not in match.reasons
