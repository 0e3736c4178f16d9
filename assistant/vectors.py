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

IndexType = Literal["flat", "hnsw", "ivf"]


def choose_type(n: int, requested: str, threshold: int) -> IndexType:
    """'auto' is exact below `threshold` vectors and HNSW above it."""
    if requested != "auto":
        return requested  # type: ignore[return-value]
    return "flat" if n < threshold else "hnsw"


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
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 64,
        nlist: int | None = None,
        nprobe: int = 16,
    ) -> VectorIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
        elif kind == "ivf":
            nlist = nlist or max(1, min(n // 39, int(4 * np.sqrt(n))))
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
            index.nprobe = min(nprobe, nlist)
        else:
            raise ValueError(f"unknown index type {kind!r}; use flat, hnsw or ivf")
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
