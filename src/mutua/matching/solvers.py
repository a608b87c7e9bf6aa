"""Dispatch plans: a min-cost flow over the engine's filters and costs. No Django.

`model_build` turns needs and helpers into a flow network as arrays (source → needs → helpers
→ sink, with each helper's convex load as parallel unit arcs of rising cost, and a penalty arc
per need for places that cannot be filled, dearer for more urgent needs, so that when helpers
are short the urgent are served first). A need with a time reaches its helper through a node
(helper, time group) of capacity 1: a helper gets at most one need per part of a day
(`engine.time_groups`), beneath their weekly capacity, so nobody is booked twice at once.
`plan_solve` solves it with OR-Tools' SimpleMinCostFlow; `plan_highs` (scipy's HiGHS, as a
linear programme) and `plan_networkx` (network simplex) solve the same model for the benchmark
and the same-cost test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from mutua.matching.engine import (
    AT_CAPACITY,
    FLEXIBLE,
    MORE_URGENT,
    SCALE,
    Index,
    Needs,
    Weights,
    capacity_left,
    cost_rows,
    hard_filter_rows,
    load_marginal,
    time_groups,
    unmet_reason,
    with_skills,
)


@dataclass
class Model:
    """The flow network, as arrays: nodes 0 = source, 1..m needs, then helpers, last = sink."""

    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray  # int64, scaled
    supplies: np.ndarray
    pair_need: np.ndarray  # per need→helper arc (the first len(pair_need) arcs after sources)
    pair_helper: np.ndarray
    pair_start: int
    n_needs: int
    helpers_used: np.ndarray  # helper index per helper node


@dataclass
class Plan:
    assignments: list[tuple[int, int]]  # (need index, helper index)
    unmet: dict[int, int]  # need index → places not filled
    reasons: dict[int, str]
    cost: int  # total scaled cost, penalties included
    model: Model | None = None


# A place is left unfilled only when filling it would take more than this much reshuffling of
# other assignments (in km-equivalents) on top of any one assignment's cost. Larger values
# change no plan we have measured and make the flow slower (cost scaling works in log(C)).
UNMET_PENALTY_KM = 100
PAIRS_PER_BLOCK = 400_000  # candidate pairs filtered at once: bounds memory, not results
MAX_POOLS = 64  # skill sets with a k-d tree of their own; rarer ones search the common pool


def _pools(ix: Index, needs: Needs, js: np.ndarray, capacity: int):
    """(needs, helper indices) per group of needs asking for the same skills.

    A pool holds only located helpers who have one of the group's skills, are not on a break
    and have capacity left, so the nearest neighbours in it are mostly qualified. The largest
    `MAX_POOLS` groups get a pool each; the other needs share the pool of everyone free."""
    if not len(js):
        return
    h = ix.helpers
    free = ~h.on_break & (capacity_left(h, capacity) > 0)
    free[ix.unlocated] = False
    rows = np.ascontiguousarray(needs.skills[js])
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse, counts = np.unique(
        keys, return_index=True, return_inverse=True, return_counts=True
    )
    largest = set(np.argsort(-counts, kind="stable")[:MAX_POOLS].tolist())
    groups = np.split(js[np.argsort(inverse.ravel(), kind="stable")], np.cumsum(counts)[:-1])
    common: list[np.ndarray] = []
    for g, group in enumerate(groups):
        skills = rows[first[g]]
        if not skills.any() or g not in largest:
            common.append(group)
            continue
        yield group, np.flatnonzero(free & (h.skills & skills).any(axis=1))
    if common:
        yield np.concatenate(common), np.flatnonzero(free)


def _candidate_blocks(ix: Index, needs: Needs, max_candidates: int, capacity: int):
    """(needs, (r, K) candidate helpers, mask of those who pass every hard rule), in blocks.

    Hard rules first, nearest first: each need's pool is searched outward from its place, and
    the search widens until `max_candidates` pass or the radius is exhausted, so a qualified
    helper within the radius is never lost behind nearer ones who do not qualify. Needs
    without a position consider the helpers with one of their skills (the skill index), or
    everyone when they ask for no skill."""
    located = ~np.isnan(needs.xy).any(axis=1)
    for group, idx in _pools(ix, needs, np.flatnonzero(located), capacity):
        yield from _widening(ix, needs, group, idx, max_candidates, capacity)
    for j in np.flatnonzero(~located):
        if needs.skills[j].any():
            found = with_skills(ix, needs.skills[j])
        else:
            found = np.arange(len(ix.helpers))
        if not len(found):
            continue
        cand = found[None, :]
        yield np.array([j]), cand, hard_filter_rows(ix, needs, np.array([j]), cand, capacity)


def _widening(ix, needs, pending, idx, max_candidates: int, capacity: int):
    n_pool = len(idx)
    if not n_pool or not len(pending):
        return
    tree = cKDTree(ix.helpers.xy[idx])
    k = max(1, min(max_candidates * 4, n_pool))
    while len(pending):
        rows, later = max(1, PAIRS_PER_BLOCK // k), []
        for start in range(0, len(pending), rows):
            js = pending[start : start + rows]
            radius = needs.radius_m[js]
            dist, pos = tree.query(needs.xy[js], k=k, distance_upper_bound=float(radius.max()))
            dist, pos = dist.reshape(len(js), k), pos.reshape(len(js), k)
            inside = dist <= radius[:, None]
            cand = idx[np.where(pos < n_pool, pos, 0)]
            ok = inside & hard_filter_rows(ix, needs, js, cand, capacity)
            done = ~inside[:, -1] | (k >= n_pool) | (ok.sum(axis=1) >= max_candidates)
            if done.any():
                yield js[done], cand[done], ok[done]
            later.append(js[~done])
        pending = np.concatenate(later)
        k = min(k * 4, n_pool)


def model_build(
    ix: Index, needs: Needs, w: Weights, *, max_candidates: int = 50, capacity: int = 3
) -> Model:
    h = ix.helpers
    m = len(needs)
    pn, ph, pc = [], [], []
    for js, cand, ok in _candidate_blocks(ix, needs, max_candidates, capacity):
        cost, _ = cost_rows(ix, needs, js, cand, w)
        cost = np.where(ok, cost, np.inf)
        if cost.shape[1] > max_candidates:
            keep = np.argpartition(cost, max_candidates - 1, axis=1)[:, :max_candidates]
            cand = np.take_along_axis(cand, keep, axis=1)
            cost = np.take_along_axis(cost, keep, axis=1)
        finite = np.isfinite(cost)
        pn.append(np.broadcast_to(js[:, None], cand.shape)[finite])
        ph.append(cand[finite])
        pc.append(cost[finite])
    pair_need = np.concatenate(pn) if pn else np.zeros(0, np.int64)
    pair_helper = np.concatenate(ph) if ph else np.zeros(0, np.int64)
    pair_cost = np.round(np.concatenate(pc) * SCALE).astype(np.int64) if pc else np.zeros(0, int)
    used, helper_pos = np.unique(pair_helper, return_inverse=True)
    n_used = len(used)
    # A timed need's pair arcs end at a (helper, time group) node of capacity 1, which leads on
    # to the helper; where a helper is a candidate of one need only in a group, the pair arc
    # (capacity 1) is limit enough and goes straight to the helper: far fewer nodes.
    group = time_groups(needs.span, m)[pair_need]
    groups = int(group.max(initial=0)) + 1
    timed = np.flatnonzero(group >= 0)
    keys = helper_pos[timed].astype(np.int64) * groups + group[timed]
    bucket_keys, bucket_of, per_bucket = np.unique(keys, return_inverse=True, return_counts=True)
    shared = per_bucket >= 2
    renumber = np.cumsum(shared) - 1
    bucket_keys = bucket_keys[shared]
    n_buckets = len(bucket_keys)
    bucket_helper = bucket_keys // groups
    pair_head = 1 + m + helper_pos.astype(np.int64)
    via = shared[bucket_of.ravel()]
    pair_head[timed[via]] = 1 + m + n_used + renumber[bucket_of.ravel()[via]]
    sink = 1 + m + n_used + n_buckets
    left = capacity_left(h, capacity, used)
    # Convex load: k parallel unit arcs per helper, the k-th costing the k-th marginal load.
    load_tails, load_costs = [], []
    for k in range(capacity):
        has = np.flatnonzero(left > k)
        load_tails.append(1 + m + has)
        load_costs.append(np.round(load_marginal(h.week_load[used[has]], k, w) * SCALE))
    lt = np.concatenate(load_tails).astype(np.int64)
    lc = np.concatenate(load_costs).astype(np.int64)
    places = needs.places.astype(np.int64)
    biggest = (int(pair_cost.max()) if len(pair_cost) else 0) + (int(lc.max()) if len(lc) else 0)
    penalty = (2 * biggest + UNMET_PENALTY_KM * SCALE) * (1 + _urgency(needs))
    need_nodes = 1 + np.arange(m, dtype=np.int64)
    bucket_nodes = 1 + m + n_used + np.arange(n_buckets, dtype=np.int64)
    tails = np.concatenate([np.zeros(m, np.int64), 1 + pair_need, lt, bucket_nodes, need_nodes])
    heads = np.concatenate(
        [need_nodes, pair_head, np.full(len(lt), sink), 1 + m + bucket_helper, np.full(m, sink)]
    ).astype(np.int64)
    caps = np.concatenate(
        [places, np.ones(len(pair_need) + len(lt) + n_buckets, np.int64), places]
    ).astype(np.int64)
    costs = np.concatenate(
        [np.zeros(m, np.int64), pair_cost, lc, np.zeros(n_buckets, np.int64), penalty]
    ).astype(np.int64)
    supplies = np.zeros(sink + 1, np.int64)
    supplies[0], supplies[sink] = places.sum(), -places.sum()
    return Model(
        tails, heads, caps, costs, supplies, pair_need, pair_helper, m, m, used.astype(np.int64)
    )


def _urgency(needs: Needs) -> np.ndarray:
    m = len(needs)
    if needs.urgency is None:
        return np.full(m, FLEXIBLE, dtype=np.int64)
    return needs.urgency.astype(np.int64)


def _plan_from_flow(ix: Index, needs: Needs, model: Model, flow: np.ndarray, capacity: int) -> Plan:
    m = model.n_needs
    start, stop = model.pair_start, model.pair_start + len(model.pair_need)
    chosen = np.flatnonzero(np.round(flow[start:stop]) > 0)
    assignments = [(int(model.pair_need[a]), int(model.pair_helper[a])) for a in chosen]
    penalty_flow = np.round(flow[-m:]).astype(np.int64) if m else np.zeros(0, np.int64)
    unmet = {int(j): int(penalty_flow[j]) for j in np.flatnonzero(penalty_flow)}
    reasons = {j: unmet_reason(ix, needs, j, capacity) for j in unmet}
    for j in _left_for_more_urgent(needs, model, chosen, unmet):
        if reasons[j] == AT_CAPACITY:
            reasons[j] = MORE_URGENT
    cost = int(np.round(np.dot(np.round(flow).astype(np.int64), model.costs)))
    return Plan(assignments, unmet, reasons, cost, model)


def _left_for_more_urgent(needs: Needs, model: Model, chosen: np.ndarray, unmet) -> set[int]:
    """Unmet needs with a candidate helper who was given a more urgent need in this plan."""
    if not unmet or not len(chosen):
        return set()
    urgency = _urgency(needs)
    helpers = model.pair_helper
    top = np.full(int(helpers.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(top, helpers[chosen], urgency[model.pair_need[chosen]])
    later = top[helpers] > urgency[model.pair_need]
    return set(np.unique(model.pair_need[later]).tolist()) & set(unmet)


def plan(
    ix: Index, needs: Needs, w: Weights, *, max_candidates: int = 50, capacity: int = 3
) -> Plan:
    """Min-cost flow with OR-Tools' SimpleMinCostFlow (array API)."""
    model = model_build(ix, needs, w, max_candidates=max_candidates, capacity=capacity)
    return plan_solve(ix, needs, model, capacity)


def plan_solve(ix: Index, needs: Needs, model: Model, capacity: int = 3) -> Plan:
    from ortools.graph.python import min_cost_flow

    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        model.tails, model.heads, model.caps, model.costs
    )
    smcf.set_nodes_supplies(np.arange(len(model.supplies)), model.supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min cost flow failed: {status}")
    flow = smcf.flows(arcs)
    return _plan_from_flow(ix, needs, model, flow, capacity)


def plan_highs(ix: Index, needs: Needs, model: Model, capacity: int = 3) -> Plan:
    """The same model as a linear programme for scipy's HiGHS (exact: the matrix is TU)."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    n_arcs, n_nodes = len(model.tails), len(model.supplies)
    rows = np.concatenate([model.tails, model.heads])
    cols = np.concatenate([np.arange(n_arcs), np.arange(n_arcs)])
    vals = np.concatenate([np.ones(n_arcs), -np.ones(n_arcs)])
    a_eq = csr_array((vals, (rows, cols)), shape=(n_nodes, n_arcs))
    res = linprog(
        model.costs.astype(float),
        A_eq=a_eq,
        b_eq=model.supplies.astype(float),
        bounds=np.stack([np.zeros(n_arcs), model.caps.astype(float)], axis=1),
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(res.message)
    return _plan_from_flow(ix, needs, model, res.x, capacity)


def plan_networkx(ix: Index, needs: Needs, model: Model, capacity: int = 3) -> Plan:
    """networkx's network_simplex. A DiGraph merges parallel arcs, so each helper's k-th load
    arc goes through its own node (helper, k) and need→helper pairs are already unique."""
    import networkx as nx

    g = nx.DiGraph()
    for node, supply in enumerate(model.supplies):
        g.add_node(int(node), demand=-int(supply))
    n_arcs = len(model.tails)
    seen: dict[int, int] = {}
    edge_of: list[tuple[int, object]] = []
    for a in range(n_arcs):
        t, hd = int(model.tails[a]), int(model.heads[a])
        cap, cost = int(model.caps[a]), int(model.costs[a])
        n = seen.get(t * 10_000_000 + hd, 0)
        seen[t * 10_000_000 + hd] = n + 1
        if n == 0:
            g.add_edge(t, hd, capacity=cap, weight=cost)
            edge_of.append((t, hd))
        else:
            mid = ("mid", a)
            g.add_edge(t, mid, capacity=cap, weight=cost)
            g.add_edge(mid, hd, capacity=cap, weight=0)
            edge_of.append((t, mid))
    _, flows = nx.network_simplex(g)
    flow = np.array([flows[t][hd] for t, hd in edge_of], dtype=np.int64)
    return _plan_from_flow(ix, needs, model, flow, capacity)
