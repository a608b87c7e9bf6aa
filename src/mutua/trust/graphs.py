"""Generated trust graphs for tests, the benchmark and the demo (numpy only, no Python loops)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mutua.trust import weights


def small_world(
    n: int, degree: int, rewire: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A directed Watts-Strogatz graph: each member vouches for `degree` ring neighbours,
    each edge rewired to a random member with probability `rewire` (clustered, short paths)."""
    half = max(degree // 2, 1)
    offsets = np.concatenate([np.arange(1, half + 1), -np.arange(1, degree - half + 1)])
    src = np.repeat(np.arange(n, dtype=np.int64), offsets.shape[0])
    dst = (src + np.tile(offsets, n)) % n
    mask = rng.random(src.shape[0]) < rewire
    dst[mask] = rng.integers(0, n, size=int(mask.sum()))
    keep = src != dst
    return src[keep], dst[keep]


def distinct_edges(
    n: int, edges: int, degree: int, rng: np.random.Generator, rewire: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """A small world with exactly `edges` distinct directed edges and no self-loops.

    Rewiring makes some duplicates; they are removed and random edges added until the count is
    reached, so a benchmark's "10,000,000 edges" is the number the engine really multiplies.
    """
    src, dst = small_world(n, degree, rewire, rng)
    key = np.unique(src * n + dst)
    while key.shape[0] < edges:
        missing = edges - key.shape[0]
        extra_src = rng.integers(0, n, size=missing + missing // 10 + 16)
        extra_dst = rng.integers(0, n, size=extra_src.shape[0])
        extra = (extra_src * n + extra_dst)[extra_src != extra_dst]
        fresh = np.setdiff1d(np.unique(extra), key, assume_unique=True)
        if fresh.shape[0] > missing:
            fresh = rng.choice(fresh, size=missing, replace=False)
        key = np.union1d(key, fresh)
    if key.shape[0] > edges:
        key = np.sort(rng.choice(key, size=edges, replace=False))
    return key // n, key % n


@dataclass
class Attack:
    n: int
    src: np.ndarray  # vouches
    dst: np.ndarray
    seeds: np.ndarray
    honest: int  # members 0..honest-1 are honest, the rest are fakes
    # Confirmed help: ex_author[k] was helped by ex_helper[k] (fakes "confirm" each other too).
    ex_author: np.ndarray
    ex_helper: np.ndarray
    traitor: int = -1  # the compromised honest member, if any
    attack_edges: int = 0

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vouches and exchanges as recompute weighs them (every commitment kept)."""
        exchange = weights.exchange_edges(self.ex_author, self.ex_helper, self.n)
        return weights.evidence_graph(self.n, vouch=(self.src, self.dst), exchange=exchange)


def _exchanges(
    n: int, per_member: int, reach: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each member was helped `per_member` times by someone within `reach` places on the ring
    (neighbours help neighbours), a tenth of them by anyone."""
    author = np.repeat(np.arange(n, dtype=np.int64), per_member)
    step = rng.integers(1, reach + 1, size=author.shape[0]) * rng.choice([-1, 1], author.shape[0])
    helper = (author + step) % n
    far = rng.random(author.shape[0]) < 0.1
    helper[far] = rng.integers(0, n, size=int(far.sum()))
    keep = author != helper
    return author[keep], helper[keep]


def sybil_attack(
    rng: np.random.Generator,
    *,
    honest: int = 1000,
    fakes: int = 200,
    degree: int = 6,
    exchanges: int = 2,
    fake_degree: int = 20,
    fake_exchanges: int = 3,
    attack_edges: int = 5,
    stewards: int = 5,
    compromised_fan_out: int = 0,
) -> Attack:
    """Honest small world of vouches and exchanges + a dense cluster of fakes, joined by a few
    attack edges (honest non-stewards vouching for fakes).

    Each honest member vouches for `degree` others and was helped `exchanges` times; every
    exchange is an edge both ways, so the average degree is about `degree + 2 * exchanges`.
    Each fake vouches for `fake_degree` distinct other fakes and "confirms" `fake_exchanges`
    staged exchanges with other fakes. With `compromised_fan_out`, one honest non-steward also
    vouches for that many fakes.
    """
    h_src, h_dst = small_world(honest, degree, 0.1, rng)
    seeds = np.linspace(0, honest - 1, stewards).astype(np.int64)
    f_src = np.repeat(np.arange(fakes, dtype=np.int64), fake_degree)
    # Each fake vouches for `fake_degree` distinct other fakes (shifted ring of random offsets).
    offsets = rng.choice(np.arange(1, fakes), size=fake_degree, replace=False)
    f_dst = (f_src + np.tile(offsets, fakes)) % fakes
    non_stewards = np.setdiff1d(np.arange(honest), seeds)
    a_src = rng.choice(non_stewards, size=attack_edges, replace=False)
    a_dst = honest + rng.choice(fakes, size=attack_edges, replace=False)
    parts_src = [h_src, honest + f_src, a_src]
    parts_dst = [h_dst, honest + f_dst, a_dst]
    traitor = -1
    if compromised_fan_out:
        traitor = int(rng.choice(non_stewards))
        parts_src.append(np.full(compromised_fan_out, traitor, dtype=np.int64))
        parts_dst.append(honest + rng.choice(fakes, size=compromised_fan_out, replace=False))
    he_author, he_helper = _exchanges(honest, exchanges, max(degree // 2, 1), rng)
    fe_author, fe_helper = _exchanges(fakes, fake_exchanges, fakes // 2, rng)
    return Attack(
        honest + fakes,
        np.concatenate(parts_src),
        np.concatenate(parts_dst),
        seeds,
        honest,
        np.concatenate([he_author, honest + fe_author]),
        np.concatenate([he_helper, honest + fe_helper]),
        traitor,
        attack_edges,
    )
