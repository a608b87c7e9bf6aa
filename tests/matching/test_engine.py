"""The matching engine on arrays: hard filters, capacity, fairness, explanations, solvers agree."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.matching import engine, solvers, synthetic


def may_help(ix: engine.Index, nd: engine.Needs, i: int, j: int, capacity: int) -> bool:
    """An independent, scalar statement of every hard rule (not the engine's vectorised one)."""
    h = ix.helpers
    if h.on_break[i] or h.uid[i] == nd.person[j]:
        return False
    located = not np.isnan(nd.xy[j]).any()
    if located and np.hypot(*(h.xy[i] - nd.xy[j])) > nd.radius_m[j] + 1e-6:
        return False
    if nd.skills[j].any() and not (h.skills[i] & nd.skills[j]).any():
        return False
    if nd.langs[j].any() and not (h.langs[i] & nd.langs[j]).any():
        return False
    if nd.window[j].any() and h.avail[i].any() and not (h.avail[i] & nd.window[j]).any():
        return False
    f = int(nd.flags[j])
    if f & engine.VETTED and not h.vetted[i]:
        return False
    if f & engine.CAR and not h.car[i]:
        return False
    if f & engine.ACCESSIBLE and not h.accessible[i]:
        return False
    if f & engine.SAME_GENDER and not (nd.gender[j] != 0 and h.gender[i] == nd.gender[j]):
        return False
    key = int(engine.pair_key(nd.person[j], h.uid[i]))
    if key in set(ix.blocked.tolist()):
        return False
    limit = min(1, capacity) if h.limited[i] else capacity
    return limit - int(h.open_commitments[i]) > 0


def one_helper_instance(n: int, *, week_load: list[int] | None = None) -> engine.Helpers:
    z = np.zeros(n, dtype=bool)
    return engine.Helpers(
        uid=np.arange(1, n + 1, dtype=np.int64),
        xy=np.zeros((n, 2)),
        skills=engine.bits([[0]] * n, 1),
        langs=engine.bits([[0]] * n, 1),
        avail=np.zeros((n, engine.SLOT_WORDS), dtype=np.uint64),
        vetted=z.copy(),
        car=z.copy(),
        accessible=z.copy(),
        gender=np.zeros(n, dtype=np.int8),
        on_break=z.copy(),
        limited=z.copy(),
        open_commitments=np.zeros(n, dtype=np.int64),
        week_load=np.array(week_load or [0] * n, dtype=np.int64),
        notified=np.zeros(n, dtype=np.int64),
    )


def simple_needs(m: int, *, places: int = 1, skills: list[int] | None = None) -> engine.Needs:
    return engine.Needs(
        xy=np.zeros((m, 2)),
        skills=engine.bits([skills if skills is not None else [0]] * m, 1),
        langs=np.zeros((m, 1), dtype=np.uint64),
        window=np.zeros((m, engine.SLOT_WORDS), dtype=np.uint64),
        places=np.full(m, places, dtype=np.int64),
        flags=np.zeros(m, dtype=np.int64),
        gender=np.zeros(m, dtype=np.int8),
        person=np.full(m, -1, dtype=np.int64),
        radius_m=np.full(m, 5000.0),
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    m=st.integers(1, 30),
    n=st.integers(1, 120),
    capacity=st.integers(1, 3),
)
def test_hard_filters_are_never_violated_by_rankings_or_plans(seed, m, n, capacity):
    # given a random community
    ix, nd = synthetic.instance(m, n, seed=seed)
    # when it is ranked and planned
    plan = solvers.plan(ix, nd, engine.Weights(), max_candidates=10, capacity=capacity)
    ranked = [(j, c.helper) for j in range(m) for c in engine.rank(ix, nd, j, 5, engine.Weights())]
    # then every suggested pair passes every hard rule
    for j, i in plan.assignments + ranked:
        assert may_help(ix, nd, i, j, capacity if (j, i) in plan.assignments else 3)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), capacity=st.integers(1, 3))
def test_no_helper_is_given_more_than_their_capacity(seed, capacity):
    ix, nd = synthetic.instance(60, 40, seed=seed)
    plan = solvers.plan(ix, nd, engine.Weights(), capacity=capacity)
    per_helper = Counter(i for _, i in plan.assignments)
    left = engine.capacity_left(ix.helpers, capacity)
    assert all(count <= left[i] for i, count in per_helper.items())
    per_need = Counter(j for j, _ in plan.assignments)
    assert all(per_need[j] + plan.unmet.get(j, 0) == nd.places[j] for j in range(60))


def test_with_equal_costs_the_load_spreads_over_helpers():
    # given three identical helpers at the same place and three identical needs
    ix = engine.index_build(one_helper_instance(3))
    # when planned with capacity 3
    plan = solvers.plan(ix, simple_needs(3), engine.Weights(), capacity=3)
    # then each helper gets one task, not one helper three
    assert sorted(Counter(i for _, i in plan.assignments).values()) == [1, 1, 1]


def test_a_helper_already_busy_this_week_is_asked_last():
    ix = engine.index_build(one_helper_instance(2, week_load=[4, 0]))
    plan = solvers.plan(ix, simple_needs(1), engine.Weights())
    assert [ix.helpers.uid[i] for _, i in plan.assignments] == [2]


def test_explanations_are_present_and_match_the_arrays():
    ix, nd = synthetic.instance(20, 400, seed=3)
    names = [f"skill{i}" for i in range(synthetic.N_SKILLS)]
    for j in range(20):
        for c in engine.rank(ix, nd, j, 5, engine.Weights()):
            words = engine.describe(c, names)
            metres = np.hypot(*(ix.helpers.xy[c.helper] - nd.xy[j]))
            assert words.startswith(f"{metres / 1000:.1f} km away")
            for s in c.skills:
                assert f"has the 'skill{s}' skill" in words
                assert int(ix.helpers.skills[c.helper, 0]) >> s & 1
                assert int(nd.skills[j, 0]) >> s & 1
            assert f"{ix.helpers.week_load[c.helper]} task" in words


def test_rankings_come_cheapest_first():
    ix, nd = synthetic.instance(5, 500, seed=11)
    for j in range(5):
        costs = [c.cost for c in engine.rank(ix, nd, j, 10, engine.Weights())]
        assert costs == sorted(costs)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_ortools_highs_and_networkx_reach_the_same_optimal_cost(seed):
    ix, nd = synthetic.instance(25, 120, seed=seed)
    model = solvers.model_build(ix, nd, engine.Weights(), max_candidates=10)
    ours = solvers.plan_solve(ix, nd, model)
    assert solvers.plan_highs(ix, nd, model).cost == ours.cost
    assert solvers.plan_networkx(ix, nd, model).cost == ours.cost


def test_unmet_needs_say_why():
    ix = engine.index_build(one_helper_instance(2))
    # nobody has skill 5
    nd = simple_needs(1, skills=[5])
    assert solvers.plan(ix, nd, engine.Weights()).reasons == {0: engine.NO_SKILL}
    # nobody free on Monday morning: helpers are only free on Sunday
    ix.helpers.avail[:] = engine.slot_mask([(6 * 1440 + 600, 6 * 1440 + 720)])
    nd = simple_needs(1)
    nd.window[0] = engine.slot_mask([(540, 600)])
    assert solvers.plan(ix, nd, engine.Weights()).reasons == {0: engine.NOT_FREE}
    # everyone is at capacity
    ix.helpers.avail[:] = 0
    ix.helpers.open_commitments[:] = 3
    assert solvers.plan(ix, simple_needs(1), engine.Weights()).reasons == {0: engine.AT_CAPACITY}
    # nobody in the area
    far = simple_needs(1)
    far.xy[0] = (50_000.0, 0.0)
    assert solvers.plan(ix, far, engine.Weights()).reasons == {0: engine.NO_ONE_NEAR}
