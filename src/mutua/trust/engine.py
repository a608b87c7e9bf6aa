"""Attack-resistant trust scores: personalised PageRank seeded from stewards, with guards.

Pure numpy/scipy, no Django. Fed arrays (member indices, edge endpoints and weights, seed
indices), returns arrays. The service turns evidence into weighted edges and scores into levels.

Why it resists fake accounts: every unit of trust starts at the seeds (stewards) and a share
(1 - damping) of it returns there at every step, so a cluster of fakes can only hold what flows
in over its few edges from real members; vouching among themselves creates no trust. Two guards
bound what any one member can confer:

* out-weight normalisation with a floor (`min_out_weight`): a member's trust is split over their
  out-edges as if they had at least that much evidence, so one edge passes at most
  `weight / min_out_weight` of it; the rest returns to the seeds;
* an Advogato-style capacity by distance from the seeds: members further than `full_depth` steps
  pass on only `depth_decay ** (d - full_depth)` of what they hold (unreachable members pass
  nothing). Deep chains of fakes therefore amplify nothing.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

try:  # the C loop behind `csr @ vector`, called with our own output buffer
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - a future scipy
    _sparsetools = None

NEW, KNOWN, TRUSTED = "new", "known", "trusted"
LEVELS = (NEW, KNOWN, TRUSTED)
LEVEL_RANK = {NEW: 0, KNOWN: 1, TRUSTED: 2}


@dataclass(frozen=True)
class Params:
    damping: float = 0.85
    tol: float = 1e-10  # absolute L1 change between iterations
    max_iter: int = 200
    min_out_weight: float = 3.0  # 0 turns the floor off (plain PageRank normalisation)
    full_depth: int = 4  # < 0 turns the capacity guard off
    depth_decay: float = 0.5


PLAIN = Params(min_out_weight=0.0, full_depth=-1)


@dataclass
class Result:
    scores: np.ndarray  # sums to 1 over members (when there are seeds)
    iterations: int
    converged: bool
    distance: np.ndarray  # steps from the nearest seed; -1 when unreachable (or plain mode)


def _clean(src, dst, weight):
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    w = np.ones(src.shape[0]) if weight is None else np.asarray(weight, dtype=np.float64)
    keep = (src != dst) & (w > 0)
    if not keep.all():
        src, dst, w = src[keep], dst[keep], w[keep]
    return src, dst, w


def build_matrix(
    n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray | None = None
) -> sp.csr_matrix:
    """A CSR matrix of summed weights, self-loops and non-positive weights dropped."""
    src, dst, w = _clean(src, dst, weight)
    matrix = sp.csr_matrix((w, (src, dst)), shape=(n, n))
    matrix.sum_duplicates()
    return matrix


def _distances(incoming: sp.csr_matrix, seeds: np.ndarray) -> np.ndarray:
    """Breadth-first steps from the seeds; `incoming` row j lists the edges into j."""
    n = incoming.shape[0]
    dist = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(seeds) == 0:
        return dist
    frontier = np.zeros(n, dtype=bool)
    frontier[seeds] = True
    dist[frontier] = 0
    level = 0
    while frontier.any():
        level += 1
        reached = (incoming @ frontier.astype(np.float64)) > 0
        frontier = reached & (dist < 0)
        dist[frontier] = level
    return dist


def distances_from(matrix: sp.csr_matrix, seeds: np.ndarray) -> np.ndarray:
    """Breadth-first steps from the seeds along edges, one sparse product per level."""
    return _distances(matrix.T.tocsr(), np.asarray(seeds, dtype=np.int64))


def capacity(dist: np.ndarray, params: Params) -> np.ndarray:
    """How much of what a member holds they may pass on, by distance from the seeds."""
    if params.full_depth < 0:
        return np.ones(dist.shape[0])
    extra = np.maximum(dist - params.full_depth, 0).astype(np.float64)
    cap = params.depth_decay**extra
    cap[dist < 0] = 0.0
    return cap


def personalised_pagerank(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray | None,
    seeds: np.ndarray,
    params: Params = Params(),
) -> Result:
    """Scores of `n` members; mass not passed on (dangling, floors, capacity) returns to seeds."""
    seeds = np.unique(np.asarray(seeds, dtype=np.int64))
    if n == 0 or len(seeds) == 0:
        return Result(np.zeros(n), 0, True, np.full(n, -1, dtype=np.int64))
    src, dst, w = _clean(src, dst, weight)
    # Built transposed (row j = edges into j), so one step is `walk @ x` with no transpose.
    walk = sp.csr_matrix((w, (dst, src)), shape=(n, n))
    walk.sum_duplicates()
    out = np.bincount(src, weights=w, minlength=n)
    denom = np.maximum(out, params.min_out_weight)
    if params.full_depth >= 0:
        dist = _distances(walk, seeds)
        cap = capacity(dist, params)
    else:  # plain PageRank: no capacity guard, distances not needed
        dist = np.full(n, -1, dtype=np.int64)
        cap = np.ones(n)
    scale = np.divide(cap, denom, out=np.zeros(n), where=denom > 0)
    walk.data *= scale[walk.indices]
    kept_share = 1.0 - out * scale  # what each member does not pass on by their edges
    x, iterations, converged = _iterate(walk, kept_share, seeds, params)
    return Result(x, iterations, converged, dist)


# Iterations run in float32 (half the memory traffic) until the change is this small, then in
# float64 down to the absolute tolerance, so the result is as exact as a float64-only run.
SINGLE_UNTIL = 1e-5
SINGLE_MIN_NNZ = 200_000  # small graphs gain nothing from single precision
THREAD_MIN_NNZ = 2_000_000  # below this, splitting the product over two threads costs more


class _Product:
    """y = walk @ x into a preallocated buffer, rows split in halves over two threads.

    scipy's `csr_matvec` releases the GIL, so the halves really run in parallel.
    """

    def __init__(self, walk: sp.csr_matrix, dtype) -> None:
        self.n = walk.shape[0]
        self.indptr, self.indices = walk.indptr, walk.indices
        self.data = walk.data.astype(dtype)
        self.parts: list[tuple[int, int]] = [(0, self.n)]
        if walk.nnz >= THREAD_MIN_NNZ and (os.cpu_count() or 1) > 1:
            half = int(np.searchsorted(walk.indptr, walk.nnz // 2))
            self.parts = [(0, half), (half, self.n)]

    def split(self) -> None:
        """Slice the halves once (indptr rebased), so each product does no allocation."""
        self.slices = []
        for lo, hi in self.parts:
            a, b = self.indptr[lo], self.indptr[hi]
            ptr = (self.indptr[lo : hi + 1] - a).astype(self.indptr.dtype)
            self.slices.append((lo, hi, ptr, self.indices[a:b], self.data[a:b]))

    def __call__(self, x: np.ndarray, y: np.ndarray, pool: ThreadPoolExecutor | None) -> None:
        def run(part) -> None:
            lo, hi, ptr, idx, data = part
            view = y[lo:hi]
            view.fill(0.0)
            _csr_matvec(hi - lo, self.n, ptr, idx, data, x, view)

        if pool is None or len(self.slices) == 1:
            for part in self.slices:
                run(part)
        else:
            for future in [pool.submit(run, part) for part in self.slices]:
                future.result()


def _csr_matvec(n_row, n_col, indptr, indices, data, x, y) -> None:
    if _sparsetools is not None:
        _sparsetools.csr_matvec(n_row, n_col, indptr, indices, data, x, y)
    else:  # scipy moved its internals: the public product (allocates, still correct)
        y += sp.csr_matrix((data, indices, indptr), shape=(n_row, n_col)) @ x


def _iterate(
    walk: sp.csr_matrix, kept_share: np.ndarray, seeds: np.ndarray, params: Params
) -> tuple[np.ndarray, int, bool]:
    n = walk.shape[0]
    alpha = params.damping
    share = 1.0 / len(seeds)
    x = np.zeros(n)
    x[seeds] = share
    iterations, converged = 0, False
    phases: list[tuple[type[np.floating], float]] = [(np.float64, params.tol)]
    if walk.nnz >= SINGLE_MIN_NNZ and params.tol < SINGLE_UNTIL:
        phases.insert(0, (np.float32, SINGLE_UNTIL))
    threaded = walk.nnz >= THREAD_MIN_NNZ and (os.cpu_count() or 1) > 1
    pool = ThreadPoolExecutor(max_workers=2) if threaded else None
    try:
        for dtype, stop in phases:
            product = _Product(walk, dtype)
            product.split()
            x = x.astype(dtype)
            kept = kept_share.astype(dtype)
            nxt, diff, tmp = np.empty_like(x), np.empty_like(x), np.empty_like(x)
            best = np.inf
            while iterations < params.max_iter:
                iterations += 1
                # Elementwise sums, not BLAS dot products: BLAS threads stall on a busy machine.
                np.multiply(x, kept, out=tmp)
                restart = 1.0 - alpha + alpha * float(tmp.sum(dtype=np.float64))
                product(x, nxt, pool)
                nxt *= alpha
                nxt[seeds] += restart * share
                np.subtract(nxt, x, out=diff)
                np.abs(diff, out=diff)
                change = float(diff.sum(dtype=np.float64))
                x, nxt = nxt, x
                if change < stop:  # only the last (float64) phase declares convergence
                    converged = dtype is np.float64
                    break
                if dtype is np.float32:  # stop early in single precision if it stalls
                    if change > 0.9 * best and change < 1e-3:
                        break
                    best = min(best, change)
            if converged or iterations >= params.max_iter:
                break
    finally:
        if pool is not None:
            pool.shutdown()
    return x.astype(np.float64), iterations, converged


def normalised(scores: np.ndarray, seeds: np.ndarray | None = None) -> np.ndarray:
    """Score x number of members / total: 1.0 is average whatever the community's size.

    With `seeds`, the average is taken over the other members: the stewards' own share (every
    walk restarts with them) would otherwise make everyone else look below average in a small
    community.
    """
    others = np.ones(scores.shape[0], dtype=bool)
    if seeds is not None and len(seeds) < scores.shape[0]:
        others[np.asarray(seeds, dtype=np.int64)] = False
    total = scores[others].sum()
    if total <= 0:
        return np.zeros_like(scores)
    return scores * (others.sum() / total)


def backers(n: int, src: np.ndarray, dst: np.ndarray, has_standing: np.ndarray) -> np.ndarray:
    """How many distinct members with standing have an edge into each member."""
    pattern = build_matrix(n, src, dst)
    pattern.data[:] = 1.0
    return np.asarray(pattern.T @ has_standing.astype(np.float64)).ravel().astype(np.int64)


def levels(
    norm: np.ndarray,
    known_at: float,
    trusted_at: float,
    *,
    backer_counts: np.ndarray | None = None,
    min_backers: int = 2,
    seeds: np.ndarray | None = None,
) -> np.ndarray:
    """Level codes (0 new, 1 known, 2 trusted) from normalised scores and two thresholds.

    "Trusted" also needs `min_backers` distinct members with standing behind it (seeds are
    exempt): one well-placed voucher cannot lift a stranger, or a fake, all the way.
    """
    codes = (norm >= known_at).astype(np.int8) + (norm >= trusted_at).astype(np.int8)
    if backer_counts is not None:
        capped = (codes == 2) & (backer_counts < min_backers)
        if seeds is not None and len(seeds):
            capped[np.asarray(seeds, dtype=np.int64)] = False
        codes[capped] = 1
    return codes


def score_levels(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray | None,
    seeds: np.ndarray,
    *,
    known_at: float,
    trusted_at: float,
    min_backers: int = 2,
    params: Params = Params(),
) -> tuple[Result, np.ndarray, np.ndarray]:
    """Scores, normalised scores and level codes in one call (what a recompute needs)."""
    result = personalised_pagerank(n, src, dst, weight, seeds, params)
    norm = normalised(result.scores, seeds)
    counts = backers(n, src, dst, norm >= known_at)
    codes = levels(
        norm, known_at, trusted_at, backer_counts=counts, min_backers=min_backers, seeds=seeds
    )
    return result, norm, codes


def level_names(codes: np.ndarray) -> list[str]:
    return [LEVELS[int(c)] for c in codes]


def reliability(
    kept: np.ndarray,
    late: np.ndarray,
    no_show: np.ndarray,
    released_late: np.ndarray,
    cancelled_no_notice: np.ndarray,
    *,
    floor: float = 0.25,
) -> np.ndarray:
    """A factor in [floor, 1] from kept and broken commitments (a smoothed share kept).

    Released or cancelled with notice costs nothing: giving a place back in time is good
    practice. Late counts as half kept; no-show weighs double.
    """
    kept = np.asarray(kept, dtype=np.float64)
    good = kept + 0.5 * np.asarray(late, dtype=np.float64) + 2.0
    bad = (
        0.5 * np.asarray(late, dtype=np.float64)
        + 2.0 * np.asarray(no_show, dtype=np.float64)
        + np.asarray(released_late, dtype=np.float64)
        + np.asarray(cancelled_no_notice, dtype=np.float64)
    )
    return np.clip(good / (good + bad), floor, 1.0)
