"""The same hour cannot be double-booked: in a plan a helper gets at most one need per part of a
day (merged where needs span parts), and none at a time their other tasks already take."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.exchange.services import commitment_assign
from mutua.matching import arrays, engine, selectors, services, solvers, synthetic
from tests.exchange.helpers import new_member, post_need
from tests.matching.test_gap_urgency import helpers, needs

LAT, LON = 51.5, -0.12
H = 60
DAY = 24 * H


def timed(spans) -> engine.Needs:
    nd = needs([[0, 0]] * len(spans), [engine.FLEXIBLE] * len(spans))
    nd.span = np.array(spans, dtype=np.int64).reshape(-1, 2)
    return nd


def overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_needs_whose_times_overlap_share_a_group_and_parts_of_days_split_the_rest():
    spans = [
        (9 * H, 10 * H),  # morning
        (10 * H + 30, 11 * H),  # morning too: the same bucket
        (13 * H, 14 * H),  # afternoon
        (18 * H, 19 * H),  # evening
        (DAY + 9 * H, DAY + 10 * H),  # the next morning
        (-1, -1),  # no time
    ]
    g = engine.time_groups(np.array(spans), len(spans))
    assert g[0] == g[1] and len({g[0], g[2], g[3], g[4]}) == 4 and g[5] == -1
    # a need across noon joins the morning and the afternoon
    g = engine.time_groups(np.array([*spans[:3], (11 * H + 30, 12 * H + 30)]), 4)
    assert g[0] == g[1] == g[2] == g[3]


def test_one_helper_is_not_given_two_needs_at_the_same_time_but_is_on_two_days():
    ix = engine.index_build(helpers(1))
    same = solvers.plan(ix, timed([(10 * H, 11 * H), (10 * H + 30, 11 * H + 30)]), engine.Weights())
    assert len(same.assignments) == 1 and sum(same.unmet.values()) == 1
    ix = engine.index_build(helpers(1))
    apart = solvers.plan(
        ix, timed([(10 * H, 11 * H), (DAY + 10 * H, DAY + 11 * H)]), engine.Weights()
    )
    assert len(apart.assignments) == 2


def test_a_helper_is_not_ranked_or_planned_at_a_time_their_tasks_take():
    ix = engine.index_build(helpers(2))
    h = ix.helpers
    h.busy_ptr = np.array([0, 1, 1])  # helper 0 is busy 10:00-12:00
    h.busy_span = np.array([[10 * H, 12 * H]])
    nd = timed([(11 * H, 13 * H), (12 * H, 13 * H)])
    assert [c.helper for c in engine.rank(ix, nd, 0, 5, engine.Weights())] == [1]
    assert sorted(c.helper for c in engine.rank(ix, nd, 1, 5, engine.Weights())) == [0, 1]
    h.on_break[1] = True
    assert engine.unmet_reason(ix, nd, 0, capacity=3) == engine.NOT_FREE


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 60), n=st.integers(1, 60))
def test_no_helper_has_two_planned_needs_or_a_task_at_overlapping_times(seed, m, n):
    # given a random community with timed needs, and tasks some helpers already have
    ix, nd = synthetic.instance(m, n, seed=seed, timed=True)
    rng = np.random.default_rng(seed)
    nd.span[rng.random(m) < 0.5] = rng.integers(0, 2, 2) * DAY + np.array([10 * H, 11 * H])
    # when it is planned
    plan = solvers.plan(ix, nd, engine.Weights(), max_candidates=10, capacity=3)
    # then no helper's needs overlap in time, nor clash with what they already took on
    h = ix.helpers
    by_helper = defaultdict(list)
    for j, i in plan.assignments:
        if nd.span[j, 0] >= 0:
            by_helper[i].append(nd.span[j])
    for i, spans in by_helper.items():
        busy = h.busy_span[h.busy_ptr[i] : h.busy_ptr[i + 1]]
        for a in range(len(spans)):
            assert not any(overlap(spans[a], b) for b in busy)
            for b in range(a + 1, len(spans)):
                assert not overlap(spans[a], spans[b])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_every_solver_reaches_the_same_cost_with_time_groups(seed):
    ix, nd = synthetic.instance(30, 60, seed=seed, timed=True)
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


def _at(hour: int, minutes: int = 60, day: int = 2) -> dict:
    start = dt.datetime.now(dt.UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    start += dt.timedelta(days=day)
    return {"starts_at": start, "ends_at": start + dt.timedelta(minutes=minutes)}


def test_a_plan_gives_one_helper_one_of_two_needs_at_the_same_time(cast):
    helper = new_member(cast.community, "Hana Helper", approx_lat=LAT, approx_lon=LON)
    a = post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Need A", **_at(10))
    b = post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Need B", **_at(10))
    c = post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Need C", **_at(10, day=3))
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    planned = set(plan.assignments.values_list("need", flat=True))
    assert set(plan.assignments.values_list("helper", flat=True)) == {helper.pk}
    assert c.pk in planned and len(planned & {a.pk, b.pk}) == 1
    [unmet] = plan.unmet
    assert unmet["title"] in ("Need A", "Need B")


def test_a_helper_already_helping_then_is_neither_suggested_nor_planned(cast):
    # given a helper who has taken on a task from 10:00 to 12:00
    helper = new_member(cast.community, "Hana Helper", approx_lat=LAT, approx_lon=LON)
    other = new_member(cast.community, "Otto Other", approx_lat=LAT + 0.01, approx_lon=LON)
    taken = post_need(cast.community, cast.member, lat=LAT, lon=LON, **_at(10, 120))
    commitment_assign(actor=cast.coordinator, need=taken, helper=helper)
    # when a need from 11:00 and one from 12:00 (just after) are ranked and planned
    clash = post_need(cast.community, cast.member, lat=LAT, lon=LON, title="Clash", **_at(11))
    after = post_need(cast.community, cast.member, lat=LAT, lon=LON, title="After", **_at(12))
    ranked = [m.user for m in selectors.matching_rank(viewer=cast.coordinator, need=clash)]
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    # then the busy helper is only found for the need that does not clash
    assert ranked == [other]
    assert helper in [m.user for m in selectors.matching_rank(viewer=cast.coordinator, need=after)]
    pairs = set(plan.assignments.values_list("need", "helper"))
    assert (clash.pk, helper.pk) not in pairs and (clash.pk, other.pk) in pairs
