"""The library side of the assistant: adding and removing documents, and the index they
make, kept in step with the corpus folder (used by `Assistant`, see `api.py`).

Only new or changed documents are encoded; a failed or interrupted change leaves the
corpus folder and the index as they were; two changes at once are serialised by a file
lock beside the index.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .answer import brief as brief_mod
from .embed.base import Embedder
from .errors import ConfigError, CorpusError, IndexProblem
from .ingest import admission
from .ingest import documents as documents_mod
from .locking import locked
from .models import Document
from .retrieve.search import Searcher
from .settings import Settings
from .store import index as index_mod
from .text import fold

log = logging.getLogger(__name__)


class Library:
    """Corpus management for `Assistant`: it expects `settings`, `index`, `embedder`,
    `sources`, `searcher`, `store` and `notices` on the instance."""

    def add(self, paths: list[Path], *, force: bool = False, ocr: bool = False) -> list[str]:
        """Copy files (and their `.meta.json` sidecars) into the corpus and index them.

        Only the new or changed documents are encoded. Each file is read first, so an
        unreadable one changes nothing; if indexing fails or is interrupted, the corpus
        folder and the index stay as they were. Returns the ids of the documents added.
        A copy of indexed text is refused unless `force`; `ocr` reads PDFs by OCR; what
        `ingest.admission` finds goes to `notices`. Adds and removes take turns (a lock).
        """
        corpus = Path(self.settings.corpus_dir)
        incoming = [
            documents_mod.load(Path(p), known=self.index.extracted, ocr=True if ocr else None)
            for p in paths
        ]
        ids = [s.document.id for s in incoming]
        if len(set(ids)) < len(ids):
            raise CorpusError(
                f"two of the files have the same document id ({_repeated(ids)}); rename one"
            )
        with self._locked():
            for path, source in zip(paths, incoming):
                for other in corpus.iterdir():
                    if (
                        documents_mod.is_document(other)
                        and documents_mod.doc_id_for(other) == source.document.id
                        and other.name != Path(path).name
                    ):
                        raise CorpusError(
                            f"{Path(path).name} would have the id {source.document.id!r}, "
                            f"which {other.name} already has; rename the file, or remove "
                            f"{source.document.id!r} first"
                        )
            notices = admission.check(incoming, self.index.passages, force=force, ocr=ocr)
            with documents_mod.change(corpus) as work:
                for path in paths:
                    work.put(Path(path))
                known = {s.document.sha256: s.extracted for s in incoming}
                sources, index = self._update(known=known)
                missing = [d for d in ids if d not in index.documents]
                if missing:
                    raise CorpusError(f"{', '.join(missing)} could not be indexed")
            self._use(sources, index)
        self.notices += notices  # the CLI prints them, the app shows them
        for notice in notices:
            log.info("%s", notice)
        return ids

    def _locked(self):
        """The lock that `add` and `remove` hold: a file next to the index folder."""
        folder = Path(self.settings.index_dir).resolve()
        folder.parent.mkdir(parents=True, exist_ok=True)
        message = f"another add or remove is updating {folder}; waiting for it to finish"
        return locked(folder.parent / f".{folder.name}.lock", waiting=lambda: log.warning(message))

    def remove(self, doc_id: str) -> None:
        """Take a document (and its sidecar) out of the corpus and its passages out of the index."""
        corpus = Path(self.settings.corpus_dir)
        path = documents_mod.find(corpus, doc_id)
        if len([p for p in corpus.iterdir() if documents_mod.is_document(p)]) == 1:
            raise CorpusError(
                f"{doc_id!r} is the only document in {corpus}; add another before removing it"
            )
        with self._locked(), documents_mod.change(corpus) as work:
            work.take(path)
            sources, index = self._update()
            self._use(sources, index)

    def documents(self) -> list[tuple[Document, index_mod.DocumentEntry]]:
        """The indexed documents with their passage and sentence counts, in index order."""
        return [(self.index.documents[e.id], e) for e in self.index.manifest.documents]

    def _update(
        self, *, known: dict | None = None
    ) -> tuple[list[documents_mod.SourceDocument], index_mod.Index]:
        """Index the corpus folder as it is now, reusing the stored vectors of the index on
        disk (another process may have saved one since) or this one's; `known`: files just
        read (an OCR is not run twice)."""
        self.index = self._on_disk() or self.index
        sources, warnings = documents_mod.load_corpus(
            Path(self.settings.corpus_dir), known={**self.index.extracted, **(known or {})}
        )
        index = index_mod.build(
            sources,
            self.embedder,
            previous=self.index,
            index_type=_local_index_type(self.settings),
            ann_threshold=self.settings.ann_threshold,
            progress=self.settings.show_progress,
        )
        index.briefs = brief_mod.make(index, previous=self.index.briefs)
        index_mod.save(index, Path(self.settings.index_dir))
        if self.store is not None:
            # Inside the corpus change: if this fails, the corpus is put back and the next
            # load brings the collections back in line with it.
            self.store.sync(index)
        self.notices = list(warnings)
        return sources, index

    def _on_disk(self) -> index_mod.Index | None:
        """The index on disk when another process has saved a different one since."""
        folder = Path(self.settings.index_dir)
        try:
            if index_mod.read_manifest(folder).files == self.index.manifest.files:
                return None
            return index_mod.load(folder, expect_model=self.embedder.name)
        except IndexProblem:
            return None

    def _use(self, sources: list[documents_mod.SourceDocument], index: index_mod.Index) -> None:
        if self.store is not None:
            # The collections serve the vectors (and, with Settings.lexical "milvus", BM25)
            # for this index's rows.
            index.vectors = self.store.passage_vectors(index)
            index.sentence_vectors = self.store.sentence_vectors(index)
            if self.settings.lexical == "milvus":
                index.lexical = self.store.lexical(index)
        self.index = index
        self.sources = {s.document.id: s.text for s in sources}
        self.searcher = Searcher(
            index, self.embedder, max_query_chars=self.settings.max_query_chars
        )

    def check_scope(self, documents: list[str] | None = None, section: str | None = None) -> None:
        """CorpusError when a filter finds nothing: document ids that are not in the index,
        or a section text no section path contains (accents and case ignored, as the
        search matches it). Without this check the answer would say the bulletin does not
        cover the question, which is not what happened.
        """
        unknown = [d for d in documents or [] if d not in self.index.documents]
        if unknown:
            raise CorpusError(
                f"no document {', '.join(map(repr, unknown))} in the index; the ids are: "
                f"{', '.join(self.index.documents)} (see `python -m assistant list`)"
            )
        if not section:
            return
        wanted = set(documents or self.index.documents)
        passages = [p for p in self.index.passages if p.doc_id in wanted]
        needle = fold(self.searcher.narrow_section(section))  # "Japan" is "2.2. Nhật Bản"
        if any(needle in fold(p.section_path) for p in passages):
            return
        headings = dict.fromkeys(h for p in passages for h in p.section[:2])
        raise CorpusError(
            f"no section matches {section!r}; a part of a heading will do, such as: "
            f"{'; '.join(headings) or '(the documents have no headings)'}"
        )


def _local_index_type(settings: Settings) -> str:
    """The index folder's FAISS type: exact (a copy, no training) when Milvus does the search."""
    return "flat" if settings.store == "milvus" else settings.index_type


def _open_store(settings: Settings, embedder: Embedder, *, replace: bool):
    """The Milvus collections for Settings.store "milvus" (None for FAISS)."""
    if settings.store != "milvus":
        if settings.lexical == "milvus":
            raise ConfigError("lexical 'milvus' needs store 'milvus' (ASSISTANT_STORE=milvus)")
        return None
    from .store import milvus

    uri = settings.milvus_uri or milvus.default_uri(Path(settings.index_dir))
    return milvus.MilvusStore.open(
        uri,
        model=embedder.name,
        dim=embedder.dim,
        index_type=settings.index_type,
        replace=replace,
    )


def _repeated(ids: list[str]) -> str:
    return ", ".join(sorted({d for d in ids if ids.count(d) > 1}))
