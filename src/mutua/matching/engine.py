"""Matching engine: helpers and needs as arrays in, rankings and dispatch plans out. No Django.

Hard filters (skill, language, radius, availability overlap, no clash with the helper's other
tasks at that time, requirements, not on a break, not blocked, capacity left, the trust gate of
needs with private details) are never violated. Among those who pass, a cost orders them:
distance (counting more for urgent needs) + skill fit + convex load (each extra task this week
costs more) + notification fatigue + trust + reciprocity (a little for those who have given far
more than they received lately). Dispatch plans (min-cost flow and the solvers it is compared
with) are in `solvers.py`, built on the filters and costs here.

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
VETTED, CAR, ACCESSIBLE, SAME_GENDER, NO_PETS = 1, 2, 4, 8, 16
REQUIREMENT_BITS = (VETTED, CAR, ACCESSIBLE, SAME_GENDER, NO_PETS)
# Not a requirement the person sets: the need has private details (a home address), so only
# helpers who pass the community's trust gate (`Helpers.may_see_private`) may take it.
PRIVATE = 32
REQUIREMENT_MASK = sum(REQUIREMENT_BITS)

# How a helper's time fits the need's (a Candidate's `availability`).
ANY_TIME, FREE_THEN, NO_TIMES_SET = "any_time", "free_then", "no_times_set"

# Urgency codes of a need: a more urgent need is served first when helpers are short (its
# unmet places cost more in a plan) and nearness counts more for it (someone close comes soon).
FLEXIBLE, WEEK, DAY, IMMEDIATE = 0, 1, 2, 3
URGENT_DISTANCE = (1.0, 1.0, 1.5, 2.0)  # distance weight factor, by urgency code

# Reciprocity: hours given minus received lately count up to this many (a gentle term), and
# are said in words from this many on.
RECIPROCITY_CAP_HOURS = 40.0
RECIPROCITY_SAY_HOURS = 10

# Parts of a day (minutes from midnight) for dispatch plans: a helper gets at most one need
# per part of a day (morning, afternoon, evening), merged where one need spans several.
DAY_PARTS = (0, 12 * 60, 17 * 60)


@dataclass(frozen=True)
class Weights:
    """What a community trades off; all costs are in "km-equivalents"."""

    distance_per_km: float = 1.0
    skill_missing: float = 2.0  # per need skill the helper lacks (fraction of the need's skills)
    load: float = 0.5  # convex: the t-th task this week costs load x (2t - 1)
    fatigue: float = 0.3  # per notification received recently
    trust: float = 1.0  # x (1 - trust in [0, 1])
    radius_km: float = 5.0  # default radius when a need sets none
    # per 10 hours given more than received lately, up to RECIPROCITY_CAP_HOURS
    reciprocity: float = 0.2


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
    pets: np.ndarray  # bool: keeps pets at home
    gender: np.ndarray  # int8, 0 unknown (never matches a same-gender need)
    on_break: np.ndarray
    limited: np.ndarray  # capacity status "limited": one open task at most
    open_commitments: np.ndarray  # int
    week_load: np.ndarray  # tasks this week (convex load)
    notified: np.ndarray  # notifications received recently
    trust: np.ndarray | None = None  # float in [0, 1]
    may_see_private: np.ndarray | None = None  # bool: passes the trust gate; None = no gate
    given_more_h: np.ndarray | None = None  # hours given minus received lately; None: no ledger
    # Times already taken (open commitments, waiting asks): helper i's spans are
    # busy_span[busy_ptr[i]:busy_ptr[i + 1]], (start, end) in local minutes since 1970.
    busy_ptr: np.ndarray | None = None
    busy_span: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.uid.shape[0])


@dataclass
class Needs:
    xy: np.ndarray  # (m, 2) metres; NaN when unknown
    skills: np.ndarray  # (m, ws)
    langs: np.ndarray  # (m, wl), all zero = any language
    window: np.ndarray  # (m, 6), all zero = any time
    places: np.ndarray  # int
    flags: np.ndarray  # int, VETTED | CAR | ACCESSIBLE | SAME_GENDER | NO_PETS | PRIVATE
    gender: np.ndarray  # int8: the helper gender a same-gender need asks for, 0 unknown
    person: np.ndarray  # int64 user id of the person helped, -1 when none
    radius_m: np.ndarray  # float
    urgency: np.ndarray | None = None  # int8 urgency code (FLEXIBLE .. IMMEDIATE); None: flexible
    span: np.ndarray | None = None  # (m, 2) int64 local minutes since 1970 (start, end); -1: none

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
    # Inverted index by skill: helpers with skill bit b are skill_helpers[skill_ptr[b]:...[b + 1]]
    # (for needs without a position, which the spatial index cannot narrow).
    skill_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    skill_helpers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


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
    skill_ptr, skill_helpers = _skill_index(helpers.skills)
    return Index(helpers, tree, located, np.flatnonzero(~ok), blocked, skill_ptr, skill_helpers)


def _skill_index(skills: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, words) skill bitsets -> CSR of helper indices per skill bit, each list sorted."""
    flags = np.unpackbits(skills.astype("<u8").view(np.uint8), axis=1, bitorder="little")
    bit, helper = np.nonzero(flags.T)  # row-major over bits: helpers sorted within each bit
    counts = np.bincount(bit, minlength=flags.shape[1])
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), helper.astype(np.int64)


def with_skills(ix: Index, skills: np.ndarray) -> np.ndarray:
    """Helpers with at least one of these skills (a bitset row), sorted, from the index."""
    bits_wanted = _bit_list(skills)
    lists = [ix.skill_helpers[ix.skill_ptr[b] : ix.skill_ptr[b + 1]] for b in bits_wanted
             if b + 1 < len(ix.skill_ptr)]  # fmt: skip
    return np.unique(np.concatenate(lists)) if lists else np.zeros(0, dtype=np.int64)


def time_groups(span: np.ndarray | None, m: int) -> np.ndarray:
    """Per need, the group of parts of days its time touches (-1 when it has no time).

    Parts of a day are buckets in time order; a need touches a run of them, and runs that share
    a bucket merge into one group. Needs whose times overlap share a bucket, so a helper who
    takes at most one need per group never has two at the same time."""
    group = np.full(m, -1, dtype=np.int64)
    if span is None or not m:
        return group
    timed = np.flatnonzero((span[:, 0] >= 0) & (span[:, 1] > span[:, 0]))
    if not len(timed):
        return group
    parts = np.asarray(DAY_PARTS)

    def bucket(t: np.ndarray) -> np.ndarray:
        part = np.searchsorted(parts, t % 1440, side="right") - 1
        return (t // 1440) * len(parts) + part

    first, last = bucket(span[timed, 0]), bucket(span[timed, 1] - 1)
    order = np.argsort(first, kind="stable")
    reach = np.maximum.accumulate(last[order])
    starts = np.concatenate([[True], first[order][1:] > reach[:-1]])
    group[timed[order]] = np.cumsum(starts) - 1
    return group


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
    # Language and time apply to some needs only: test just those rows (the gathers are big).
    spoken = np.flatnonzero(needs.langs[js].any(axis=1))
    if len(spoken):
        langs = needs.langs[js[spoken]][:, None, :]
        ok[spoken] &= _any(h.langs[cand[spoken]], langs)
    timed = np.flatnonzero(needs.window[js].any(axis=1))
    if len(timed):
        window = needs.window[js[timed]][:, None, :]
        avail = h.avail[cand[timed]]
        ok[timed] &= ~avail.any(axis=-1) | _any(avail, window)
    flags = needs.flags[col]
    ok &= ((flags & VETTED) == 0) | h.vetted[cand]
    ok &= ((flags & CAR) == 0) | h.car[cand]
    ok &= ((flags & ACCESSIBLE) == 0) | h.accessible[cand]
    same = (h.gender[cand] == needs.gender[col]) & (needs.gender[col] != 0)
    ok &= ((flags & SAME_GENDER) == 0) | same
    ok &= ((flags & NO_PETS) == 0) | ~h.pets[cand]
    if h.may_see_private is not None:
        ok &= ((flags & PRIVATE) == 0) | h.may_see_private[cand]
    if len(ix.blocked):  # sorted and unique (index_build): a binary search per pair
        keys = pair_key(needs.person[col], h.uid[cand])
        at = np.minimum(np.searchsorted(ix.blocked, keys), len(ix.blocked) - 1)
        ok &= ix.blocked[at] != keys
    if needs.span is not None and h.busy_ptr is not None and h.busy_span is not None:
        timed = np.flatnonzero(needs.span[js, 0] >= 0)
        if len(timed) and len(h.busy_span):
            ok[timed] &= ~_clashes(h, needs.span[js[timed]], cand[timed])
    ok &= capacity_left(h, capacity, cand) > 0
    return ok


def _clashes(h: Helpers, spans: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Mask over `cand` (r, K) of helpers with a task whose time overlaps row r's span."""
    assert h.busy_ptr is not None and h.busy_span is not None
    first = h.busy_ptr[cand]
    count = h.busy_ptr[cand + 1] - first
    start, end = spans[:, 0][:, None], spans[:, 1][:, None]
    clash = np.zeros(cand.shape, dtype=bool)
    for t in range(int(count.max()) if count.size else 0):
        at = np.minimum(first + t, len(h.busy_span) - 1)
        busy = h.busy_span[at]
        clash |= (count > t) & (busy[..., 0] < end) & (busy[..., 1] > start)
    return clash


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
    per_km = w.distance_per_km
    if needs.urgency is not None:
        per_km = per_km * np.asarray(URGENT_DISTANCE)[needs.urgency[js]][:, None]
    cost = per_km * dist / 1000.0
    skills = needs.skills[js][:, None, :]
    n_skills = np.bitwise_count(skills).sum(axis=-1)
    have = np.bitwise_count(h.skills[cand] & skills).sum(axis=-1)
    cost += w.skill_missing * (n_skills - have) / np.maximum(n_skills, 1)
    cost += w.fatigue * h.notified[cand]
    if h.trust is not None:
        cost += w.trust * (1.0 - h.trust[cand])
    if h.given_more_h is not None:
        cost += reciprocity_cost(h.given_more_h[cand], w)
    return cost, dist


def reciprocity_cost(given_more_h: np.ndarray, w: Weights) -> np.ndarray:
    """A gentle cost for those who gave far more than they received lately: capped, finite, so
    it spares them a little and never makes anyone ineligible. Receiving more costs nothing."""
    return w.reciprocity * np.clip(given_more_h, 0.0, RECIPROCITY_CAP_HOURS) / 10.0


def _in_radius(ix: Index, needs: Needs, j: int) -> np.ndarray:
    """Helpers within the need's radius (all helpers when the need has no position)."""
    if np.isnan(needs.xy[j]).any():
        return np.arange(len(ix.helpers))
    found = ix.tree.query_ball_point(needs.xy[j], r=float(needs.radius_m[j]))
    return ix.located[np.asarray(found, dtype=np.int64)]


def candidates_of(ix: Index, needs: Needs, j: int) -> np.ndarray:
    """Helpers worth testing against need j's hard rules: those in its radius (spatial index);
    for a need without a position that asks for skills, those with one of them (skill index).
    Only a need with neither position nor skill considers everyone, as all may help it."""
    if np.isnan(needs.xy[j]).any() and needs.skills[j].any():
        return with_skills(ix, needs.skills[j])
    return _in_radius(ix, needs, j)


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
    """One helper for one need, with every fact its cost and its hard rules rest on."""

    helper: int  # index into Helpers
    uid: int
    cost: float
    distance_m: float
    skills: list[int]  # bit indices of the need's skills the helper has
    week_load: int
    notified: int
    trust: float | None
    languages: list[int] = field(default_factory=list)  # the need's languages they speak
    availability: str = ANY_TIME  # ANY_TIME (no time set), FREE_THEN, NO_TIMES_SET
    requirements: int = 0  # the need's requirement flags, all met (hard rules)
    given_more_h: float = 0.0  # hours given minus received lately (0 without a ledger)
    urgency: int = FLEXIBLE  # the need's urgency code


def rank(
    ix: Index, needs: Needs, j: int, k: int, w: Weights, *, capacity: int = 3
) -> list[Candidate]:
    """The k best helpers for need j, cheapest first, each with the terms of its cost."""
    cand = candidates_of(ix, needs, j)
    cand = cand[hard_filter(ix, needs, j, cand, capacity)]
    if not len(cand):
        return []
    cost, dist = pair_costs(ix, needs, j, cand, w)
    cost = cost + load_marginal(ix.helpers.week_load[cand], 0, w)
    top = np.argpartition(cost, k - 1)[:k] if len(cand) > k else np.arange(len(cand))
    top = top[np.lexsort((ix.helpers.uid[cand[top]], cost[top]))]
    return [candidate(ix, needs, j, int(cand[t]), float(cost[t]), float(dist[t])) for t in top]


def _bit_list(words: np.ndarray) -> list[int]:
    out = []
    for w, word in enumerate(words):
        value = int(word)
        while value:
            low = value & -value
            out.append(w * 64 + low.bit_length() - 1)
            value ^= low
    return out


def candidate(ix: Index, needs: Needs, j: int, i: int, cost: float, dist: float) -> Candidate:
    h = ix.helpers
    if not needs.window[j].any():
        availability = ANY_TIME
    elif not h.avail[i].any():
        availability = NO_TIMES_SET
    else:
        availability = FREE_THEN
    return Candidate(
        helper=i,
        uid=int(h.uid[i]),
        cost=cost,
        distance_m=dist,
        skills=_bit_list(h.skills[i] & needs.skills[j]),
        week_load=int(h.week_load[i]),
        notified=int(h.notified[i]),
        trust=None if h.trust is None else float(h.trust[i]),
        languages=_bit_list(h.langs[i] & needs.langs[j]),
        availability=availability,
        requirements=int(needs.flags[j]) & REQUIREMENT_MASK,
        given_more_h=0.0 if h.given_more_h is None else float(h.given_more_h[i]),
        urgency=FLEXIBLE if needs.urgency is None else int(needs.urgency[j]),
    )


REQUIREMENT_WORDS = {
    VETTED: "is vetted",
    CAR: "has a car",
    ACCESSIBLE: "has a wheelchair-accessible vehicle",
    SAME_GENDER: "fits the person's request for personal care",
    NO_PETS: "has no pets at home",
}


def describe(
    c: Candidate, skill_names: list[str] | None = None, lang_names: list[str] | None = None
) -> str:
    """Plain English reasons (the web layer renders translated ones from the same terms)."""
    parts = [f"{c.distance_m / 1000:.1f} km away"]
    if URGENT_DISTANCE[c.urgency] > 1:
        parts.append("urgent, so nearness counts more")
    for s in c.skills:
        parts.append(f"has the '{skill_names[s] if skill_names else s}' skill")
    for b in c.languages:
        parts.append(f"speaks {lang_names[b] if lang_names else b}")
    parts += [REQUIREMENT_WORDS[f] for f in REQUIREMENT_BITS if c.requirements & f]
    if c.availability == FREE_THEN:
        parts.append("free at that time")
    elif c.availability == NO_TIMES_SET:
        parts.append("has not set times, so counted as free")
    parts.append(f"{c.week_load} task{'s' if c.week_load != 1 else ''} this week")
    if c.notified:
        parts.append(f"{c.notified} recent notification{'s' if c.notified != 1 else ''}")
    if c.trust is not None:
        parts.append(f"trust {c.trust:.2f}")
    if c.given_more_h >= RECIPROCITY_SAY_HOURS:
        parts.append(f"has given {round(c.given_more_h)} hours more than received lately")
    return "; ".join(parts)


# --- unmet needs ----------------------------------------------------------------------------

NO_ONE_NEAR, NO_SKILL, NO_LANGUAGE, NO_REQUIREMENT, NOT_FREE, AT_CAPACITY = (
    "nobody_near",
    "nobody_with_skill",
    "nobody_with_language",
    "nobody_meets_requirements",  # a pair that may not be matched (a block): no requirement named
    "nobody_free_then",
    "everyone_at_capacity",
)
NO_VETTED, NO_CAR, NO_ACCESSIBLE, NO_SAME_GENDER, NO_PET_FREE = (
    "nobody_vetted",
    "nobody_with_car",
    "nobody_with_accessible_vehicle",
    "nobody_for_personal_care",
    "nobody_without_pets",
)
NO_LOCATION = "nobody_near_has_location"  # nobody in the radius; some helpers set no location
MORE_URGENT = "more_urgent_first"  # in a plan: the helpers who fit went to more urgent needs
NOT_KNOWN_ENOUGH = "nobody_known_for_private"  # the trust gate of a need with private details


def unmet_reason(ix: Index, needs: Needs, j: int, capacity: int) -> str:
    """Why need j found nobody (or too few): the first filter that empties the pool, in the
    order place (nobody in the radius, or only helpers who set no location), skill, language,
    each requirement, the trust gate, time; then any other rule; else capacity."""
    h = ix.helpers

    def may_help(c: np.ndarray) -> np.ndarray:
        return c[~h.on_break[c] & (h.uid[c] != needs.person[j])]

    cand = may_help(_in_radius(ix, needs, j))
    if not len(cand):
        # Helpers without a position are never found by distance: say so when there are some.
        return NO_LOCATION if len(may_help(ix.unlocated)) else NO_ONE_NEAR
    flags = int(needs.flags[j])
    window = needs.window[j]
    span = needs.span[j] if needs.span is not None else np.array([-1, -1])
    timed = span[0] >= 0 and h.busy_ptr is not None and h.busy_span is not None
    timed = timed and len(h.busy_span) > 0  # type: ignore[arg-type]
    steps = [
        (NO_SKILL, needs.skills[j].any(), lambda c: _any(h.skills[c], needs.skills[j])),
        (NO_LANGUAGE, needs.langs[j].any(), lambda c: _any(h.langs[c], needs.langs[j])),
        (NO_VETTED, flags & VETTED, lambda c: h.vetted[c]),
        (NO_CAR, flags & CAR, lambda c: h.car[c]),
        (NO_ACCESSIBLE, flags & ACCESSIBLE, lambda c: h.accessible[c]),
        (
            NO_SAME_GENDER,
            flags & SAME_GENDER,
            lambda c: (h.gender[c] == needs.gender[j]) & (needs.gender[j] != 0),
        ),
        (NO_PET_FREE, flags & NO_PETS, lambda c: ~h.pets[c]),
        (
            NOT_KNOWN_ENOUGH,
            flags & PRIVATE and h.may_see_private is not None,
            lambda c: h.may_see_private[c],  # type: ignore[index]
        ),
        (NOT_FREE, window.any(), lambda c: ~h.avail[c].any(axis=-1) | _any(h.avail[c], window)),
        (NOT_FREE, timed, lambda c: ~_clashes(h, span[None, :], c[None, :])[0]),
    ]
    for code, active, test in steps:
        if active:
            cand = cand[test(cand)]
            if not len(cand):
                return code
    if not hard_filter(ix, needs, j, cand, capacity=10**6).any():
        return NO_REQUIREMENT
    return AT_CAPACITY
