"""Matching engine: helpers and needs as arrays in, rankings and dispatch plans out. No Django.

Hard filters (skill, language, radius, availability overlap, requirements, not on a break, not
blocked, capacity left) are never violated. Among those who pass, a cost orders them:
distance + skill fit + convex load (each extra task this week costs more) + notification
fatigue + trust. A dispatch plan is a min-cost flow (OR-Tools); `plan_highs` and
`plan_networkx` solve the same model for the benchmark and the same-cost test.

Bitsets are `(n, words)` uint64 matrices. Availability is a week of 30-minute slots (336 bits,
6 words); a helper who set no windows counts as free at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

SLOTS = 336  # 7 days x 48 half hours
SLOT_WORDS = 6
SCALE = 1000  # costs become int64 thousandths
EARTH_M = 6_371_000.0

# Requirement flag bits of a need.
VETTED, CAR, ACCESSIBLE, SAME_GENDER = 1, 2, 4, 8


@dataclass(frozen=True)
class Weights:
    """What a community trades off; all costs are in "km-equivalents"."""

    distance_per_km: float = 1.0
    skill_missing: float = 2.0  # per need skill the helper lacks (fraction of the need's skills)
    load: float = 0.5  # convex: the t-th task this week costs load x (2t - 1)
    fatigue: float = 0.3  # per notification received recently
    trust: float = 1.0  # x (1 - trust in [0, 1])
    radius_km: float = 5.0  # default radius when a need sets none


@dataclass
class Helpers:
    uid: np.ndarray  # int64 user ids
    xy: np.ndarray  # (n, 2) metres; NaN when unknown
    skills: np.ndarray  # (n, ws) uint64
    langs: np.ndarray  # (n, wl) uint64
    avail: np.ndarray  # (n, 6) uint64
    vetted: np.ndarray  # bool
    car: np.ndarray
    accessible: np.ndarray
    gender: np.ndarray  # int8, 0 unknown
    on_break: np.ndarray
    limited: np.ndarray  # capacity status "limited": one open task at most
    open_commitments: np.ndarray  # int
    week_load: np.ndarray  # tasks this week (convex load)
    notified: np.ndarray  # notifications received recently
    trust: np.ndarray | None = None  # float in [0, 1]

    def __len__(self) -> int:
        return int(self.uid.shape[0])


@dataclass
class Needs:
    xy: np.ndarray  # (m, 2) metres; NaN when unknown
    skills: np.ndarray  # (m, ws)
    langs: np.ndarray  # (m, wl), all zero = any language
    window: np.ndarray  # (m, 6), all zero = any time
    places: np.ndarray  # int
    flags: np.ndarray  # int, VETTED | CAR | ACCESSIBLE | SAME_GENDER
    gender: np.ndarray  # int8
    person: np.ndarray  # int64 user id of the person helped, -1 when none
    radius_m: np.ndarray  # float

    def __len__(self) -> int:
        return int(self.places.shape[0])


@dataclass
class Index:
    """Helpers plus their spatial index; build once per community and version, reuse."""

    helpers: Helpers
    tree: cKDTree
    located: np.ndarray  # indices of helpers with a position, in tree order
    unlocated: np.ndarray
    blocked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


# --- building blocks ------------------------------------------------------------------------


def bits_from_pairs(rows, indices, n: int, words: int) -> np.ndarray:
    """(row, bit) pairs -> an (n, words) uint64 bitset matrix, vectorised."""
    flags = np.zeros((n, max(words, 1) * 64), dtype=bool)
    flags[np.asarray(rows, dtype=np.int64), np.asarray(indices, dtype=np.int64)] = True
    return np.packbits(flags, axis=1, bitorder="little").view("<u8").astype(np.uint64)


def bits(indices_per_row: list[list[int]], words: int) -> np.ndarray:
    """Rows of small integer indices -> an (n, words) uint64 bitset matrix."""
    rows = [r for r, indices in enumerate(indices_per_row) for _ in indices]
    flat = [i for indices in indices_per_row for i in indices]
    return bits_from_pairs(rows, flat, len(indices_per_row), words)


def slot_masks(rows, starts, ends, n: int) -> np.ndarray:
    """Weekly minute intervals (row, start, end from Monday 00:00) -> (n, 6) availability rows."""
    rows, starts, ends = (np.asarray(x, dtype=np.int64) for x in (rows, starts, ends))
    first = np.clip(starts // 30, 0, SLOTS)
    last = np.clip(-(-ends // 30), 0, SLOTS)
    counts = np.maximum(last - first, 0)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return bits_from_pairs(
        np.repeat(rows, counts), np.repeat(first, counts) + offsets, n, SLOT_WORDS
    )


def slot_mask(intervals: list[tuple[int, int]]) -> np.ndarray:
    """Weekly minute intervals [(start, end) from Monday 00:00] -> one row of 6 uint64 words."""
    if not intervals:
        return np.zeros(SLOT_WORDS, dtype=np.uint64)
    starts, ends = zip(*intervals, strict=True)
    return slot_masks([0] * len(starts), starts, ends, 1)[0]


def project(lat, lon, lat0: float, lon0: float) -> np.ndarray:
    """Latitude/longitude → metres on a local equirectangular projection around (lat0, lon0)."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    x = np.radians(lon - lon0) * np.cos(np.radians(lat0)) * EARTH_M
    y = np.radians(lat - lat0) * EARTH_M
    return np.stack([x, y], axis=-1)


def pair_key(a, b) -> np.ndarray:
    return (np.asarray(a, dtype=np.int64) << 32) | np.asarray(b, dtype=np.int64)


def index_build(helpers: Helpers, blocked_pairs: list[tuple[int, int]] | None = None) -> Index:
    ok = ~np.isnan(helpers.xy).any(axis=1)
    located = np.flatnonzero(ok)
    keys = [pair_key(a, b) for a, b in blocked_pairs or []]
    keys += [pair_key(b, a) for a, b in blocked_pairs or []]
    blocked = np.unique(np.array(keys, dtype=np.int64)) if keys else np.zeros(0, np.int64)
    tree = cKDTree(helpers.xy[located] if len(located) else np.zeros((0, 2)))
    return Index(helpers, tree, located, np.flatnonzero(~ok), blocked)


def capacity_left(h: Helpers, capacity: int, idx: np.ndarray | None = None) -> np.ndarray:
    sel = slice(None) if idx is None else idx
    limit = np.where(h.limited[sel], min(1, capacity), capacity)
    return np.maximum(0, limit - h.open_commitments[sel])


def _any(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a & b).any(axis=-1)


def hard_filter_rows(
    ix: Index, needs: Needs, js: np.ndarray, cand: np.ndarray, capacity: int
) -> np.ndarray:
    """Mask over `cand` (r, K helper indices for the needs `js`) of those who may help: every
    hard rule at once. The one definition of "may help", used by ranking and plans alike."""
    h = ix.helpers
    col = js[:, None]
    ok = ~h.on_break[cand] & (h.uid[cand] != needs.person[col])
    skills = needs.skills[js][:, None, :]
    ok &= ~skills.any(axis=-1) | _any(h.skills[cand], skills)
    langs = needs.langs[js][:, None, :]
    ok &= ~langs.any(axis=-1) | _any(h.langs[cand], langs)
    window = needs.window[js][:, None, :]
    avail = h.avail[cand]
    ok &= ~window.any(axis=-1) | ~avail.any(axis=-1) | _any(avail, window)
    flags = needs.flags[col]
    ok &= ((flags & VETTED) == 0) | h.vetted[cand]
    ok &= ((flags & CAR) == 0) | h.car[cand]
    ok &= ((flags & ACCESSIBLE) == 0) | h.accessible[cand]
    same = (h.gender[cand] == needs.gender[col]) & (needs.gender[col] != 0)
    ok &= ((flags & SAME_GENDER) == 0) | same
    if len(ix.blocked):
        ok &= ~np.isin(pair_key(needs.person[col], h.uid[cand]), ix.blocked)
    ok &= capacity_left(h, capacity, cand) > 0
    return ok


def hard_filter(ix: Index, needs: Needs, j: int, cand: np.ndarray, capacity: int) -> np.ndarray:
    """Mask over `cand` (helper indices) of those who may help need j."""
    return hard_filter_rows(ix, needs, np.array([j]), cand[None, :], capacity)[0]


def cost_rows(
    ix: Index, needs: Needs, js: np.ndarray, cand: np.ndarray, w: Weights
) -> tuple[np.ndarray, np.ndarray]:
    """(cost without load, distance in metres) for needs `js` with candidates (r, K)."""
    h = ix.helpers
    d = h.xy[cand] - needs.xy[js][:, None, :]
    dist = np.nan_to_num(np.hypot(d[..., 0], d[..., 1]), nan=0.0)
    cost = w.distance_per_km * dist / 1000.0
    skills = needs.skills[js][:, None, :]
    n_skills = np.bitwise_count(skills).sum(axis=-1)
    have = np.bitwise_count(h.skills[cand] & skills).sum(axis=-1)
    cost += w.skill_missing * (n_skills - have) / np.maximum(n_skills, 1)
    cost += w.fatigue * h.notified[cand]
    if h.trust is not None:
        cost += w.trust * (1.0 - h.trust[cand])
    return cost, dist


def _in_radius(ix: Index, needs: Needs, j: int) -> np.ndarray:
    """Helpers within the need's radius (all helpers when the need has no position)."""
    if np.isnan(needs.xy[j]).any():
        return np.arange(len(ix.helpers))
    found = ix.tree.query_ball_point(needs.xy[j], r=float(needs.radius_m[j]))
    return ix.located[np.asarray(found, dtype=np.int64)]


def pair_costs(
    ix: Index, needs: Needs, j: int, cand: np.ndarray, w: Weights
) -> tuple[np.ndarray, np.ndarray]:
    cost, dist = cost_rows(ix, needs, np.array([j]), cand[None, :], w)
    return cost[0], dist[0]


def load_marginal(week_load: np.ndarray, k: int, w: Weights) -> np.ndarray:
    """Cost of the (week_load + k + 1)-th task this week: load x (2t - 1), convex in t."""
    t = week_load + k + 1
    return w.load * (2 * t - 1)


# --- ranking --------------------------------------------------------------------------------


@dataclass
class Candidate:
    helper: int  # index into Helpers
    uid: int
    cost: float
    distance_m: float
    skills: list[int]  # bit indices of the need's skills the helper has
    week_load: int
    notified: int
    trust: float | None


def rank(
    ix: Index, needs: Needs, j: int, k: int, w: Weights, *, capacity: int = 3
) -> list[Candidate]:
    """The k best helpers for need j, cheapest first, each with the terms of its cost."""
    cand = _in_radius(ix, needs, j)
    cand = cand[hard_filter(ix, needs, j, cand, capacity)]
    if not len(cand):
        return []
    cost, dist = pair_costs(ix, needs, j, cand, w)
    cost = cost + load_marginal(ix.helpers.week_load[cand], 0, w)
    top = np.argpartition(cost, k - 1)[:k] if len(cand) > k else np.arange(len(cand))
    top = top[np.lexsort((ix.helpers.uid[cand[top]], cost[top]))]
    return [candidate(ix, needs, j, int(cand[t]), float(cost[t]), float(dist[t])) for t in top]


def candidate(ix: Index, needs: Needs, j: int, i: int, cost: float, dist: float) -> Candidate:
    h = ix.helpers
    skills = []
    for w, word in enumerate(h.skills[i] & needs.skills[j]):
        value = int(word)
        while value:
            low = value & -value
            skills.append(w * 64 + low.bit_length() - 1)
            value ^= low
    return Candidate(
        helper=i,
        uid=int(h.uid[i]),
        cost=cost,
        distance_m=dist,
        skills=skills,
        week_load=int(h.week_load[i]),
        notified=int(h.notified[i]),
        trust=None if h.trust is None else float(h.trust[i]),
    )


def describe(c: Candidate, skill_names: list[str] | None = None) -> str:
    """Plain English reasons (the web layer renders translated ones from the same terms)."""
    parts = [f"{c.distance_m / 1000:.1f} km away"]
    for s in c.skills:
        parts.append(f"has the '{skill_names[s] if skill_names else s}' skill")
    parts.append(f"{c.week_load} task{'s' if c.week_load != 1 else ''} this week")
    if c.notified:
        parts.append(f"{c.notified} recent notification{'s' if c.notified != 1 else ''}")
    return "; ".join(parts)


# --- unmet needs ----------------------------------------------------------------------------

NO_ONE_NEAR, NO_SKILL, NO_LANGUAGE, NO_REQUIREMENT, NOT_FREE, AT_CAPACITY = (
    "nobody_near",
    "nobody_with_skill",
    "nobody_with_language",
    "nobody_meets_requirements",
    "nobody_free_then",
    "everyone_at_capacity",
)


def unmet_reason(ix: Index, needs: Needs, j: int, capacity: int) -> str:
    """Why need j found nobody (or too few): the first filter that empties the pool."""
    h = ix.helpers
    cand = _in_radius(ix, needs, j)
    cand = cand[~h.on_break[cand] & (h.uid[cand] != needs.person[j])]
    if not len(cand):
        return NO_ONE_NEAR
    steps = [
        (NO_SKILL, needs.skills[j].any(), lambda c: _any(h.skills[c], needs.skills[j])),
        (NO_LANGUAGE, needs.langs[j].any(), lambda c: _any(h.langs[c], needs.langs[j])),
    ]
    for code, active, test in steps:
        if active:
            cand = cand[test(cand)]
            if not len(cand):
                return code
    full = hard_filter(ix, needs, j, cand, capacity=10**6)
    if not full.any():
        window_free = needs.window[j].any()
        return NOT_FREE if window_free and _needs_only_time(ix, needs, j, cand) else NO_REQUIREMENT
    return AT_CAPACITY


def _needs_only_time(ix: Index, needs: Needs, j: int, cand: np.ndarray) -> bool:
    saved = needs.window[j].copy()
    needs.window[j] = 0
    try:
        return bool(hard_filter(ix, needs, j, cand, capacity=10**6).any())
    finally:
        needs.window[j] = saved


# --- dispatch plan --------------------------------------------------------------------------


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


def _candidate_blocks(ix: Index, needs: Needs, probe: int, capacity: int, block: int = 2000):
    """(needs, (r, K) candidate helpers, mask) in blocks: the nearest `probe` helpers within
    each need's radius from one vectorised k-d tree query; needs without a position get all."""
    m, n_loc = len(needs), len(ix.located)
    located = ~np.isnan(needs.xy).any(axis=1)
    k = max(1, min(probe, n_loc))
    for start in range(0, m, block):
        js = np.flatnonzero(located[start : start + block]) + start
        if not len(js) or not n_loc:
            continue
        _d, pos = ix.tree.query(needs.xy[js], k=k, distance_upper_bound=needs.radius_m[js].max())
        pos = pos.reshape(len(js), k)
        inside = pos < n_loc
        cand = ix.located[np.where(inside, pos, 0)]
        ok = inside & hard_filter_rows(ix, needs, js, cand, capacity)
        d = ix.helpers.xy[cand] - needs.xy[js][:, None, :]
        ok &= np.hypot(d[..., 0], d[..., 1]) <= needs.radius_m[js][:, None]
        yield js, cand, ok
    for j in np.flatnonzero(~located):
        cand = np.arange(len(ix.helpers))[None, :]
        yield np.array([j]), cand, hard_filter_rows(ix, needs, np.array([j]), cand, capacity)


def model_build(
    ix: Index, needs: Needs, w: Weights, *, max_candidates: int = 50, capacity: int = 3
) -> Model:
    h = ix.helpers
    m = len(needs)
    pn, ph, pc = [], [], []
    for js, cand, ok in _candidate_blocks(ix, needs, max_candidates * 4, capacity):
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
    sink = 1 + m + n_used
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
    penalty = 2 * biggest + 1000 * SCALE
    need_nodes = 1 + np.arange(m, dtype=np.int64)
    tails = np.concatenate([np.zeros(m, np.int64), 1 + pair_need, lt, need_nodes])
    heads = np.concatenate(
        [need_nodes, 1 + m + helper_pos, np.full(len(lt), sink), np.full(m, sink)]
    ).astype(np.int64)
    caps = np.concatenate([places, np.ones(len(pair_need) + len(lt), np.int64), places]).astype(
        np.int64
    )
    costs = np.concatenate(
        [np.zeros(m, np.int64), pair_cost, lc, np.full(m, penalty, np.int64)]
    ).astype(np.int64)
    supplies = np.zeros(sink + 1, np.int64)
    supplies[0], supplies[sink] = places.sum(), -places.sum()
    return Model(
        tails, heads, caps, costs, supplies, pair_need, pair_helper, m, m, used.astype(np.int64)
    )


def _plan_from_flow(ix: Index, needs: Needs, model: Model, flow: np.ndarray, capacity: int) -> Plan:
    m = model.n_needs
    start, stop = model.pair_start, model.pair_start + len(model.pair_need)
    chosen = np.flatnonzero(np.round(flow[start:stop]) > 0)
    assignments = [(int(model.pair_need[a]), int(model.pair_helper[a])) for a in chosen]
    penalty_flow = np.round(flow[-m:]).astype(np.int64) if m else np.zeros(0, np.int64)
    unmet = {int(j): int(penalty_flow[j]) for j in np.flatnonzero(penalty_flow)}
    reasons = {j: unmet_reason(ix, needs, j, capacity) for j in unmet}
    cost = int(np.round(np.dot(np.round(flow).astype(np.int64), model.costs)))
    return Plan(assignments, unmet, reasons, cost, model)


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
