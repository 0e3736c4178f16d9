"""The model run by ONNX Runtime from its export (see onnx_export), fp32 or int8."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .base import _QueryCache

# ONNX Runtime's best batch here: 4 (bench/RESULTS.md, section 3).
ONNX_BATCH = 4


class OnnxEmbedder(_QueryCache):
    """The same model run by ONNX Runtime from its export (`onnxexport`), fp32 or int8.

    Reproduces `SentenceTransformer.encode`: prompt, tokenizer truncation, mean or CLS
    pooling, normalisation. Needs only `onnxruntime` and `tokenizers` at run time, so a
    process that serves questions never imports torch. `backend` ("onnx" or "onnx-int8")
    is what the index manifest records.
    """

    backend = "onnx"

    def __init__(
        self,
        folder: Path,
        name: str,
        *,
        file: str = "model_qint8.onnx",
        batch_size: int = ONNX_BATCH,
        threads: int | None = None,
        spec: dict | None = None,
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        super().__init__()
        folder = Path(folder)
        spec = spec or json.loads((folder / "export.json").read_text(encoding="utf-8"))
        self.name = name
        self.dim = int(spec["dim"])
        self.batch_size = batch_size
        self.calls = 0
        self._pooling = spec["pooling"]
        self._normalize = bool(spec["normalize"])
        prompts = spec.get("prompts") or {}
        if not prompts and "e5" in name.lower():
            prompts = {"query": "query: ", "document": "passage: "}
        self._query_prefix = prompts.get("query", "")
        self._document_prefix = prompts.get("document", prompts.get("passage", ""))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(spec["max_tokens"]))
        self.tokenizer.no_padding()
        self._pad_id = int(spec["pad_id"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(folder / file), options, providers=["CPUExecutionProvider"]
        )
        # The token vectors: memory-mapped, so only the rows looked up are read (see onnx_export).
        self._table = np.load(folder / "word_embeddings.npy", mmap_mode="r", allow_pickle=False)

    def _encode(self, texts: list[str], prefix: str | None) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([(prefix or "") + t for t in texts])
        # Longest first, batched: little padding, as sentence-transformers does.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), width), self._pad_id, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for j, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[j, :n] = encodings[i].ids
                mask[j, :n] = 1
            inputs = {"inputs_embeds": np.asarray(self._table[ids], np.float32), "attention_mask": mask}
            hidden = self.session.run(None, inputs)[0]
            if self._pooling == "cls":
                vectors = hidden[:, 0]
            else:
                vectors = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            out[rows] = vectors
        if self._normalize:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def _encode_queries_uncached(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._document_prefix)
