"""The vectors in Milvus: passages and sentences in collections, searched through the same
seam as FAISS (`search(queries, k=…)` → scores and row numbers).

Through `pymilvus.MilvusClient` the same code talks to Milvus Lite (a local folder,
`pip install milvus-lite`; one process at a time) and to a Milvus server or cluster
(`http://host:19530`, any number of app processes).

    assistant_passages   key (passage id), doc_id, section (folded path), language,
                         vector, terms (folded, acronym-expanded tokens) → BM25 sparse vector
    assistant_sentences  key ("passage id:n"), passage, doc_id, section, language, vector
    assistant_documents  doc_id, digest (of its passage ids and sentence spans), state;
                         and one row "__store__" naming the model and dimension

The index folder stays what the writer builds from (passages, their vectors, the sentence
table; `assistant/store/index.py`); the collections mirror it. `sync` writes only what differs:
a document whose digest is stored as "done" is left alone; a removed or changed one has its
rows deleted by `doc_id`; a new one is marked "writing", its rows are written (upserted),
then it is marked "done". A writer killed halfway leaves a "writing" mark (or none yet) and the next
`sync` deletes those rows and writes them again, so the collections always end up as the
index folder, which always matches the corpus folder.

>>> store = MilvusStore.open("index-milvus.db", model="hash-embedder", dim=64)  # doctest: +SKIP
>>> store.sync(index)                                      # doctest: +SKIP
['ban-tin-2021-02-dmst-dich-vu-cong']
>>> scores, rows = store.passage_vectors(index).search(qvec, k=5)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from ..errors import IndexProblem
from ..text import Vocabulary, fold, tokens
from .milvus_search import (
    BM25_B,
    BM25_K1,
    INDEXES,
    MAX_LIMIT,
    MilvusLexical,
    MilvusVectors,
    literal,
    terms_text,
)

log = logging.getLogger(__name__)

PREFIX = "assistant"
STORE_ROW = "__store__"
FORMAT = "1"
BATCH = 512


def default_uri(index_dir: Path) -> str:
    """Milvus Lite beside the index folder (not in it: saving the index replaces that folder)."""
    index_dir = Path(index_dir).resolve()
    return str(index_dir.parent / f"{index_dir.name}-milvus.db")


def sentence_keys(index) -> list[str]:
    """The key of each sentence row: its passage id and its number within the passage."""
    keys: list[str] = []
    previous, n = -1, 0
    for row in index.sentences[:, 0].tolist() if len(index.sentences) else []:
        n = n + 1 if row == previous else 0
        previous = row
        keys.append(f"{index.passages[row].id}:{n}")
    return keys


def digest(index, doc_id: str) -> str:
    """What a document's rows depend on: its passages (ids hash section and text) and sentences."""
    rows = index.rows.get(doc_id, range(0))
    h = hashlib.sha256(f"{FORMAT};{index.manifest.model};{index.manifest.dim}".encode())
    for p in index.passages[rows.start : rows.stop]:
        h.update(f"\n{p.id}".encode())
    if len(rows):  # the sentence spans, with passage rows counted from the document's first
        h.update((index.sentences[index.sentence_rows_of(rows)] - [rows.start, 0, 0]).tobytes())
    return h.hexdigest()


# Milvus Lite runs in this process, one server per folder, shared by every client of it;
# it holds the folder's lock until the last of them closes.
_LITE_LOCK = threading.Lock()
_LITE_USERS: dict[str, int] = {}


class MilvusStore:
    """The collections of one deployment, for one model."""

    def __init__(self, client, uri: str, *, model: str, dim: int, index_type: str = "flat"):
        self.client = client
        self.uri = uri
        self.model = model
        self.dim = dim
        self.index_type = index_type
        # Milvus Lite serves one caller at a time; a server takes concurrent calls.
        self.lock = threading.Lock()
        self.passages = f"{PREFIX}_passages"
        self.sentences = f"{PREFIX}_sentences"
        self.documents = f"{PREFIX}_documents"
        # The documents the last `sync` wrote (the others were left as they were).
        self.written: list[str] = []

    @classmethod
    def open(
        cls, uri: str, *, model: str, dim: int, index_type: str = "flat", replace: bool = False
    ) -> MilvusStore:
        """Connect and check (or create) the collections; IndexProblem if they hold another model.

        `replace` drops collections built with another model instead of refusing them.
        """
        # gRPC's own log lines (keepalive notices) would reach the terminal: its C core
        # reads this before it starts.
        os.environ.setdefault("GRPC_VERBOSITY", "NONE")
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise IndexProblem(
                "store 'milvus' needs pymilvus (and milvus-lite for a local file): "
                'pip install -e ".[milvus]"'
            ) from exc
        # pymilvus logs every failed call before raising it; the raised error is what counts
        # (and the CLI turns it into a message). Milvus Lite's in-process gRPC server logs
        # an unimplemented call pymilvus probes with, and gRPC its keepalive chatter.
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
        local = "://" not in uri
        if local:
            uri = str(Path(uri).resolve())
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            client = MilvusClient(uri)
        except Exception as exc:  # pymilvus raises its own exception types, and grpc's
            raise IndexProblem(
                f"cannot open Milvus at {uri} ({exc}); check ASSISTANT_MILVUS_URI, that the "
                "server is up, or (Milvus Lite) that no other process has the file open"
            ) from exc
        if index_type == "auto" and "://" not in uri:
            index_type = "flat"  # Milvus Lite is for one machine's corpus: exact, as FAISS's "auto"
        store = cls(client, uri, model=model, dim=dim, index_type=index_type)
        if local:
            with _LITE_LOCK:
                _LITE_USERS[uri] = _LITE_USERS.get(uri, 0) + 1
        try:
            store._prepare(replace=replace)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Disconnect; Milvus Lite's folder is released when its last user in this process closes."""
        if self.client is None:
            return
        self.client.close()
        self.client = None
        if "://" in self.uri:
            return
        with _LITE_LOCK:
            _LITE_USERS[self.uri] -= 1
            last = _LITE_USERS[self.uri] == 0
            if last:
                del _LITE_USERS[self.uri]
        if last:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self.uri)

    # ------------------------------------------------------------------ collections

    def _prepare(self, *, replace: bool) -> None:
        c = self.client
        if c.has_collection(self.documents):
            c.load_collection(self.documents)
            found = c.query(
                self.documents, filter=f"doc_id == {literal(STORE_ROW)}", output_fields=["digest"]
            )
            built = found[0]["digest"] if found else None
            if built is None:
                self.drop()  # a creation that did not finish: start again
            elif built != self._identity:
                if not replace:
                    raise IndexProblem(
                        f"the Milvus collections at {self.uri} hold vectors of another model "
                        f"({built or 'unknown'}), not {self._identity}; run "
                        "`python -m assistant build` to replace them, or point "
                        "ASSISTANT_MILVUS_URI at another Milvus"
                    )
                self.drop()
        if not c.has_collection(self.documents):
            self.drop()  # what a creation killed before its last collection left
            self._create()
        for name in (self.passages, self.sentences, self.documents):
            c.load_collection(name)

    @property
    def _identity(self) -> str:
        return f"model={self.model};dim={self.dim};format={FORMAT}"

    def drop(self) -> None:
        for name in (self.documents, self.passages, self.sentences):
            if self.client.has_collection(name):
                self.client.drop_collection(name)

    def _create(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        c = self.client
        kind, build, _ = INDEXES[self.index_type]

        def vector_index(params, *, sparse: bool = False):
            params.add_index("vector", index_type=kind, metric_type="IP", params=build)
            if sparse:
                params.add_index(
                    "sparse",
                    index_type="SPARSE_INVERTED_INDEX",
                    metric_type="BM25",
                    params={"bm25_k1": BM25_K1, "bm25_b": BM25_B},  # bm25s's defaults
                )
            return params

        def common(schema):
            schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
            schema.add_field("section", DataType.VARCHAR, max_length=4096)
            schema.add_field("language", DataType.VARCHAR, max_length=16)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)

        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=128)
        common(schema)
        schema.add_field(
            "terms",
            DataType.VARCHAR,
            max_length=65_535,
            enable_analyzer=True,
            analyzer_params={"tokenizer": "standard"},
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["terms"],
                output_field_names=["sparse"],
            )
        )
        c.create_collection(
            self.passages,
            schema=schema,
            index_params=vector_index(c.prepare_index_params(), sparse=True),
        )

        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=160)
        schema.add_field("passage", DataType.VARCHAR, max_length=128)
        common(schema)
        c.create_collection(
            self.sentences, schema=schema, index_params=vector_index(c.prepare_index_params())
        )

        # Every Milvus collection needs a vector field: a 2-dimensional placeholder.
        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("doc_id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("digest", DataType.VARCHAR, max_length=256)
        schema.add_field("state", DataType.VARCHAR, max_length=16)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=2)
        params = c.prepare_index_params()
        params.add_index("vector", index_type="FLAT", metric_type="L2")
        c.create_collection(self.documents, schema=schema, index_params=params)
        c.insert(
            self.documents,
            [
                {
                    "doc_id": STORE_ROW,
                    "digest": self._identity,
                    "state": "done",
                    "vector": [0.0, 0.0],
                }
            ],
        )

    # ------------------------------------------------------------------ writing

    def stored(self) -> dict[str, tuple[str, str]]:
        """doc_id → (digest, state) of every document the collections have rows for."""
        rows = self.client.query(
            self.documents,
            filter=f"doc_id != {literal(STORE_ROW)}",
            output_fields=["doc_id", "digest", "state"],
            limit=MAX_LIMIT,
        )
        return {r["doc_id"]: (r["digest"], r["state"]) for r in rows}

    def sync(self, index) -> list[str]:
        """Make the collections hold exactly `index`'s documents; returns the ids written.

        Unchanged documents are not touched; nothing is encoded (the vectors come from the
        index folder).
        """
        with self.lock:
            stored = self.stored()
            wanted = {doc_id: digest(index, doc_id) for doc_id in index.rows}
            for doc_id, (dg, state) in stored.items():
                if wanted.get(doc_id) != dg or state != "done":
                    self._delete(doc_id)
            written = []
            for doc_id, dg in wanted.items():
                if stored.get(doc_id) == (dg, "done"):
                    continue
                self._mark(doc_id, dg, "writing")
                self._delete_rows(doc_id)  # what a killed writer may have left
                self._insert(index, doc_id)
                self._mark(doc_id, dg, "done")
                written.append(doc_id)
            if written or len(stored) != len(wanted):
                log.info("Milvus: wrote %s; %d documents", written, len(wanted))
            self.written = written
            return written

    def _mark(self, doc_id: str, dg: str, state: str) -> None:
        self.client.upsert(
            self.documents, [{"doc_id": doc_id, "digest": dg, "state": state, "vector": [0.0, 0.0]}]
        )

    def _delete_rows(self, doc_id: str) -> None:
        for name in (self.passages, self.sentences):
            self.client.delete(name, filter=f"doc_id == {literal(doc_id)}")

    def _delete(self, doc_id: str) -> None:
        self._delete_rows(doc_id)
        self.client.delete(self.documents, filter=f"doc_id == {literal(doc_id)}")

    def _insert(self, index, doc_id: str) -> None:
        rows = index.rows[doc_id]
        document = index.documents.get(doc_id)
        language = getattr(document, "language", "") or ""
        passages = index.passages[rows.start : rows.stop]
        vocabulary = Vocabulary([p.text for p in passages if p.kind != "reference"])
        records = [
            {
                "key": p.id,
                "doc_id": doc_id,
                "section": fold(p.section_path),
                "language": language,
                "vector": index.embeddings[row].tolist(),
                "terms": terms_text(vocabulary.expand(tokens(p.indexed_text))),
            }
            for row, p in zip(rows, passages)
        ]
        self._insert_batches(self.passages, records)
        keys = sentence_keys(index)
        records = [
            {
                "key": keys[s],
                "passage": index.passages[index.sentences[s, 0]].id,
                "doc_id": doc_id,
                "section": fold(index.passages[index.sentences[s, 0]].section_path),
                "language": language,
                "vector": index.sentence_embeddings[s].tolist(),
            }
            for s in index.sentence_rows_of(rows).tolist()
        ]
        self._insert_batches(self.sentences, records)

    def _insert_batches(self, name: str, records: list[dict]) -> None:
        # Upsert, not insert: Milvus keeps duplicate primary keys, and two processes that
        # start at once on empty collections would both write the same rows.
        for start in range(0, len(records), BATCH):
            self.client.upsert(name, records[start : start + BATCH])

    def counts(self) -> dict[str, int]:
        """Rows in each collection (the documents' count leaves out the store row)."""
        out = {}
        for name in (self.passages, self.sentences, self.documents):
            got = self.client.query(name, filter="", output_fields=["count(*)"])
            out[name.removeprefix(f"{PREFIX}_")] = int(got[0]["count(*)"])
        out["documents"] -= 1
        return out

    # ------------------------------------------------------------------ reading

    def passage_vectors(self, index) -> MilvusVectors:
        return MilvusVectors(self, self.passages, [p.id for p in index.passages])

    def sentence_vectors(self, index) -> MilvusVectors:
        return MilvusVectors(self, self.sentences, sentence_keys(index))

    def lexical(self, index) -> MilvusLexical:
        return MilvusLexical(self, [p.id for p in index.passages])
