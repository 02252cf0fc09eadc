"""One published index version on disk, and reading and writing it.

Files (all safe to load, no pickle): manifest.json, then the segments (segments.py): chunks
(texts and metadata, one a line), their vectors, dense index and term counts. Folders from before
segments (chunks.jsonl, vectors.npy, dense.faiss, bm25/ at the top) still load.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.bm25_store import BM25Store
from index.dense_store import DenseStore, SegmentedDense
from index.errors import ZhikuError
from index.records import Chunk
from index.segments import read_chunks, read_layout, read_vectors, read_words
from index.term_counts import TermRows
from index.tokenizer import Tokenizer
from index.versions import current_version

FORMAT_VERSION = 1


@dataclass
class Manifest:
    """What an index was built from and with: model, chunking and a hash per source file."""

    embedding_model: str
    dim: int
    chunking: dict  # chunk_size, overlap, embed_title: any change means a full rebuild
    index_type: str
    built_at: str = ""
    files: dict[str, dict] = field(default_factory=dict)  # source -> sha256, kind, articles, chunks
    skipped: list[dict] = field(default_factory=list)  # source, reason (from the last run)
    format: int = FORMAT_VERSION

    def compatible_with(self, other: Manifest) -> str:
        """Why `other` cannot reuse this index's vectors ('' when it can)."""
        if self.format != other.format:
            return f"index format changed ({self.format} -> {other.format})"
        if self.embedding_model != other.embedding_model:
            return f"embedding model changed ({self.embedding_model} -> {other.embedding_model})"
        if self.chunking != other.chunking:
            return f"chunk settings changed ({self.chunking} -> {other.chunking})"
        return ""


@dataclass
class IndexSnapshot:
    """A loaded index: chunks in row order and the two search structures over them."""

    folder: Path
    manifest: Manifest
    chunks: list[Chunk]
    text_hashes: list[str]  # hash of each chunk's embedded text: the embedding cache key
    vectors: np.ndarray  # memory-mapped read-only when loaded from disk
    dense: DenseStore
    bm25: BM25Store


def read_manifest(folder: Path) -> Manifest:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return Manifest(**data)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    # the manifest goes last: a folder without one was never finished
    (folder / "manifest.json").write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8")


def load_snapshot(index_dir: Path, tokenizer: Tokenizer | None = None) -> IndexSnapshot | None:
    """The current index version, or None when no index was built yet."""
    folder = current_version(index_dir)
    if folder is None:
        return None
    tokenizer = tokenizer or Tokenizer()
    try:
        manifest = read_manifest(folder)
        layout = read_layout(folder)
        snap = _load_legacy(folder, manifest, tokenizer) if layout is None else _load_segments(folder, manifest, *layout, tokenizer)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ZhikuError(f"the index at {folder} cannot be read ({exc}); rebuild it with `zhiku index build`") from exc
    if not (len(snap.chunks) == len(snap.vectors) == len(snap.dense) == len(snap.text_hashes)):
        raise ZhikuError(f"the index at {folder} is inconsistent; rebuild it with `zhiku index build`")
    return snap


def _load_segments(folder: Path, manifest: Manifest, names: list[str], deleted: np.ndarray,
                   tokenizer: Tokenizer) -> IndexSnapshot:
    """Segments laid end to end, tombstones left out, rows in file-name order: the rows, scores
    and ties a full rebuild of the same chunks gives."""
    chunks, hashes, vectors, dense, terms, words, sizes = [], [], [], [], [], [], []
    for name in names:
        seg = folder / name
        c, h = read_chunks(seg)
        chunks += c
        hashes += h
        vectors.append(read_vectors(seg))
        dense.append(DenseStore.load(seg))
        terms.append(TermRows.load(seg))
        words += read_words(seg)
        sizes.append(len(c))
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    alive = np.ones(len(chunks), dtype=bool)
    alive[deleted] = False
    live = np.flatnonzero(alive)
    physical = np.array(sorted(live, key=lambda i: (chunks[i].source, chunks[i].start, i)), dtype=np.int64)
    whole = len(names) == 1 and not len(deleted) and bool(np.all(physical == np.arange(len(physical))))
    rows = terms[0] if whole else TermRows.concat(terms).take(physical)  # rows in search order
    return IndexSnapshot(
        folder=folder, manifest=manifest,
        chunks=[chunks[i] for i in physical], text_hashes=[hashes[i] for i in physical],
        vectors=vectors[0] if whole else RowVectors(vectors, offsets, physical),
        dense=SegmentedDense(dense, offsets, physical, np.asarray(deleted, dtype=np.int64)),
        bm25=BM25Store.from_terms(rows, words, tokenizer),
    )


def _load_legacy(folder: Path, manifest: Manifest, tokenizer: Tokenizer) -> IndexSnapshot:
    """A folder written before segments (one chunks.jsonl, vectors.npy, dense.faiss, bm25/): it
    serves as it is; the next build turns it into a segment (tokenising its chunks once)."""
    chunks, hashes = read_chunks(folder)
    vectors = read_vectors(folder)
    dense = DenseStore.load(folder, manifest.index_type)
    bm25 = BM25Store.load(folder / "bm25", tokenizer)
    return IndexSnapshot(folder, manifest, chunks, hashes, vectors, dense, bm25)


class RowVectors:
    """The snapshot's vectors in its row order, read from the segments' mapped files on demand."""

    def __init__(self, parts: list[np.ndarray], offsets: np.ndarray, physical: np.ndarray):
        self._parts, self._offsets, self._physical = parts, offsets, physical
        self.dtype = np.dtype(np.float32)

    def __len__(self) -> int:
        return len(self._physical)

    def __getitem__(self, row: int) -> np.ndarray:
        at = int(self._physical[row])
        part = int(np.searchsorted(self._offsets, at, side="right")) - 1
        return self._parts[part][at - self._offsets[part]]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype=None, copy=None):
        out = np.stack(list(self)) if len(self) else np.zeros((0, 0), np.float32)
        return out if dtype is None else out.astype(dtype)
