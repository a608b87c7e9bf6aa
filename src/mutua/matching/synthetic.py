"""Generated helpers and needs for tests and the benchmark (pure numpy, fixed seeds)."""

from __future__ import annotations

import numpy as np

from mutua.matching import engine

N_SKILLS = 24
N_LANGS = 6


def _random_bits(rng: np.random.Generator, n: int, n_bits: int, p: float) -> np.ndarray:
    flags = rng.random((n, n_bits)) < p
    out = np.zeros((n, 1), dtype=np.uint64)
    for b in range(n_bits):
        out[flags[:, b], 0] |= np.uint64(1) << np.uint64(b)
    return out


def _windows(rng: np.random.Generator, n: int, p_free: float) -> np.ndarray:
    """Each row: a few random 4-hour blocks, or nothing (free any time) with probability p."""
    blocks = [engine.slot_mask([(d * 1440 + h * 60, d * 1440 + h * 60 + 240)])
              for d in range(7) for h in (8, 12, 16)]  # fmt: skip
    table = np.stack(blocks)
    out = np.zeros((n, engine.SLOT_WORDS), dtype=np.uint64)
    for _ in range(3):
        out |= table[rng.integers(0, len(blocks), n)]
    out[rng.random(n) < p_free] = 0
    return out


def helpers(n: int, rng: np.random.Generator, side_m: float) -> engine.Helpers:
    return engine.Helpers(
        uid=np.arange(1, n + 1, dtype=np.int64),
        xy=rng.uniform(0, side_m, size=(n, 2)),
        skills=_random_bits(rng, n, N_SKILLS, 0.15),
        langs=_random_bits(rng, n, N_LANGS, 0.3) | np.uint64(1),  # everyone speaks language 0
        avail=_windows(rng, n, 0.3),
        vetted=rng.random(n) < 0.3,
        car=rng.random(n) < 0.4,
        accessible=rng.random(n) < 0.05,
        pets=rng.random(n) < 0.3,
        gender=rng.integers(0, 4, n).astype(np.int8),  # 0: not said
        on_break=rng.random(n) < 0.05,
        limited=rng.random(n) < 0.1,
        open_commitments=rng.integers(0, 2, n),
        week_load=rng.integers(0, 4, n),
        notified=rng.integers(0, 3, n),
        trust=rng.random(n),
    )


def needs(m: int, rng: np.random.Generator, side_m: float, n_helpers: int) -> engine.Needs:
    one_skill = np.zeros((m, 1), dtype=np.uint64)
    has_skill = rng.random(m) < 0.8
    picks = rng.integers(0, N_SKILLS, m).astype(np.uint64)
    one_skill[has_skill, 0] = np.uint64(1) << picks[has_skill]
    langs = np.zeros((m, 1), dtype=np.uint64)
    wants_lang = rng.random(m) < 0.1
    langs[wants_lang, 0] = np.uint64(1) << rng.integers(1, N_LANGS, int(wants_lang.sum())).astype(
        np.uint64
    )
    window = _windows(rng, m, 0.5)
    flags = np.zeros(m, dtype=np.int64)
    flags[rng.random(m) < 0.1] |= engine.VETTED
    flags[rng.random(m) < 0.1] |= engine.CAR
    flags[rng.random(m) < 0.02] |= engine.SAME_GENDER
    flags[rng.random(m) < 0.05] |= engine.NO_PETS
    return engine.Needs(
        xy=rng.uniform(0, side_m, size=(m, 2)),
        skills=one_skill,
        langs=langs,
        window=window,
        places=rng.choice([1, 1, 1, 2, 3], m).astype(np.int64),
        flags=flags,
        gender=rng.integers(0, 4, m).astype(np.int8),  # 0: a same-gender need nobody can meet
        person=rng.integers(1, n_helpers + 1, m).astype(np.int64),
        radius_m=np.full(m, 3000.0),
    )


def with_times(hs: engine.Helpers, nd: engine.Needs, rng: np.random.Generator) -> None:
    """Urgency for every need; for the timed ones (a window) a 2-hour time in one of their
    blocks this week, and for a tenth of helpers a task already taken at some such time."""
    m, n = len(nd), len(hs)
    nd.urgency = rng.integers(0, 4, m).astype(np.int8)
    day, hour = rng.integers(0, 7, m), rng.choice([8, 12, 16], m) + rng.integers(0, 3, m)
    start = (day * 1440 + hour * 60).astype(np.int64)
    nd.span = np.stack([start, start + 120], axis=1)
    timed = nd.window.any(axis=1)
    nd.span[~timed] = -1
    for j in np.flatnonzero(timed):
        nd.window[j] = engine.slot_mask([(int(start[j]), int(start[j]) + 120)])
    busy = np.flatnonzero(rng.random(n) < 0.1)
    bday, bhour = rng.integers(0, 7, len(busy)), rng.choice([8, 12, 16], len(busy))
    bstart = (bday * 1440 + bhour * 60).astype(np.int64)
    hs.busy_ptr = np.concatenate([[0], np.cumsum(np.isin(np.arange(n), busy))]).astype(np.int64)
    hs.busy_span = np.stack([bstart, bstart + 120], axis=1)
    hs.given_more_h = np.round(rng.normal(0, 15, n))


def instance_parts(
    m: int, n: int, seed: int = 7, *, timed: bool = False
) -> tuple[engine.Helpers, list[tuple[int, int]], engine.Needs]:
    """m needs and n helpers on a square whose side keeps ~density constant, and blocked pairs,
    before the spatial index is built (the benchmark times that too). With `timed`, needs have
    urgencies and times, some helpers tasks at some times, and ledger balances."""
    rng = np.random.default_rng(seed)
    side = 1000.0 * np.sqrt(n / 40.0)  # ~40 helpers per km²
    hs = helpers(n, rng, side)
    blocked = [(int(a), int(b)) for a, b in rng.integers(1, n + 1, size=(max(1, n // 100), 2))]
    nd = needs(m, rng, side, n)
    if timed:
        with_times(hs, nd, rng)
    return hs, blocked, nd


def instance(
    m: int, n: int, seed: int = 7, *, timed: bool = False
) -> tuple[engine.Index, engine.Needs]:
    hs, blocked, nd = instance_parts(m, n, seed, timed=timed)
    return engine.index_build(hs, blocked), nd
