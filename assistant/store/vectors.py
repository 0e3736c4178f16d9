"""Dense search over unit vectors with FAISS. It takes vectors, not a model.

>>> import numpy as np
>>> v = np.eye(3, dtype=np.float32)
>>> index = VectorIndex.build(v)
>>> index.search(v[1:2], k=1)[1].tolist()
[[1]]
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

IndexType = Literal["flat", "hnsw", "ivf", "ivf-sq8"]

# Measured in bench/RESULTS.md ("Scale", 2 cores): HNSW answers in ~1-2 ms with recall@10
# ~0.98 at 100k, but builds at ~2k vectors/s and keeps every float; past IVF_THRESHOLD an
# inverted file over 8-bit vectors builds in seconds, takes a quarter of the memory, and
# still answers a 1M-vector query in ~10-15 ms with recall@10 >= 0.95.
IVF_THRESHOLD = 500_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
IVF_PROBE_SHARE = 6  # probe 1/6 of the lists


def choose_type(
    n: int, requested: str, threshold: int, *, ivf_threshold: int = IVF_THRESHOLD
) -> IndexType:
    """'auto': exact below `threshold` vectors, HNSW up to `ivf_threshold`, IVF-SQ8 above."""
    if requested != "auto":
        return requested  # type: ignore[return-value]
    if n < threshold:
        return "flat"
    return "hnsw" if n < ivf_threshold else "ivf-sq8"


def ivf_lists(n: int) -> int:
    """√n lists: about √n vectors in each, so a probe scans as much as it ranks."""
    return max(1, min(int(round(np.sqrt(n))), n // 39 or 1))


class VectorIndex:
    """Inner-product search; on unit vectors that is cosine similarity."""

    def __init__(self, index, kind: IndexType):
        self.index = index
        self.kind = kind

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        *,
        kind: IndexType = "flat",
        hnsw_m: int = HNSW_M,
        ef_construction: int = HNSW_EF_CONSTRUCTION,
        ef_search: int = HNSW_EF_SEARCH,
        nlist: int | None = None,
        nprobe: int | None = None,
    ) -> VectorIndex:
        """An index of `kind` over unit vectors; the search parameters are saved with it."""
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
        elif kind in ("ivf", "ivf-sq8"):
            nlist = nlist or ivf_lists(n)
            quantizer = faiss.IndexFlatIP(dim)
            if kind == "ivf":
                index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            else:
                index = faiss.IndexIVFScalarQuantizer(
                    quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
                )
            # k-means on a sample: 50 vectors a list is plenty, and 1M would take minutes
            sample = vectors
            if n > 50 * nlist:
                rows = np.random.default_rng(0).choice(n, 50 * nlist, replace=False)
                sample = vectors[np.sort(rows)]
            index.train(sample)
            index.nprobe = min(nprobe or -(-nlist // IVF_PROBE_SHARE), nlist)
        else:
            raise ValueError(f"unknown index type {kind!r}; use flat, hnsw, ivf or ivf-sq8")
        if n:
            index.add(vectors)
        return cls(index, kind)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, queries: np.ndarray, *, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores and row numbers of the `k` nearest vectors for each query (-1 where fewer)."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, len(self))) if len(self) else 1
        if not len(self):
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self.index.search(queries, k)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, kind: IndexType) -> VectorIndex:
        import faiss

        index = faiss.read_index(str(path))
        return cls(index, kind)
