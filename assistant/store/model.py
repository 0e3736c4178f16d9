"""The index's data: the manifest, the document entries and the `Index` in memory."""

from __future__ import annotations

import hashlib
import logging

import numpy as np
from pydantic import BaseModel

from ..ingest.documents import SourceDocument
from ..ingest.formats import Extracted
from ..models import Briefs, Document, Passage, Span
from ..text import Vocabulary, tokens
from .lexical import LexicalIndex
from .vectors import VectorIndex

log = logging.getLogger(__name__)

# Bump when the files, what the readers extract or the way passages are cut change: older
# indexes are then rebuilt.
FORMAT_VERSION = 4
SPLITTER_VERSION = 1
# Slow to parse: what they gave is kept in the index, by the sha256 of the file.
PARSED_SUFFIXES = (".pdf", ".docx")

class StoredSource(BaseModel):
    """A line of sources.jsonl: what a PDF or Word file gave, by the sha256 of the file."""

    sha256: str
    extracted: Extracted


class DocumentEntry(BaseModel):
    """A document's rows in the index: what the manifest tracks to update it incrementally."""

    id: str
    path: str
    sha256: str
    passages: int
    sentences: int


class Manifest(BaseModel):
    format_version: int
    model: str
    dim: int
    # What ran the model ("onnx", "torch", "onnx-int8"); None in indexes built before it was kept.
    backend: str | None = None
    corpus_fingerprint: str
    passage_count: int
    document_count: int
    index_type: str
    built_at: str
    build_seconds: float
    encode_seconds: float
    documents: list[DocumentEntry]
    embedded: list[str]
    files: dict[str, str]


def fingerprint(documents: list[SourceDocument]) -> str:
    """Changes when any document's content, the set of documents or the splitter changes."""
    h = hashlib.sha256(f"format={FORMAT_VERSION};splitter={SPLITTER_VERSION}".encode())
    for source in sorted(documents, key=lambda s: s.document.id):
        h.update(f"\n{source.document.id}:{source.document.sha256}".encode())
        h.update(source.document.model_dump_json(exclude={"sha256"}).encode())
    return h.hexdigest()


class Index:
    """Passages with their dense and lexical indexes, ready to search."""

    def __init__(
        self,
        manifest: Manifest,
        documents: list[Document],
        passages: list[Passage],
        embeddings: np.ndarray,
        vectors: VectorIndex,
        lexical: LexicalIndex,
        sentences: np.ndarray,
        sentence_embeddings: np.ndarray,
        sentence_vectors: VectorIndex,
        extracted: dict[str, Extracted] | None = None,
        briefs: Briefs | None = None,
    ):
        self.manifest = manifest
        self.documents = {d.id: d for d in documents}
        self.passages = passages
        self.embeddings = embeddings
        self.vectors = vectors
        self.lexical = lexical
        self.sentences = sentences
        self.sentence_embeddings = sentence_embeddings
        self.sentence_vectors = sentence_vectors
        # What PDF and Word files gave, by the sha256 of the file: not parsed again.
        self.extracted = extracted or {}
        # Extractive briefs of the sections; the answer stage makes them (see `assistant.answer.brief`).
        self.briefs = briefs
        # sentence rows of each passage, for answer composition
        self.sentence_rows: list[list[int]] = [[] for _ in passages]
        for row, passage_row in enumerate(sentences[:, 0].tolist() if len(sentences) else []):
            self.sentence_rows[passage_row].append(row)
        texts = [p for p in passages if p.kind != "reference"]
        self.vocabulary = Vocabulary(
            [p.text for p in texts if p.language == "vi"],
            others=[p.text for p in texts if p.language != "vi"],
        )
        self.position = {p.id: i for i, p in enumerate(passages)}
        # Each document's passages are one run of rows.
        self.rows: dict[str, range] = dict(_runs(passages))

    def pages_of(self, doc_id: str, spans: list[Span]) -> tuple[int | None, int | None]:
        """The first and last page that source `spans` of a document are on; (None, None)
        for a source without pages (text, Markdown)."""
        doc = self.documents.get(doc_id)
        extracted = self.extracted.get(doc.sha256) if doc else None
        layout = extracted.layout if extracted else None
        if layout is None or not layout.pages or not spans:
            return None, None
        pages = [layout.page_at(o) for s in spans for o in (s.start, max(s.start, s.end - 1))]
        return min(pages), max(pages)  # type: ignore[type-var]

    def lexical_terms(self, text: str) -> list[str]:
        return self.vocabulary.expand(tokens(text))

    def sentence_rows_of(self, rows: range) -> np.ndarray:
        """The sentence rows of a run of passage rows, in order."""
        if not len(self.sentences):
            return np.zeros(0, np.int64)
        owners = self.sentences[:, 0]
        return np.flatnonzero((owners >= rows.start) & (owners < rows.stop))


def _runs(passages: list[Passage]) -> list[tuple[str, range]]:
    """(document id, rows) for each run of passages of one document."""
    out: list[tuple[str, range]] = []
    for i, p in enumerate(passages):
        if out and out[-1][0] == p.doc_id:
            out[-1] = (p.doc_id, range(out[-1][1].start, i + 1))
        else:
            out.append((p.doc_id, range(i, i + 1)))
    return out
