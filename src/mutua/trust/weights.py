"""Evidence as weighted edges of the trust graph (pure numpy, no Django).

An edge passes trust from its source to its target:
* a live vouch: voucher → vouchee, `W_VOUCH`;
* a coordinator met the member in person: coordinator → member, `W_MET`;
* help confirmed: person helped → helper, `W_EXCHANGE` per confirmation by the person
  (`W_AUTO` when it confirmed itself), and helper → person half that (both sides took part);
  at most `MAX_PAIR` a pair;
* reliability: every edge into a member is multiplied by their factor from
  `engine.reliability` (kept, late, no-show, given back at short notice).

`trust.recompute` reads the evidence from the database and calls these; the tests and the
benchmark build the same graph from generated arrays, so both score exactly what production does.
"""

from __future__ import annotations

import numpy as np

W_VOUCH, W_MET, W_EXCHANGE, W_AUTO, MAX_PAIR = 1.0, 1.0, 0.5, 0.25, 1.5

_EMPTY_I = np.zeros(0, np.int64)


def exchange_edges(
    author: np.ndarray,
    helper: np.ndarray,
    n: int,
    *,
    auto: np.ndarray | None = None,
    count: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges from confirmed help: `author[k]` was helped by `helper[k]` (`count[k]` times)."""
    author = np.asarray(author, dtype=np.int64)
    helper = np.asarray(helper, dtype=np.int64)
    if author.shape[0] == 0:
        return _EMPTY_I, _EMPTY_I, np.zeros(0)
    times = np.ones(author.shape[0]) if count is None else np.asarray(count, dtype=np.float64)
    is_auto = np.zeros(author.shape[0], bool) if auto is None else np.asarray(auto, dtype=bool)
    w = np.where(is_auto, W_AUTO, W_EXCHANGE) * times
    key, inverse = np.unique(author * n + helper, return_inverse=True)
    summed = np.minimum(np.bincount(inverse, weights=w), MAX_PAIR)
    p_src, p_dst = key // n, key % n
    return (
        np.concatenate([p_src, p_dst]),
        np.concatenate([p_dst, p_src]),
        np.concatenate([summed, summed / 2]),
    )


def evidence_graph(
    n: int,
    *,
    vouch: tuple[np.ndarray, np.ndarray] = (_EMPTY_I, _EMPTY_I),
    met: tuple[np.ndarray, np.ndarray] = (_EMPTY_I, _EMPTY_I),
    exchange: tuple[np.ndarray, np.ndarray, np.ndarray] = (_EMPTY_I, _EMPTY_I, np.zeros(0)),
    factor: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All edges with their weights; `factor` (reliability of each member) scales edges in."""
    v_src, v_dst = (np.asarray(a, dtype=np.int64) for a in vouch)
    m_src, m_dst = (np.asarray(a, dtype=np.int64) for a in met)
    e_src, e_dst, e_w = exchange
    src = np.concatenate([v_src, m_src, np.asarray(e_src, dtype=np.int64)])
    dst = np.concatenate([v_dst, m_dst, np.asarray(e_dst, dtype=np.int64)])
    weight = np.concatenate(
        [np.full(v_src.shape, W_VOUCH), np.full(m_src.shape, W_MET), np.asarray(e_w, float)]
    )
    if factor is not None and n:
        weight = weight * np.asarray(factor, dtype=np.float64)[dst]
    return src, dst, weight
