"""Matching engine: helpers and needs as arrays in, rankings and dispatch plans out. No Django.

Hard filters (skill, language, radius, availability overlap, requirements, not on a break, not
blocked, capacity left) are never violated. Among those who pass, a cost orders them:
distance + skill fit + convex load (each extra task this week costs more) + notification
fatigue + trust. Dispatch plans (min-cost flow and the solvers it is compared with) are in
`solvers.py`, built on the filters and costs here.

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
