"""What every embedder is: the Embedder protocol, the query-vector LRU cache, the model's dimension."""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...


QUERY_CACHE_SIZE = 512


def same_vectors(name: str, other: str) -> bool:
    """Whether embedders of these names (as indexes record them) make the same vectors.

    torch and ONNX fp32 run the same model: "M" and "M+onnx" (the name fp32 indexes had
    before it became the default) are one vector space; "M+onnx-int8" is another.
    """
    return name.removesuffix("+onnx") == other.removesuffix("+onnx")


def dimension(model) -> int:
    """A sentence-transformers model's output size (the method was renamed in version 6)."""
    method = getattr(model, "get_embedding_dimension", None)
    return int(method() if method else model.get_sentence_embedding_dimension())


class _QueryCache:
    """`encode_queries` through an LRU cache of the last QUERY_CACHE_SIZE query vectors."""

    def __init__(self) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _encode_queries_uncached(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vec in zip(missing, self._encode_queries_uncached(missing), strict=True):
                self._cache[text] = vec
        out = np.zeros((len(texts), self.dim), np.float32)  # type: ignore[attr-defined]
        for i, text in enumerate(texts):
            self._cache.move_to_end(text)
            out[i] = self._cache[text]
        while len(self._cache) > QUERY_CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        self._cache.clear()


