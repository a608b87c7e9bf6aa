"""The trust engine on arrays: table cases, properties and the Sybil attack from issue 7."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.trust import engine
from mutua.trust.graphs import distinct_edges, small_world, sybil_attack
from mutua.trust.models import TrustSettings


def _default(name: str):
    return TrustSettings._meta.get_field(name).default


# A new community's own defaults, read from the model (a changed default is tested here too).
KNOWN_AT, TRUSTED_AT = _default("known_at"), _default("trusted_at")
DEFAULTS = {
    "known_at": KNOWN_AT,
    "trusted_at": TRUSTED_AT,
    "min_backers": _default("min_backers"),
    "params": engine.Params(damping=_default("damping")),
}


def _run(n, edges, seeds, weight=None, params=engine.Params()):
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    return engine.personalised_pagerank(n, src, dst, weight, np.array(seeds), params)


def test_a_member_nobody_reaches_from_the_seeds_has_no_trust():
    # given a chain 0 -> 1 -> 2 and an island 3 <-> 4 that vouch for each other
    result = _run(5, [(0, 1), (1, 2), (3, 4), (4, 3)], [0])
    # then the island holds nothing and the distances say why
    assert result.scores[3] == 0 and result.scores[4] == 0
    assert list(result.distance) == [0, 1, 2, -1, -1]


def test_scores_sum_to_one_and_converge_to_the_absolute_tolerance():
    result = _run(4, [(0, 1), (1, 2), (2, 0), (2, 3)], [0])
    assert result.converged
    assert result.scores.sum() == pytest.approx(1.0, abs=1e-9)


def test_without_seeds_every_score_is_zero():
    result = _run(3, [(0, 1)], [])
    assert result.scores.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("norm", "expected"),
    [
        (0.0, "new"),
        (0.19, "new"),
        (0.2, "known"),
        (0.99, "known"),
        (1.0, "trusted"),
        (7, "trusted"),
    ],
)
def test_levels_follow_the_thresholds(norm, expected):
    codes = engine.levels(np.array([norm]), KNOWN_AT, TRUSTED_AT)
    assert engine.level_names(codes) == [expected]


def test_trusted_needs_two_backers_with_standing_except_for_seeds():
    norm = np.array([5.0, 3.0])
    codes = engine.levels(norm, KNOWN_AT, TRUSTED_AT, backer_counts=np.array([0, 1]), seeds=[0])
    assert engine.level_names(codes) == ["trusted", "known"]


def test_normalised_score_is_one_on_average_whatever_the_size():
    for n in (50, 5000):
        src, dst = small_world(n, 10, 0.1, np.random.default_rng(1))
        result = engine.personalised_pagerank(n, src, dst, None, np.array([0, n // 2]))
        assert engine.normalised(result.scores).mean() == pytest.approx(1.0)


def test_the_out_weight_floor_caps_what_one_vouch_confers():
    # given a seed who vouches for one member only
    guarded = _run(3, [(0, 1)], [0])
    plain = _run(3, [(0, 1)], [0], params=engine.PLAIN)
    # then the single vouch passes at most 1/min_out_weight of the seed's trust
    assert guarded.scores[1] < plain.scores[1]
    assert guarded.scores[1] <= 0.85 * guarded.scores[0] / 3 + 1e-9


def test_capacity_by_distance_shrinks_what_deep_members_pass_on():
    chain = [(i, i + 1) for i in range(9)]
    guarded = _run(10, chain, [0], params=engine.Params(min_out_weight=0, full_depth=2))
    plain = _run(10, chain, [0], params=engine.PLAIN)
    assert guarded.scores[9] < plain.scores[9]


def test_reliability_punishes_no_shows_and_forgives_notice():
    factor = engine.reliability(
        np.array([10, 10, 10]),
        np.array([0, 0, 0]),
        np.array([0, 3, 0]),
        np.array([0, 0, 0]),
        np.array([0, 0, 0]),
    )
    assert factor[0] == 1.0 and factor[1] < factor[0] and factor[2] == factor[0]


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 40),
    edges=st.lists(
        st.tuples(st.integers(0, 39), st.integers(0, 39), st.floats(0.1, 5)), max_size=120
    ),
    seed_count=st.integers(1, 3),
)
def test_scores_are_a_distribution_on_members_reached_from_the_seeds(n, edges, seed_count):
    edges = [(a % n, b % n, w) for a, b, w in edges]
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges])
    seeds = np.arange(min(seed_count, n))
    result = engine.personalised_pagerank(n, src, dst, w, seeds)
    assert result.converged
    assert (result.scores >= 0).all()
    assert result.scores.sum() == pytest.approx(1.0, abs=1e-8)
    assert (result.scores[result.distance < 0] == 0).all()


@settings(max_examples=20, deadline=None)
@given(extra=st.integers(1, 30), rng_seed=st.integers(0, 10_000))
def test_fakes_vouching_for_each_other_create_no_trust(extra, rng_seed):
    # given any cluster wired only to itself (vouches and staged exchanges), adding more
    # internal vouches gives it nothing
    rng = np.random.default_rng(rng_seed)
    a = sybil_attack(rng, honest=60, fakes=20, degree=6, fake_degree=5, attack_edges=0)
    src, dst, w = a.edges()
    base = engine.personalised_pagerank(a.n, src, dst, w, a.seeds)
    more_src = a.honest + rng.integers(0, 20, size=extra)
    more_dst = a.honest + rng.integers(0, 20, size=extra)
    again = engine.personalised_pagerank(
        a.n,
        np.concatenate([src, more_src]),
        np.concatenate([dst, more_dst]),
        np.concatenate([w, np.ones(extra)]),
        a.seeds,
    )
    assert again.scores[a.honest :].sum() == 0 == base.scores[a.honest :].sum()


def test_sybil_cluster_holds_under_five_percent_and_never_reaches_trusted():
    # given 1,000 honest members (small world of vouches and confirmed exchanges, average degree
    # about 10, five stewards) and 200 fakes vouching for 20 others each and staging exchanges
    # among themselves, joined by 5 attack edges from honest non-stewards
    for rng_seed in range(5):
        a = sybil_attack(np.random.default_rng(rng_seed))
        src, dst, w = a.edges()
        assert a.n == 1200 and np.intersect1d(a.seeds, a.src[-5:]).size == 0
        assert 9 <= np.bincount(src[src < a.honest]).mean() <= 11
        # when trust is computed with the community's default settings
        result, _norm, codes = engine.score_levels(a.n, src, dst, w, a.seeds, **DEFAULTS)
        # then the fakes hold under 5% of the mass and none of them is trusted
        assert result.scores[a.honest :].sum() < 0.05
        assert (codes[a.honest :] < 2).all()
        # while honest members do reach every level
        assert {0, 1, 2} <= set(codes[: a.honest].tolist())
        # and a plain vouch count, normalised the same way, would make every fake trusted
        counts = np.bincount(a.dst, minlength=a.n).astype(float)
        by_count = engine.levels(counts / counts.mean(), KNOWN_AT, TRUSTED_AT)
        assert (by_count[a.honest :] == 2).all()


def test_one_compromised_member_vouching_for_fifty_fakes_gives_bounded_gain():
    damping = DEFAULTS["params"].damping
    for rng_seed in range(5):
        a = sybil_attack(np.random.default_rng(rng_seed), attack_edges=0, compromised_fan_out=50)
        src, dst, w = a.edges()
        result, _norm, codes = engine.score_levels(a.n, src, dst, w, a.seeds, **DEFAULTS)
        fake_mass = result.scores[a.honest :].sum()
        # the fakes can never hold more than damping/(1-damping) x what the traitor holds
        assert fake_mass <= damping / (1 - damping) * result.scores[a.traitor] + 1e-12
        # and in numbers: under 1% of all trust, no fake beyond "known"
        assert fake_mass < 0.01
        assert (codes[a.honest :] < 2).all()


def test_distinct_edges_gives_exactly_the_number_asked_for():
    src, dst = distinct_edges(5_000, 50_000, 10, np.random.default_rng(2))
    assert src.shape[0] == 50_000
    assert np.unique(src * 5_000 + dst).shape[0] == 50_000
    assert (src != dst).all()


def test_a_large_graph_in_single_precision_and_two_threads_meets_the_float64_tolerance():
    # given 220,000 members and about 2.2 million edges: the float32 phase and the two-thread
    # product both run (plain mode, so the fixed point is textbook PageRank)
    n = 220_000
    rng = np.random.default_rng(3)
    src, dst = small_world(n, 10, 0.1, rng)
    w = rng.uniform(0.25, 1.5, size=src.shape[0])
    seeds = np.array([0, n // 2])
    assert src.shape[0] >= engine.THREAD_MIN_NNZ
    result = engine.personalised_pagerank(
        n, src, dst, w, seeds, engine.Params(tol=1e-9, full_depth=-1, min_out_weight=0.0)
    )
    # then one more step computed independently in float64 moves the scores by under 1e-8
    x = result.scores
    assert result.converged and x.dtype == np.float64
    out = np.bincount(src, weights=w, minlength=n)
    flow = np.bincount(dst, weights=w * x[src] / out[src], minlength=n)
    step = 0.85 * flow
    step[seeds] += (1 - 0.85 + 0.85 * x[out == 0].sum()) / len(seeds)
    assert np.abs(step - x).sum() < 1e-8
    assert x.sum() == pytest.approx(1.0, abs=1e-8)
