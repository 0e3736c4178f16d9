"""The assistant: the corpus, its index and the model, loaded once and ready to search.

>>> from assistant import Assistant, Settings
>>> bot = Assistant.load(Settings())                              # doctest: +SKIP
>>> bot.search("singapore ho tro doanh nghiep vua va nho", k=3)   # doctest: +SKIP
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import documents as documents_mod
from . import embedder as embedder_mod
from . import index as index_mod
from .embedder import Embedder
from .errors import IndexProblem
from .models import Hit, Passage
from .search import Searcher
from .settings import Settings

log = logging.getLogger(__name__)


class Assistant:
    def __init__(
        self,
        settings: Settings,
        index: index_mod.Index,
        embedder: Embedder,
        sources: dict[str, str],
    ):
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.sources = sources
        self.searcher = Searcher(index, embedder, max_query_chars=settings.max_query_chars)
        self.notices: list[str] = []

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        rebuild: bool = False,
    ) -> Assistant:
        """Load the index, building it first if it is missing, stale or corrupt."""
        settings = settings or Settings()
        sources, warnings = documents_mod.load_corpus(Path(settings.corpus_dir))
        embedder = embedder or embedder_mod.load(settings)
        expected = index_mod.fingerprint(sources)
        notices = list(warnings)
        index = None
        if not rebuild:
            try:
                index = index_mod.load(
                    settings.index_dir, expect_fingerprint=expected, expect_model=embedder.name
                )
            except IndexProblem as exc:
                if (Path(settings.index_dir) / "manifest.json").exists():
                    notices.append(f"rebuilding the index: {exc}")
                log.info("building the index: %s", exc)
        if index is None:
            index = index_mod.build(
                sources,
                embedder,
                index_type=settings.index_type,
                ann_threshold=settings.ann_threshold,
                progress=settings.show_progress,
            )
            index_mod.save(index, Path(settings.index_dir))
        for notice in notices:
            log.warning("%s", notice)
        bot = cls(settings, index, embedder, {s.document.id: s.text for s in sources})
        bot.notices = notices
        return bot

    def search(self, query: str, *, k: int | None = None, **options) -> list[Hit]:
        """The best passages for a question, with where they come from and how they scored."""
        return self.searcher.search(query, k=k or self.settings.k, **options)

    def passage(self, passage_id: str) -> Passage:
        return self.index.passages[self.index.position[passage_id]]

    def neighbours(self, passage_id: str, *, before: int = 1, after: int = 1) -> list[Passage]:
        """The passage with the ones around it in the same document, in reading order."""
        i = self.index.position[passage_id]
        doc = self.index.passages[i].doc_id
        lo, hi = max(0, i - before), min(len(self.index.passages), i + after + 1)
        return [p for p in self.index.passages[lo:hi] if p.doc_id == doc]
