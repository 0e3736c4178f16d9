"""Scores of a search: the nearest vectors, the two score lists normalised and fused, and
the top k of them with their ranks. Pure functions over arrays (shapes in each docstring);
`search.Searcher` runs them."""

from __future__ import annotations

import numpy as np


def _nearest(vectors, qvec: np.ndarray, k: int, documents, section) -> tuple[np.ndarray, np.ndarray]:
    """The `k` nearest rows; a store that filters (Milvus) applies the filters first.

    FAISS searches every passage and the filters apply to its candidates, as before.
    """
    if (documents or section) and getattr(vectors, "filters", False):
        scores, rows = vectors.search(qvec, k=k, documents=documents, section=section)
    else:
        scores, rows = vectors.search(qvec, k=k)
    return _without_tie_at_cut(scores, rows, k, len(vectors))


# Scores closer than this are one tie (engines compute the same product a few ulps apart).
TIE = 1e-6


def _without_tie_at_cut(scores: np.ndarray, rows: np.ndarray, k: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The candidates without the group tied at the cut, when the `k` nearest leave out
    some of the `n`: which members of a tie make the cut is each engine's own choice (FAISS
    and Milvus differ), so the whole tied group stays out and any store gives the same
    candidates. Rows left out are -1, as for a search that found fewer."""
    if k >= n or not len(rows) or rows.shape[1] < k or rows[0][-1] < 0:
        return scores, rows
    cut = scores[0][-1]
    tied = scores[0] <= cut + TIE
    if tied.all():
        return scores, rows
    rows = rows.copy()
    rows[0][tied] = -1
    return scores, rows


def _normalize(scores: np.ndarray, floor: float | None = None) -> np.ndarray:
    """Min–max to [0, 1] over the scored entries; unscored (NaN) entries get 0."""
    hi = np.fmax.reduce(scores) if len(scores) else np.nan  # fmax/fmin skip NaN
    if np.isnan(hi):
        return np.zeros_like(scores)
    lo = float(np.fmin.reduce(scores)) if floor is None else floor
    if not hi > lo:
        return np.zeros_like(scores)
    out = (scores - lo) * (1.0 / (hi - lo))
    np.clip(out, 0.0, 1.0, out=out)
    out[np.isnan(out)] = 0.0
    return out


def fuse(dense: np.ndarray, lexical: np.ndarray, weight: float | str) -> np.ndarray:
    """One score per passage from the dense (NaN: not retrieved) and BM25 scores.

    `weight` is the dense share of a hybrid score, or "dense" / "lexical" for one side
    alone (a passage no query word occurs in is then -inf: not a lexical hit).
    """
    dense_norm = _normalize(dense)
    lexical_norm = _normalize(lexical, floor=0.0)
    if weight == "dense":
        return dense_norm
    if weight == "lexical":
        return np.where(lexical > 0, lexical_norm, -np.inf)
    return weight * dense_norm + (1 - weight) * lexical_norm


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the `k` highest scores, best first, ties in row order.

    The same as `np.argsort(-scores, kind="stable")[:k]` without sorting every passage:
    at a million passages a full sort costs ~100 ms, a partition ~5.
    """
    n = len(scores)
    if k >= n:
        return np.argsort(-scores, kind="stable")
    kth = -np.partition(-scores, k - 1)[k - 1]  # the k-th highest score
    above = np.flatnonzero(scores > kth)
    tied = np.flatnonzero(scores == kth)[: k - len(above)]
    rows = np.concatenate([above, tied])
    return rows[np.lexsort((rows, -scores[rows]))]


def ranks_of(scores: np.ndarray, rows: np.ndarray) -> list[int | None]:
    """The 1-based rank of each of `rows` among the scored (non-NaN) entries; None if unscored.

    Ranks as a stable descending sort would give them, counted for the few rows asked
    about instead of sorting every passage.
    """
    out: list[int | None] = []
    for i in rows:
        s = scores[i]
        if np.isnan(s):
            out.append(None)
            continue
        # NaN compares false both ways, so the unscored entries count for nothing
        better = np.count_nonzero(scores > s)
        earlier_ties = np.count_nonzero(scores[:i] == s)
        out.append(int(better + earlier_ties + 1))
    return out
