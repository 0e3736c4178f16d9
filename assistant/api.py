"""The assistant: the corpus, its index and the model, loaded once and ready to search.

>>> from assistant import Assistant, Settings
>>> bot = Assistant.load(Settings())                              # doctest: +SKIP
>>> bot.search("singapore ho tro doanh nghiep vua va nho", k=3)   # doctest: +SKIP
>>> bot.add([Path("ban-tin-2021-03.pdf")])                         # doctest: +SKIP
['ban-tin-2021-03']
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from .answer import brief as brief_mod
from .conversation import Conversation
from .embed import embedder as embedder_mod
from .embed.base import Embedder
from .errors import IndexProblem
from .ingest import documents as documents_mod
from .library import Library, _local_index_type, _open_store
from .llm_mode import LLMMode
from .models import Answer, Draft, Hit, Passage
from .retrieve.search import Searcher
from .settings import Settings
from .store import index as index_mod
from .text import NAME_GROUPS, add_corpus_lexicon
from .text.lexicon import use_glossary

log = logging.getLogger(__name__)


class Assistant(Conversation, Library, LLMMode):
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
        # Settings.store "milvus": the collections the vectors are searched in.
        self.store = None

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        rebuild: bool = False,
    ) -> Assistant:
        """Load the index, building it first if it is missing, stale or corrupt.

        A stale index (documents added, changed or removed in the corpus folder) is
        updated: documents that did not change keep their stored vectors. `rebuild`
        encodes everything again.
        """
        settings = settings or Settings()
        # What PDF and Word files gave is kept in the index; `rebuild` reads them afresh.
        known = None if rebuild else index_mod.read_extracted(Path(settings.index_dir))
        use_glossary(settings.glossary)
        add_corpus_lexicon(Path(settings.corpus_dir))  # the corpus's own lexicon.json, if any
        sources, warnings = documents_mod.load_corpus(Path(settings.corpus_dir), known=known)
        embedder = embedder or embedder_mod.load(settings)
        notices = list(warnings)
        previous = None
        if not rebuild:
            try:
                previous = index_mod.load(settings.index_dir, expect_model=embedder.name)
            except IndexProblem as exc:
                if (Path(settings.index_dir) / "manifest.json").exists():
                    notices.append(f"rebuilding the index: {exc}")
                log.info("building the index: %s", exc)
        if previous is not None and previous.manifest.corpus_fingerprint == index_mod.fingerprint(
            sources
        ):
            index = previous
            if not brief_mod.is_current(index):
                # an index saved before briefs existed (or by another brief method)
                index.briefs = brief_mod.make(index, previous=index.briefs)
                try:
                    index_mod.save(index, Path(settings.index_dir))
                except IndexProblem as exc:
                    log.warning("the briefs are not saved with the index: %s", exc)
        else:
            if previous is not None:
                notices.append(
                    "updating the index: the corpus has changed since the index was built "
                    f"({index_mod.changes(previous, sources)})"
                )
            index = index_mod.build(
                sources,
                embedder,
                previous=previous,
                index_type=_local_index_type(settings),
                ann_threshold=settings.ann_threshold,
                progress=settings.show_progress,
            )
            index.briefs = brief_mod.make(index, previous=previous.briefs if previous else None)
            index_mod.save(index, Path(settings.index_dir))
        store = _open_store(settings, embedder, replace=rebuild)
        for notice in notices:
            # the caller shows them (`bot.notices`: the CLI prints, the app displays);
            # a warning here printed each one twice on the command line
            log.info("%s", notice)
        bot = cls(settings, index, embedder, {s.document.id: s.text for s in sources})
        bot.notices = notices
        if store is not None:
            store.sync(index)  # writes only the documents that differ
            bot.store = store
            bot._use(sources, index)
        return bot

    def close(self) -> None:
        """Let go of the Milvus connection (Milvus Lite: another process may then open it)."""
        if self.store is not None:
            self.store.close()
            self.store = None

    def search(self, query: str, *, k: int | None = None, **options) -> list[Hit]:
        """The best passages for a question, with where they come from and how they scored.

        Options: `mode`, `documents` (document ids to search in), `section` (text the
        section path contains).
        """
        return self.searcher.search(query, k=k or self.settings.k, **options)

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        history: list[Answer | str] | None = None,
        mode: str | None = None,
        documents: list[str] | None = None,
        section: str | None = None,
    ) -> Answer:
        """A short answer with sentence-level citations, or a clear abstention.

        `history` holds the previous turns (their answers, or their questions), oldest
        first; a follow-up ("Còn Nhật Bản thì sao?") is rewritten from them, and the
        rewritten query is in `Answer.query`. `documents` and `section` answer from those
        documents, or that section, only. `ask_stream` shows an LLM answer as it is written.
        """
        *_, answer = self.ask_stream(
            question, k=k, history=history, mode=mode, documents=documents, section=section
        )
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(
        self,
        question: str,
        *,
        k: int | None = None,
        history: list[Answer | str] | None = None,
        mode: str | None = None,
        documents: list[str] | None = None,
        section: str | None = None,
        lock: AbstractContextManager | None = None,
    ) -> Iterator[Draft | Answer]:
        """`ask`, step by step: Drafts while an LLM writes, then the checked Answer, last.

        In the LLM mode a `Draft` (the unchecked text so far, pieces and seconds) comes
        at least once a second, also while the model is still reading the prompt; the
        extractive mode yields the Answer alone. `lock` is held while this process's
        embedder runs (retrieval and the checks) and released while the model writes, so
        a shared embedder serves other users meanwhile.
        """
        from .answer import extractive as answer_mod
        from .answer.summary import summary_request
        from .retrieve.followup import _merge, plan
        from .retrieve.intake import question_of
        from .retrieve.question import analyze, given_numbers, kind_of
        from .retrieve.topic import GUESS, UNRESOLVED, dangling, topic_words
        from .text import tokens

        guard = lock if lock is not None else nullcontext()
        started = time.perf_counter()
        question = question_of(question)  # a long paste is asked by the question it ends with
        thread = self.thread(history or [], k=k, documents=documents, section=section)
        with guard:
            last = thread[-1] if thread else None
            local = self._thread_passages(thread) if last else set()
            thread_words = self._words_of(local)
            step = plan(
                self.searcher.full_names(question),  # "Còn Nhật thì sao?" switches to Japan
                last.query if last else None,
                last.topic if last else None,
                self.places,
                specific=self._specific,
                known=self._known,
                thread_words=thread_words,
            )
            # "Tóm tắt …", or "Còn Nhật Bản thì sao?" after a brief of Singapore: a brief
            wants = [q for q in (question, step.query) if summary_request(q) is not None]
            if wants:
                brief = self.brief(wants[0], documents=documents)
                yield brief.model_copy(update={"question": question})
                return
            info = self.searcher.analyze(step.query)
            info.original = question
            frame = self.searcher.analyze(question).language if last else info.language
            scope = {"k": k or self.settings.k, "documents": documents, "section": section}
            bands = getattr(self.embedder, "cosine_bands", None)
            asked = analyze(info.normalized, info.restored)
            if step.kind != "standalone":
                # a follow-up that leans on the thread asks its own kind of question about
                # the thread's topic; one that switches ("Còn Singapore thì sao?") asks the
                # previous question of the new topic, whose kind the rewritten query keeps
                # (the numbers it gives are the ones the user typed, not the thread's)
                kind = asked.kind if step.kind == "switch" else kind_of(step.ask)
                asked = asked.model_copy(update={"kind": kind, "given": given_numbers(question)})

            def side_search(text: str):
                side = self.searcher.analyze(text)
                side_hits, side_qvec, _ = self.searcher.run(side, **scope)
                return side, side_hits, side_qvec

            result = None
            timings: dict[str, float] = {}
            if step.own_words:
                # a word of its own the thread's passages do not use ("Hackathon là gì?"):
                # a question of its own when, asked alone, it is answered by a sentence
                # that has that word
                alone = self.searcher.analyze(question)
                hits, qvec, timings = self.searcher.run(alone, **scope)
                result = answer_mod.compose(alone, hits, qvec, self.index, bands=bands, search=side_search)
                said = set(tokens(" ".join(s.text for s in result.sentences)))
                if result.abstained or not set(step.own_words) <= said:
                    result = None
                else:
                    info, step = alone, step.model_copy(update={"kind": "standalone", "topic": topic_words(question, self._specific, self._known) or question})
            if result is None and step.ordinal and thread:
                # "Còn cái thứ ba?": the item of that number of the list the thread quoted
                result, hits = self._list_item_answer(thread, step.ordinal, info, asked, scope, bands)
            if result is None and step.kind == "standalone" and local:
                # a question of its own about what the thread's passages say, every word
                # of it ("ĐMST mạng lưới là gì?" after the three kinds of innovation):
                # those passages first, and the thread goes on with both topics
                said = set(tokens(topic_words(step.query)))
                if said and said <= thread_words:
                    hits, qvec, timings = self.searcher.run(info, **scope, passages=local)
                    result = answer_mod.compose(info, hits, qvec, self.index, bands=bands, question=asked)
                    result.from_thread = True
                    if result.abstained:
                        result = None
            nearest = None
            if result is None and step.kind == "lean" and local:
                # answer from the thread first: the passages the last turn cited and their
                # neighbours in reading order (see `Conversation._from_thread`); the whole
                # index is searched when they do not answer
                result, nearest, hits, timings = self._from_thread(step, info, asked, local, thread, scope, bands)
            if result is None:
                hits, qvec, timings = self.searcher.run(info, **scope)
                result = answer_mod.compose(
                    info, hits, qvec, self.index, bands=bands, search=side_search, question=asked
                )
                if nearest is not None and not result.abstained and not self._on_topic(result, step.topic, local):
                    # an answer about something else than the thread's topic ("How much
                    # funding did they get?" after InnoLeap: the hackathon's prize money)
                    # answers another question: the thread's nearest, as an abstention
                    result = nearest
                if step.switched_to and (result.abstained or not self._about(result, step.switched_to)):
                    # "Còn Nhật Bản thì sao?": an answer about Japan, or "the bulletin does
                    # not say this of Japan" with the nearest passage that is about it
                    result = self._not_said_of(result, step.switched_to, info, asked, frame, scope, bands)
            if step.kind == "standalone" and last is not None and last.topic and not result.abstained:
                # a question of its own answered from the passages the thread quoted goes
                # on with the thread ("PSD tổ chức khi nào?" after the civil servants'
                # contest): its topic and the thread's
                # (when it names a thing the thread's material holds; a topic it describes
                # in words of its own, "ĐMST mạng lưới", replaces the thread's)
                thing = step.topic != topic_words(step.query)
                if thing and any(c.passage_id in local for c in result.citations):
                    step = step.model_copy(update={"topic": _merge(step.topic, last.topic)})
            retrieved = time.perf_counter()
            result = answer_mod.reframe(result, frame)
            pointer = dangling(question, info.language, self._specific) if last is None else None
            if pointer:
                lang = "en" if frame == "en" else "vi"
                guess = "" if result.abstained else GUESS[lang]
                result.notice = UNRESOLVED[lang].format(pointer=pointer, guess=guess)
            result.topic = step.topic
            result.leaned_on = len(thread) if step.kind != "standalone" else None
        composed = time.perf_counter()
        mode = mode or self.settings.answer_mode
        if mode == "llm" and not result.abstained:
            steps = self._with_llm(result, info, hits, guard)
            while True:
                try:
                    yield next(steps)
                except StopIteration as done:
                    result = done.value
                    break
        result.timings = {
            **{key: round(v * 1000, 2) for key, v in timings.items()},
            "retrieve": round((retrieved - started) * 1000, 2),
            "compose": round((composed - retrieved) * 1000, 2),
        }
        if result.mode == "llm" or mode == "llm":
            result.timings["llm"] = round((time.perf_counter() - composed) * 1000, 2)
        yield result

    def brief(self, section_or_question: str = "", *, documents: list[str] | None = None) -> Answer:
        """A cited extractive brief of a section ("2.4", "Singapo", "Japan"), a request ("Tóm
        tắt kinh nghiệm của Singapore") or, for '', the whole document; a topic that is no
        section gets a brief of what retrieval finds, or an abstention. Kind "summary"."""
        from .answer import summary

        if self.index.briefs is None:
            self.index.briefs = brief_mod.make(self.index)
        bands = getattr(self.embedder, "cosine_bands", None)
        return summary.brief(
            section_or_question, self.searcher, self.index, documents=documents, bands=bands
        )

    def thread(self, history: list[Answer | str], **options) -> list[Answer]:
        """The previous turns as answers: a turn given as its question is asked, in order,
        with the turns before it, so the command line's `--history` and the app's list of
        answers resolve a chain of follow-ups the same way."""
        turns: list[Answer] = []
        for turn in history:
            turns.append(
                turn
                if isinstance(turn, Answer)
                else self.ask(str(turn), history=list(turns), mode="extractive", **options)
            )
        return turns

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
