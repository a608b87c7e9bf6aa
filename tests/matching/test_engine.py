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
    if f & engine.NO_PETS and h.pets[i]:
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
        pets=z.copy(),
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
    ix, nd = synthetic.instance(40, 400, seed=3)
    h = ix.helpers
    names = [f"skill{i}" for i in range(synthetic.N_SKILLS)]
    langs = [f"lang{i}" for i in range(synthetic.N_LANGS)]
    for j in range(40):
        for c in engine.rank(ix, nd, j, 5, engine.Weights()):
            words = engine.describe(c, names, langs)
            i = c.helper
            metres = np.hypot(*(h.xy[i] - nd.xy[j]))
            assert words.startswith(f"{metres / 1000:.1f} km away")
            for b in range(synthetic.N_SKILLS):
                said = f"has the 'skill{b}' skill" in words
                assert said == bool(int(h.skills[i, 0] & nd.skills[j, 0]) >> b & 1)
            for b in range(synthetic.N_LANGS):
                said = f"speaks lang{b};" in words
                assert said == bool(int(h.langs[i, 0] & nd.langs[j, 0]) >> b & 1)
            flags = int(nd.flags[j])
            assert ("is vetted" in words) == bool(flags & engine.VETTED)
            assert h.vetted[i] or not flags & engine.VETTED
            assert ("has a car" in words) == bool(flags & engine.CAR)
            assert ("request for personal care" in words) == bool(flags & engine.SAME_GENDER)
            assert ("no pets" in words) == bool(flags & engine.NO_PETS)
            assert "woman" not in words and "gender" not in words
            if not nd.window[j].any():
                assert "free at that time" not in words and "set times" not in words
            elif h.avail[i].any():
                assert "free at that time" in words
                assert (h.avail[i] & nd.window[j]).any()
            else:
                assert "has not set times, so counted as free" in words
            assert f"{h.week_load[i]} task" in words
            assert f"trust {h.trust[i]:.2f}" in words


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


def test_a_qualified_helper_beyond_many_unqualified_ones_is_still_planned():
    # given 300 helpers right next to the need without its skill, and one with it 2 km away,
    # well within the 5 km radius (the nearest 200 used to be taken before the hard rules)
    hs = one_helper_instance(301)
    hs.skills[:300] = 0
    hs.xy[300] = (2000.0, 0.0)
    ix = engine.index_build(hs)
    # when one need for that skill is planned with 50 candidates at most
    plan = solvers.plan(ix, simple_needs(1), engine.Weights(), max_candidates=50)
    # then the qualified helper is assigned, and the need is not reported unmet
    assert plan.assignments == [(0, 300)]
    assert plan.unmet == {} and plan.reasons == {}


def test_each_need_gets_the_cheapest_qualified_candidates_up_to_the_limit():
    # given 120 qualified helpers spread along a line, and 40 unqualified ones nearer
    hs = one_helper_instance(160)
    hs.xy[:, 0] = np.concatenate([np.linspace(500, 4000, 120), np.full(40, 10.0)])
    hs.skills[120:] = 0
    ix = engine.index_build(hs)
    model = solvers.model_build(ix, simple_needs(1), engine.Weights(), max_candidates=50)
    # then the model offers exactly the 50 nearest qualified helpers
    assert sorted(model.pair_helper.tolist()) == list(range(50))


def _gender_instance(genders: list[int], pets: list[bool]):
    hs = one_helper_instance(len(genders))
    hs.gender[:] = genders
    hs.pets[:] = pets
    return engine.index_build(hs)


def test_a_same_gender_need_is_met_only_by_a_helper_of_the_gender_asked_for():
    # given helpers who said nothing (0), woman (1), man (2); one need asking for 1
    ix = _gender_instance([0, 1, 2], [False, False, False])
    nd = simple_needs(1)
    nd.flags[0] = engine.SAME_GENDER
    nd.gender[0] = 1
    # then only the woman is ranked and planned
    assert [c.helper for c in engine.rank(ix, nd, 0, 5, engine.Weights())] == [1]
    assert solvers.plan(ix, nd, engine.Weights()).assignments == [(0, 1)]
    # and a need that did not say which gender matches nobody, saying why
    nd.gender[0] = 0
    assert engine.rank(ix, nd, 0, 5, engine.Weights()) == []
    assert solvers.plan(ix, nd, engine.Weights()).reasons == {0: engine.NO_SAME_GENDER}


def test_a_no_pets_need_is_met_only_by_a_helper_without_pets():
    ix = _gender_instance([0, 0], [True, False])
    nd = simple_needs(1)
    nd.flags[0] = engine.NO_PETS
    assert [c.helper for c in engine.rank(ix, nd, 0, 5, engine.Weights())] == [1]
    ix.helpers.pets[:] = True
    assert solvers.plan(ix, nd, engine.Weights()).reasons == {0: engine.NO_PET_FREE}


def test_unmet_reasons_name_the_requirement_nobody_meets():
    ix = engine.index_build(one_helper_instance(2))
    for flag, code in (
        (engine.VETTED, engine.NO_VETTED),
        (engine.CAR, engine.NO_CAR),
        (engine.ACCESSIBLE, engine.NO_ACCESSIBLE),
    ):
        nd = simple_needs(1)
        nd.flags[0] = flag
        assert solvers.plan(ix, nd, engine.Weights()).reasons == {0: code}
