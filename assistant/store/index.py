"""The index on disk: a folder of plain files with a manifest. No pickle anywhere.

    index/
      manifest.json     format version, model and dimension, corpus fingerprint, counts,
                        build time, the documents (content hash, passage and sentence
                        counts), and the sha256 of every other file
      documents.json    the documents and their metadata
      passages.jsonl    one passage a line (id, section path, paragraph, text, source spans)
      embeddings.npy    float32 [passages × dim], L2-normalised
      dense.faiss       the FAISS index over those vectors
      sentences.npy     int64 [sentences × 3]: passage row, start, end (offsets in the passage text)
      sentence_embeddings.npy, sentences.faiss   the same for each sentence
      sources.jsonl     the text and layout each PDF or Word file gave, by file sha256
      briefs.json       extractive briefs of each section (made by the answer stage)
      bm25/             the bm25s index over folded, acronym-expanded tokens
      README.md         this list

Writes are atomic: the new index is built in a sibling temporary folder and renamed into
place, so a build killed halfway leaves the previous index as it was.

Updates are incremental. Everything stored for a passage depends on its own document only
(acronyms are spelled out from the document's own definitions), so `build(…, previous=…)`
takes the stored vectors of every document whose passages come out the same and encodes
only new or changed documents. The per-row files are rewritten in corpus order and the
FAISS and BM25 structures rebuilt from them, which costs no encoding: row `i` of every file
and of the FAISS index is passage `i` of `passages.jsonl`, and passage ids (a hash of the
document id, section and text) stay the same through adds and removes.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from datetime import UTC, datetime

import numpy as np

from ..embed.base import Embedder, same_vectors
from ..errors import IndexProblem  # noqa: F401  (callers catch it as index.IndexProblem)
from ..ingest import passages as passages_mod
from ..ingest import sentences as sentence_mod
from ..ingest.documents import SourceDocument
from ..models import Passage
from ..text import Vocabulary, tokens
from .disk import README, load, read_extracted, read_manifest, recover, save  # noqa: F401
from .lexical import LexicalIndex
from .model import (  # noqa: F401
    FORMAT_VERSION,
    PARSED_SUFFIXES,
    SPLITTER_VERSION,
    DocumentEntry,
    Index,
    Manifest,
    StoredSource,
    _runs,
    fingerprint,
)
from .vectors import VectorIndex, choose_type

log = logging.getLogger(__name__)


def build(
    sources: list[SourceDocument],
    embedder: Embedder,
    *,
    previous: Index | None = None,
    index_type: str = "auto",
    ann_threshold: int = 50_000,
    progress: bool = False,
) -> Index:
    """Split, embed and index the documents (in memory; `save` writes them).

    With `previous` (an index built with the same model), a document whose passages come
    out the same keeps its stored passage and sentence vectors; only the others are
    encoded, in one call.
    """
    started = time.perf_counter()
    if previous is not None and (
        not same_vectors(previous.manifest.model, embedder.name)
        or previous.manifest.dim != embedder.dim
    ):
        previous = None
    plans = [_plan(s, previous) for s in sources]
    todo = [plan for plan in plans if plan.vectors is None]
    everything = [t for plan in todo for t in plan.texts + plan.sentence_texts]
    t0 = time.perf_counter()
    fresh = (
        embedder.encode_documents(everything, progress=progress)
        if everything
        else np.zeros((0, embedder.dim), np.float32)
    )
    encode_seconds = time.perf_counter() - t0
    at = 0
    for plan in todo:
        n, m = len(plan.texts), len(plan.sentence_texts)
        plan.vectors, plan.sentence_vectors = fresh[at : at + n], fresh[at + n : at + n + m]
        at += n + m

    passages = [p for plan in plans for p in plan.passages]
    embeddings = _stack([plan.vectors for plan in plans], embedder.dim)
    sentence_embeddings = _stack([plan.sentence_vectors for plan in plans], embedder.dim)
    offsets = np.cumsum([0] + [len(plan.passages) for plan in plans])
    sentence_table = np.concatenate(
        [plan.sentences + [offset, 0, 0] for plan, offset in zip(plans, offsets)]
        or [np.zeros((0, 3), np.int64)]
    ).astype(np.int64)
    kind = choose_type(len(passages), index_type, ann_threshold)
    vectors = VectorIndex.build(embeddings, kind=kind)
    sentence_vectors = VectorIndex.build(
        sentence_embeddings, kind=choose_type(len(sentence_table), index_type, ann_threshold)
    )
    lexical = LexicalIndex.build([t for plan in plans for t in plan.tokens])
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=embedder.name,
        backend=getattr(embedder, "backend", None),
        dim=embedder.dim,
        corpus_fingerprint=fingerprint(sources),
        passage_count=len(passages),
        document_count=len(sources),
        index_type=kind,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 3),
        encode_seconds=round(encode_seconds, 3),
        documents=[
            DocumentEntry(
                id=plan.source.document.id,
                path=plan.source.document.path,
                sha256=plan.source.document.sha256,
                passages=len(plan.passages),
                sentences=len(plan.sentences),
            )
            for plan in plans
        ],
        embedded=[plan.source.document.id for plan in todo],
        files={},
    )
    return Index(
        manifest,
        [s.document for s in sources],
        passages,
        embeddings,
        vectors,
        lexical,
        sentence_table,
        sentence_embeddings,
        sentence_vectors,
        extracted={
            s.document.sha256: s.extracted
            for s in sources
            if s.document.path.lower().endswith(PARSED_SUFFIXES)
        },
    )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _Plan:
    """One document on its way into the index: its passages, and stored or texts to encode."""

    def __init__(self, source: SourceDocument, passages: list[Passage]):
        self.source = source
        self.passages = passages
        # The document's own acronyms, not the corpus's: its stored vectors and tokens then
        # stay valid whatever else is added or removed.
        vocabulary = Vocabulary([p.text for p in passages if p.kind != "reference"])
        self.sentences = sentence_spans(passages)  # rows local to the document
        # NFC: the embedder does not recombine a decomposed "ệ" (measured: cosine 0.85–0.89
        # between the two forms of one text); queries are NFC too (text.clean).
        self.texts = [_nfc(vocabulary.spell_out(p.indexed_text)) for p in passages]
        # Each sentence is embedded too (with its passage's context): a question about one
        # fact matches the sentence that states it better than the whole paragraph, and the
        # answer layer scores sentences without encoding anything at question time.
        self.sentence_texts = [
            _nfc(vocabulary.spell_out(_with_context(passages[row].context, passages[row].text[a:b])))
            for row, a, b in self.sentences.tolist()
        ]
        self.tokens = [vocabulary.expand(tokens(p.indexed_text)) for p in passages]
        self.vectors: np.ndarray | None = None
        self.sentence_vectors: np.ndarray | None = None


def _plan(source: SourceDocument, previous: Index | None) -> _Plan:
    """Split a document; take its stored vectors when its passages are what was embedded."""
    doc_id = source.document.id
    plan = _Plan(
        source,
        passages_mod.split(
            source.text, doc_id, layout=source.layout, language=source.document.language
        ),
    )
    rows = previous.rows.get(doc_id) if previous is not None else None
    if rows is None:
        return plan
    # Passage ids hash the section and the text, which is all the embedded text depends on.
    stored = previous.passages[rows.start : rows.stop]
    if [p.id for p in stored] != [p.id for p in plan.passages]:
        return plan
    sentence_rows = previous.sentence_rows_of(rows)
    if len(sentence_rows) != len(plan.sentences):
        return plan
    plan.vectors = previous.embeddings[rows.start : rows.stop]
    plan.sentence_vectors = previous.sentence_embeddings[sentence_rows]
    return plan


def _stack(parts: list[np.ndarray | None], dim: int) -> np.ndarray:
    arrays = [np.asarray(p, dtype=np.float32).reshape(-1, dim) for p in parts if p is not None]
    return np.ascontiguousarray(
        np.concatenate(arrays) if arrays else np.zeros((0, dim), np.float32)
    )


def changes(previous: Index, sources: list[SourceDocument]) -> str:
    """What differs between an index and the corpus, for a notice: 'added a; changed b'."""
    before = {e.id: e.sha256 for e in previous.manifest.documents}
    now = {s.document.id: s.document.sha256 for s in sources}
    parts = [
        ("added", [d for d in now if d not in before]),
        ("changed", [d for d in now if d in before and before[d] != now[d]]),
        ("removed", [d for d in before if d not in now]),
    ]
    described = "; ".join(f"{verb} {', '.join(ids)}" for verb, ids in parts if ids)
    return described or "metadata changed"


def _with_context(context: str, text: str) -> str:
    return f"{context}: {text}" if context else text


def sentence_spans(passages: list[Passage]) -> np.ndarray:
    """[passage row, start, end] for every sentence of every passage."""
    rows = [
        (row, start, end)
        for row, p in enumerate(passages)
        for start, end in sentence_mod.spans(p.text)
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 3)
