"""Searching the Milvus collections like FAISS and bm25s: `MilvusVectors` answers
`search(queries, k=…)` with the index's row numbers, `MilvusLexical` answers `scores(terms)`.

The collections are written by `milvus.MilvusStore`; these only read them.
"""

from __future__ import annotations

import json

import numpy as np

from ..text import fold

# `store` below is a `milvus.MilvusStore` (its client, lock and index type); not imported,
# since that module imports this one.

# Milvus returns at most 16,384 hits a search.
MAX_LIMIT = 16_384
MAX_TERMS_BYTES = 60_000
TIE_MARGIN = 16
BM25_K1, BM25_B = 1.5, 0.75
# Settings.index_type → the Milvus index and its search parameters (the same as FAISS's,
# see assistant/store/vectors.py). "auto" is the server's own choice (AUTOINDEX); Milvus
# Lite gets FLAT instead (`MilvusStore.open`), exact as FAISS is at one machine's size.
INDEXES = {
    "flat": ("FLAT", {}, {}),
    "hnsw": ("HNSW", {"M": 32, "efConstruction": 80}, {"ef": 128}),
    "ivf": ("IVF_FLAT", {"nlist": 1024}, {"nprobe": 171}),
    "ivf-sq8": ("IVF_SQ8", {"nlist": 1024}, {"nprobe": 171}),
    "auto": ("AUTOINDEX", {}, {}),
}


def literal(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(value, ensure_ascii=False)


def _like(text: str) -> str:
    """A `like` pattern that matches `text` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return literal(f"%{escaped}%")


def where(*, documents: list[str] | None = None, section: str | None = None) -> str:
    """The filter expression for the document and section filters ('' for none).

    >>> where(documents=["a-b"], section="Singapo")
    'doc_id in ["a-b"] and section like "%singapo%"'
    """
    parts = []
    if documents:
        parts.append(f"doc_id in [{', '.join(literal(d) for d in documents)}]")
    if section:
        parts.append(f"section like {_like(fold(section))}")
    return " and ".join(parts)


def terms_text(terms: list[str]) -> str:
    text = " ".join(t for t in terms if t)
    data = text.encode("utf-8")
    if len(data) <= MAX_TERMS_BYTES:
        return text
    return data[:MAX_TERMS_BYTES].decode("utf-8", "ignore").rsplit(" ", 1)[0]


class MilvusVectors:
    """A collection's vectors, searched like `VectorIndex`: rows are the index's rows."""

    # The searcher hands the document and section filters down (see retrieve/search.py).
    filters = True

    def __init__(self, store, collection: str, keys: list[str]):
        self.store = store
        self.collection = collection
        self.keys = keys
        self.row_of = {key: row for row, key in enumerate(keys)}

    def __len__(self) -> int:
        return len(self.keys)

    def search(
        self,
        queries: np.ndarray,
        *,
        k: int,
        documents: list[str] | None = None,
        section: str | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and rows of the `k` nearest vectors for each query (-1 where fewer).

        `documents` and `section` filter in Milvus, before the `k` nearest are taken.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, len(self), MAX_LIMIT))
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        rows = np.full((len(queries), k), -1, dtype=np.int64)
        if not len(self):
            return scores[:, :0], rows[:, :0]
        _, _, params = INDEXES[self.store.index_type]
        # A few more than asked, so that equal scores at the cut are broken by row as
        # FAISS breaks them (Milvus returns ties in no set order).
        limit = min(k + TIE_MARGIN, len(self), MAX_LIMIT)
        with self.store.lock:
            found = self.store.client.search(
                self.collection,
                data=queries.tolist(),
                anns_field="vector",
                limit=limit,
                filter=where(documents=documents, section=section),
                search_params={"metric_type": "IP", "params": params},
            )
        for q, hits in enumerate(found):
            # rows the index folder does not have (yet) are left out
            pairs = [(h["distance"], self.row_of.get(h["key"])) for h in hits]
            pairs = sorted((-d, r) for d, r in pairs if r is not None)[:k]
            for j, (d, r) in enumerate(pairs):
                scores[q, j], rows[q, j] = -d, r
        return scores, rows


class MilvusLexical:
    """BM25 in Milvus over the same folded, acronym-expanded tokens as `LexicalIndex`."""

    def __init__(self, store, keys: list[str]):
        self.store = store
        self.row_of = {key: row for row, key in enumerate(keys)}
        self.n = len(keys)

    def scores(self, terms: list[str], *, k: int = MAX_LIMIT) -> np.ndarray:
        """BM25 score of the best `k` passages for the terms (0 for the others)."""
        out = np.zeros(self.n, dtype=np.float32)
        text = terms_text(terms)
        if not text or not self.n:
            return out
        with self.store.lock:
            found = self.store.client.search(
                self.store.passages,
                data=[text],
                anns_field="sparse",
                limit=max(1, min(k, self.n, MAX_LIMIT)),
                search_params={"metric_type": "BM25"},
            )
        for hit in found[0]:
            row = self.row_of.get(hit["key"])
            if row is not None:
                # Milvus scores tf·(k1+1)/(tf + k1·…): bm25s's "lucene" leaves out the
                # constant (k1+1); divided out, the two agree to the float.
                out[row] = abs(hit["distance"]) / (1.0 + BM25_K1)
        return out
