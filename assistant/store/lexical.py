"""BM25 over diacritic-folded tokens, so "ho tro doanh nghiep" meets "hỗ trợ doanh nghiệp"."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class LexicalIndex:
    def __init__(self, bm25):
        self.bm25 = bm25
        self.vocab = bm25.vocab_dict

    @classmethod
    def build(cls, documents: list[list[str]]) -> LexicalIndex:
        import bm25s

        # bm25s sets its own logger to DEBUG: "Building index from tokens" on every build
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        bm25 = bm25s.BM25()
        # An empty document still needs a row, so row numbers match passage numbers.
        bm25.index([doc or [""] for doc in documents], show_progress=False)
        return cls(bm25)

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every document for the query terms (unknown terms score nothing)."""
        known = [t for t in terms if t in self.vocab and t]
        if not known:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False, verbosity=0))
