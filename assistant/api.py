"""The assistant: the corpus, its index and the model, loaded once and ready to search.

>>> from assistant import Assistant, Settings
>>> bot = Assistant.load(Settings())                              # doctest: +SKIP
>>> bot.search("singapore ho tro doanh nghiep vua va nho", k=3)   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from . import documents as documents_mod
from . import embedder as embedder_mod
from . import index as index_mod
from .embedder import Embedder
from .errors import IndexProblem
from .models import Answer, Hit, Passage
from .search import Searcher
from .settings import Settings
from .text import NAME_GROUPS

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

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        history: list[Answer | str] | None = None,
        mode: str | None = None,
        documents: list[str] | None = None,
    ) -> Answer:
        """A short answer with sentence-level citations, or a clear abstention.

        `history` holds the previous turns (their answers, or their questions), oldest
        first; a follow-up ("Còn Nhật Bản thì sao?") is rewritten from them, and the
        rewritten query is in `Answer.query`.
        """
        from . import answer as answer_mod
        from .followup import rewrite

        started = time.perf_counter()
        previous = [h.query if isinstance(h, Answer) else str(h) for h in (history or [])]
        query = rewrite(question, previous, self.places) if previous else question
        info = self.searcher.analyze(query)
        info.original = question
        hits, qvec, timings = self.searcher.run(info, k=k or self.settings.k, documents=documents)
        retrieved = time.perf_counter()
        result = answer_mod.compose(info, hits, qvec, self.index, bands=getattr(self.embedder, "cosine_bands", None))
        mode = mode or self.settings.answer_mode
        if mode == "llm" and not result.abstained:
            result = self._with_llm(result, info, hits)
        result.timings = {
            **{key: round(v * 1000, 2) for key, v in timings.items()},
            "retrieve": round((retrieved - started) * 1000, 2),
            "compose": round((time.perf_counter() - retrieved) * 1000, 2),
        }
        return result

    def _with_llm(self, extractive: Answer, info, hits: list[Hit]) -> Answer:
        """The LLM's checked answer; the extractive one, with a notice, when it fails."""
        from . import answer as answer_mod
        from . import llm

        s = self.settings
        if not (s.llm_url and s.llm_model):
            extractive.notice = (
                "LLM mode needs --llm-url and --llm-model; showing the extractive answer."
            )
            return extractive
        try:
            config = llm.LLMConfig(
                url=s.llm_url,
                model=s.llm_model,
                api_key_env=s.llm_api_key_env,
                timeout=s.llm_timeout,
            )
            sentences, notice = llm.answer(
                info.normalized, info.language, hits, config, self.embedder
            )
        except (llm.LLMError, ValueError) as exc:
            extractive.notice = (
                f"The language model could not answer ({exc}); showing the extractive answer."
            )
            return extractive
        if not sentences:
            extractive.notice = f"The language model's answer was not supported by the passages ({notice}); showing the extractive answer."
            return extractive
        return answer_mod.from_llm(info, hits, sentences, self.index, notice=notice)

    @property
    def places(self) -> list[str]:
        """Short second-level section titles ("Nhật Bản", "Singapo"): what follow-ups swap."""
        names = {
            re.sub(r"^[\d.]+\s*", "", p.section[1])
            for p in self.index.passages
            if len(p.section) >= 2 and re.match(r"^\d+\.\d+\.?\s", p.section[1])
        }
        names = {n for n in names if len(n.split()) <= 3}
        # and their English and Vietnamese spellings, so "And Korea?" swaps "Japan"
        names |= {form.title() for group in NAME_GROUPS for form in group if len(form) > 3}
        return sorted(names)

    def passage(self, passage_id: str) -> Passage:
        return self.index.passages[self.index.position[passage_id]]

    def neighbours(self, passage_id: str, *, before: int = 1, after: int = 1) -> list[Passage]:
        """The passage with the ones around it in the same document, in reading order."""
        i = self.index.position[passage_id]
        doc = self.index.passages[i].doc_id
        lo, hi = max(0, i - before), min(len(self.index.passages), i + after + 1)
        return [p for p in self.index.passages[lo:hi] if p.doc_id == doc]
