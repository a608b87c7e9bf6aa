"""Generated vouch graphs for tests, the benchmark and the demo (numpy only, no Python loops)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


@dataclass
class Attack:
    n: int
    src: np.ndarray
    dst: np.ndarray
    seeds: np.ndarray
    honest: int  # members 0..honest-1 are honest, the rest are fakes


def sybil_attack(
    rng: np.random.Generator,
    *,
    honest: int = 1000,
    fakes: int = 200,
    degree: int = 10,
    fake_degree: int = 20,
    attack_edges: int = 5,
    stewards: int = 5,
    compromised_fan_out: int = 0,
) -> Attack:
    """Honest small world + a dense cluster of fakes joined by a few attack edges.

    With `compromised_fan_out`, one honest non-steward also vouches for that many fakes.
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
    if compromised_fan_out:
        traitor = rng.choice(non_stewards)
        parts_src.append(np.full(compromised_fan_out, traitor, dtype=np.int64))
        parts_dst.append(honest + rng.choice(fakes, size=compromised_fan_out, replace=False))
    return Attack(
        honest + fakes,
        np.concatenate(parts_src),
        np.concatenate(parts_dst),
        seeds,
        honest,
    )
