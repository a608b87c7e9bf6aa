"""Needs without a position: candidates come from the inverted index by skill, not a scan of
every helper, and the result is the scan's."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.matching import engine, solvers, synthetic


def scan_rank(ix: engine.Index, nd: engine.Needs, j: int, k: int, w: engine.Weights):
    """The ranking by scanning every helper: the reference the index must agree with."""
    everyone = np.arange(len(ix.helpers))
    cand = everyone[engine.hard_filter(ix, nd, j, everyone, 3)]
    cost, _dist = engine.pair_costs(ix, nd, j, cand, w)
    cost = cost + engine.load_marginal(ix.helpers.week_load[cand], 0, w)
    order = np.lexsort((ix.helpers.uid[cand], cost))[:k]
    return [(int(ix.helpers.uid[cand[t]]), round(float(cost[t]), 9)) for t in order]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 20), n=st.integers(1, 150))
def test_ranking_a_need_without_a_position_equals_the_scan(seed, m, n):
    # given needs without a position (most ask for a skill, some for none)
    ix, nd = synthetic.instance(m, n, seed=seed)
    nd.xy[:] = np.nan
    w = engine.Weights()
    for j in range(m):
        # when ranked through the skill index, then the result is the scan's
        found = [(c.uid, round(c.cost, 9)) for c in engine.rank(ix, nd, j, 10, w)]
        assert found == scan_rank(ix, nd, j, 10, w)


def test_the_index_only_visits_helpers_with_one_of_the_skills():
    ix, nd = synthetic.instance(5, 200, seed=1)
    nd.xy[:] = np.nan
    j = int(np.flatnonzero(nd.skills.any(axis=1))[0])
    visited = engine.candidates_of(ix, nd, j)
    assert 0 < len(visited) < len(ix.helpers)
    assert ((ix.helpers.skills[visited] & nd.skills[j]).any(axis=1)).all()
    has = np.flatnonzero((ix.helpers.skills & nd.skills[j]).any(axis=1))
    assert np.array_equal(visited, has)


def test_a_need_asking_for_a_skill_nobody_has_finds_nobody_and_says_why():
    ix, nd = synthetic.instance(1, 50, seed=2)
    nd.xy[:] = np.nan
    ix.helpers.skills[:] = 0
    nd.skills[0] = np.uint64(1)
    assert engine.rank(ix, nd, 0, 5, engine.Weights()) == []
    plan = solvers.plan(ix, nd, engine.Weights())
    assert plan.assignments == [] and plan.reasons == {0: engine.NO_SKILL}


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_a_plan_considers_for_needs_without_a_position_exactly_the_helpers_a_scan_would(seed):
    # given a community where a third of the needs have no position
    ix, nd = synthetic.instance(20, 100, seed=seed)
    nd.xy[::3] = np.nan
    # when the plan gathers its candidates
    found = set()
    for js, cand, ok in solvers._candidate_blocks(ix, nd, max_candidates=50, capacity=3):
        for r, j in enumerate(js):
            if np.isnan(nd.xy[j]).any():
                found |= {(int(j), int(i)) for i in cand[r][ok[r]]}
    # then, for those needs, they are every helper who passes the hard rules
    everyone = np.arange(len(ix.helpers))
    scan = {
        (j, int(i))
        for j in range(0, 20, 3)
        for i in everyone[engine.hard_filter(ix, nd, j, everyone, 3)]
    }
    assert found == scan
