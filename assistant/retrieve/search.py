"""Hybrid search: dense (e5) and lexical (BM25 on folded tokens), fused by query type.

Each signal wins a different kind of question. The embedder reads Vietnamese and English
but barely unaccented Vietnamese; BM25 over diacritic-folded tokens reads Vietnamese with
or without accents but not English. So the query is analysed first:

- its language: Vietnamese with diacritics, Vietnamese typed without them, or English;
- for unaccented Vietnamese, the diacritics are restored from the corpus's own word
  sequences before embedding ("ho tro doanh nghiep" → "hỗ trợ doanh nghiệp");
- acronyms are spelled out for the embedder and expanded both ways for BM25.

Then both score lists are normalised to [0, 1] and mixed with a weight that depends on
the language and on how many of the query's words the corpus knows (an English question
shares few words with a Vietnamese bulletin, so BM25 gets little say there).
"""

from __future__ import annotations

import functools
import re
import time

import numpy as np

from ..embed.base import Embedder
from ..errors import BadQuery
from ..ingest.duplicates import normalized
from ..models import SECTION_SEP, Hit, QueryInfo
from ..store.index import Index
from ..text import GLOSSARY, NAME_GROUPS, clean, fold, glossary_terms, places_in, tokens
from ..text.language import ENGLISH_WORDS, detect_language
from ..text.lexicon import full_names, glossary_matches
from .question import polite_free, source_kinds
from .scores import _nearest, fuse, ranks_of, top_k

# Dense weight per query language, before the lexical-coverage adjustment. Set on the dev
# set's groups; see docs/measurements.md, "Retrieval on the dev set".
DENSE_WEIGHT = {"vi": 0.5, "vi-unaccented": 0.4, "en": 0.85}
CANDIDATES = 50
# How much less a passage scoped to one place scores for a question that names no place:
# bulletin dev, dev2 and paraphrase-dev R@1 on such questions rose in every group at 0.05
# to 0.2 (XQuAD has no such sections); the middle of that plateau. docs/measurements.md.
SCOPED_PENALTY = 0.1


def check_query(query: str, max_chars: int) -> str:
    """The query cleaned, or BadQuery saying what is wrong with it."""
    if not isinstance(query, str):
        raise BadQuery("the question must be text")
    text = clean(query)
    if not text:
        raise BadQuery("the question is empty; type a question about the bulletin")
    if len(text) > max_chars:
        raise BadQuery(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Ask about one thing at a time."
        )
    if not re.search(r"\w", text):
        raise BadQuery("the question has no words; type a question about the bulletin")
    return text


class Searcher:
    def __init__(self, index: Index, embedder: Embedder, *, max_query_chars: int = 2_000):
        self.index = index
        self.embedder = embedder
        self.max_query_chars = max_query_chars
        self._kind = np.array([p.kind for p in index.passages], dtype=object)
        self._secondary = np.isin(self._kind, ["reference", "front"])
        # The same passage text in two documents (a copy added with --force, a reprint)
        # is shown once: each row points to the first row with its normalised text.
        first: dict[str, int] = {}
        self._canonical = np.array(
            [first.setdefault(normalized(p.text), i) for i, p in enumerate(index.passages)],
            dtype=np.int64,
        )
        self._copies = int(np.count_nonzero(self._canonical != np.arange(len(index.passages))))
        self._narrowed: dict[str, str] = {}  # section filter text -> the section it means
        self._scopes = place_scopes(index.passages)
        self._scoped = np.array([s is not None for s in self._scopes], dtype=bool)

    def narrow_section(self, section: str) -> str:
        """The section a filter text means: the path of the shortest heading that contains
        it (accents and case ignored; a place in any of its forms, "Japan" for "Nhật
        Bản"), so "Nhật Bản" is section 2.2, not also section 2, whose title names all
        four countries. The text itself when no heading contains it."""
        if section in self._narrowed:
            return self._narrowed[section]
        needle = fold(section)
        forms = [needle] + [f for g in sorted(places_in(needle)) for f in sorted(NAME_GROUPS[g])]
        best: tuple[int, str] | None = None
        for path in dict.fromkeys(tuple(p.section) for p in self.index.passages):
            for depth, heading in enumerate(path, start=1):
                head = fold(heading)
                if any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", head) for f in forms):
                    candidate = (len(head), SECTION_SEP.join(path[:depth]))
                    best = candidate if best is None or candidate < best else best
        self._narrowed[section] = best[1] if best else section
        return self._narrowed[section]

    @functools.cached_property
    def _bound(self) -> set[str]:
        """The words only one place's sections use ("Gwanghwamoon", "InnoLeap"): a
        question with one of them is about that place, named or not (a follow-up's topic
        too). Read once, at the first question that names no place."""
        seen: dict[str, set] = {}
        for p, scope in zip(self.index.passages, self._scopes):
            for t in set(tokens(p.text)):
                seen.setdefault(t, set()).add(scope)
        return {t for t, scopes in seen.items() if len(scopes) == 1 and None not in scopes}

    def full_names(self, text: str) -> str:
        """The text with the short names of places written out (`lexicon.full_names`);
        in a Vietnamese question also those typed in lower case that the corpus never
        uses as words ("sing", "tq"). An English question's are English words ("HQ",
        "sing")."""
        if detect_language(text) == "en":
            return text  # "GovTech's HQ" is its headquarters, not Korea
        return full_names(text, self.index.vocabulary.folded_words)

    def analyze(self, query: str) -> QueryInfo:
        text = self.full_names(check_query(query, self.max_query_chars))
        # who asks is not what is asked: "Em muốn hỏi InnoLeap là gì?", "Anh ơi, …" (not England)
        text = polite_free(text)
        vocab = self.index.vocabulary
        folded = tokens(text)
        known = vocab.vietnamese_share(folded)
        language = detect_language(text)
        restored = vocab.restore(text) if language == "vi-unaccented" else None
        if language == "vi" and vocab.unwritten(text) >= 2:  # "Singapore có bao nhieu dan?"
            restored = vocab.restore(text, keep_written=True)
        dense_query = vocab.spell_out(restored or text)
        lexical_terms = vocab.expand(folded)
        if language == "en":
            # The reference list is English: "how", "the", "use" would match it, not the answer.
            lexical_terms = [t for t in lexical_terms if t not in ENGLISH_WORDS]
            # Place names are the words an English question shares with the Vietnamese
            # text once translated: "Japan" → "nhật bản".
            for group in places_in(fold(text)):
                lexical_terms += [w for form in sorted(NAME_GROUPS[group]) if " " in form for w in form.split()]
            lexical_terms += glossary_terms(fold(text))
        matched = glossary_matches(fold(text)) if language == "en" else []  # the field's English terms
        weight = DENSE_WEIGHT[language]
        if language == "en":
            # Names and numbers shared with the bulletin, and the words the glossary
            # translates, count in proportion to how much of the question they cover.
            content = [t for t in folded if t not in ENGLISH_WORDS and not t.isdigit()]
            translated = {w for term in matched for w in term.split()}
            if content:
                known = max(known, sum(t in translated or t in vocab.folded_words for t in content) / len(content))
            weight = 1.0 - (1.0 - weight) * min(1.0, known * 2)
        search_query = None
        if language == "en":
            # The bulletin's words for the question's terms, accented as the corpus writes
            # them, beside the question: a bridge for the multilingual embedder when it
            # looks for passages (query translation by the glossary).
            translated = [vocab.restore(form) for term in matched for form in GLOSSARY[term][:1]]
            if translated:
                search_query = f"{dense_query} ({'; '.join(dict.fromkeys(translated))})"
        return QueryInfo(
            original=query,
            normalized=text,
            language=language,  # type: ignore[arg-type]
            dense_query=dense_query,
            search_query=search_query,
            lexical_terms=lexical_terms,
            dense_weight=round(weight, 3),
            restored=restored,
        )

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        mode: str = "hybrid",
        documents: list[str] | None = None,
        section: str | None = None,
        info: QueryInfo | None = None,
    ) -> list[Hit]:
        """The `k` best passages for `query`; `mode` is 'hybrid', 'dense' or 'lexical'.

        `documents` keeps only passages of those document ids; `section` keeps passages
        whose section path contains that text (accents and case ignored).
        """
        info = info or self.analyze(query)
        hits, _, _ = self.run(info, k=k, mode=mode, documents=documents, section=section)
        return hits

    def run(
        self,
        info: QueryInfo,
        *,
        k: int = 5,
        mode: str = "hybrid",
        documents: list[str] | None = None,
        section: str | None = None,
        passages: set[str] | None = None,
    ) -> tuple[list[Hit], np.ndarray | None, dict[str, float]]:
        """Search for an analysed query; also returns the query vector and the timings.

        `passages` keeps only those passage ids (a conversation's thread, for instance).
        """
        index = self.index
        n = len(index.passages)
        timings: dict[str, float] = {}
        qvec = None
        section = self.narrow_section(section) if section else section
        if n == 0 or k < 1:
            return [], qvec, timings
        dense = np.full(n, np.nan, dtype=np.float32)
        if mode in ("hybrid", "dense"):
            t = time.perf_counter()
            if info.search_query:
                qvec, svec = self.embedder.encode_queries([info.dense_query, info.search_query])
            else:
                qvec = svec = self.embedder.encode_queries([info.dense_query])[0]
            timings["encode"] = time.perf_counter() - t
            t = time.perf_counter()
            depth = max(CANDIDATES, k) if mode == "hybrid" else n
            scores, rows = _nearest(index.vectors, svec, depth, documents, section)
            valid = rows[0] >= 0
            dense[rows[0][valid]] = scores[0][valid]
            # A passage is as relevant as its best sentence: a question about one fact
            # matches the sentence that states it better than the whole paragraph.
            if len(index.sentence_vectors):
                s_scores, s_rows = _nearest(
                    index.sentence_vectors,
                    svec,
                    min(len(index.sentence_vectors), 3 * depth),
                    documents,
                    section,
                )
                valid = s_rows[0] >= 0
                owners = index.sentences[s_rows[0][valid], 0]
                best = np.full(n, np.nan, dtype=np.float32)
                np.fmax.at(best, owners, s_scores[0][valid])
                dense = np.fmax(dense, best)
            timings["faiss"] = time.perf_counter() - t
        lexical = np.zeros(n, dtype=np.float32)
        if mode in ("hybrid", "lexical"):
            t = time.perf_counter()
            lexical = index.lexical.scores(info.lexical_terms)
            timings["bm25"] = time.perf_counter() - t
        t = time.perf_counter()

        allowed = np.ones(n, dtype=bool)
        if documents:
            wanted = set(documents)
            allowed &= np.array([p.doc_id in wanted for p in index.passages])
        if section:
            needle = fold(section)
            allowed &= np.array([needle in fold(p.section_path) for p in index.passages])
        if passages is not None:
            allowed &= np.array([p.id in passages for p in index.passages])

        fused = fuse(dense, lexical, info.dense_weight if mode == "hybrid" else mode)
        if mode == "hybrid":
            # The reference list and the title page match many words and answer nothing:
            # they stay findable, below the text.
            # A question about the bulletin itself or its references reads them as text.
            asked = source_kinds(info.normalized)
            secondary = self._secondary & ~np.isin(self._kind, sorted(asked)) if asked else self._secondary
            fused = np.where(secondary, fused * 0.5, fused)
            if asked:
                # the title page or the reference list is what such a question is about:
                # among the hits whatever its similarity ("Bản tin này do đơn vị nào thực
                # hiện?" shares few words with "Trung tâm Thông tin và Thống kê KH&CN")
                fused = np.where(np.isin(self._kind, sorted(asked)), fused + 1.0, fused)
            if (
                passages is None
                and self._scoped.any()
                and not places_in(fold(info.normalized))
                and not self._bound & set(tokens(info.normalized))
            ):
                # a question that names no place asks what holds in general: a section on
                # one country answers it when nothing general does ("ĐMST mạng lưới chủ
                # yếu do ai làm ra?" is the overview's, not Singapore's "(b) ĐMST mạng lưới");
                # within a thread's passages the thread says where
                fused = np.where(self._scoped, fused * (1 - SCOPED_PENALTY), fused)
        fused = np.where(allowed, fused, -np.inf)
        order = self._follow_lead_in(self._once(fused, k), fused, k)
        dense_rank = ranks_of(dense, order)
        lexical_rank = ranks_of(np.where(lexical > 0, lexical, np.nan), order)
        hits = [
            Hit(
                passage=index.passages[i],
                score=round(float(fused[i]), 4),
                dense_rank=dense_rank[j],
                lexical_rank=lexical_rank[j],
                dense_score=None if np.isnan(dense[i]) else round(float(dense[i]), 4),
                lexical_score=round(float(lexical[i]), 4) if lexical[i] > 0 else None,
            )
            for j, i in enumerate(order)
            if np.isfinite(fused[i])
        ]
        timings["fusion"] = time.perf_counter() - t
        return hits, qvec, timings

    def _once(self, fused: np.ndarray, k: int) -> np.ndarray:
        """The rows of the `k` best passages, a passage text only once (its best copy)."""
        if not self._copies:
            return top_k(fused, k)
        seen: set[int] = set()
        out = []
        for i in top_k(fused, k + self._copies):
            if (c := int(self._canonical[i])) not in seen:
                seen.add(c)
                out.append(int(i))
        return np.array(out[:k], dtype=np.int64)

    def _follow_lead_in(self, order: np.ndarray, fused: np.ndarray, k: int) -> np.ndarray:
        """A best passage that introduces a list ("… các chủ đề sau:") brings its first item.

        The question it matches is answered by the list that follows, not by the lead-in.
        """
        if not len(order) or k < 2:
            return order
        top = int(order[0])
        passages = self.index.passages
        nxt = top + 1
        if (
            passages[top].text.rstrip().endswith(":")
            and nxt < len(passages)
            and passages[nxt].doc_id == passages[top].doc_id
            and np.isfinite(fused[nxt])
            and nxt not in order[:2]
        ):
            rest = [int(i) for i in order[1:] if int(i) != nxt]
            order = np.array([top, nxt, *rest][:k])
        return order


def place_scopes(passages) -> list[int | None]:
    """Per passage, the place its section is about, when a heading of its section names
    one place and the document's other passages do not all share that heading ("2.4.
    Singapo" in a bulletin on four countries: Singapore; an article titled "Warsaw", all
    of it about Warsaw: None). The deepest such heading's place; None when none is."""
    by_doc: dict[str, list] = {}
    for p in passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    whole = {doc: set.intersection(*(set(p.section) for p in ps)) for doc, ps in by_doc.items()}
    out: list[int | None] = []
    for p in passages:
        named = [places_in(fold(h)) for h in p.section if h not in whole[p.doc_id]]
        out.append(next((next(iter(g)) for g in reversed(named) if len(g) == 1), None))
    return out
