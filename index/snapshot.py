"""One published index version on disk, and reading and writing it.

Files (all safe to load, no pickle): manifest.json, chunks.jsonl (texts and metadata, one
chunk a line), vectors.npy (float32 rows aligned with chunks.jsonl), dense.faiss, bm25/.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.bm25_store import BM25Store
from index.dense_store import DenseStore
from index.errors import ZhikuError
from index.records import Chunk
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


def write_snapshot(folder: Path, snap: IndexSnapshot) -> None:
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for chunk, text_hash in zip(snap.chunks, snap.text_hashes):
            fh.write(json.dumps({**asdict(chunk), "text_hash": text_hash}, ensure_ascii=False) + "\n")
    np.save(folder / "vectors.npy", snap.vectors, allow_pickle=False)
    snap.dense.save(folder)
    snap.bm25.save(folder / "bm25")
    # the manifest goes last: a folder without one was never finished
    (folder / "manifest.json").write_text(
        json.dumps(asdict(snap.manifest), ensure_ascii=False, indent=1), encoding="utf-8"
    )


def read_manifest(folder: Path) -> Manifest:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return Manifest(**data)


def load_snapshot(index_dir: Path, tokenizer: Tokenizer | None = None) -> IndexSnapshot | None:
    """The current index version, or None when no index was built yet."""
    folder = current_version(index_dir)
    if folder is None:
        return None
    try:
        manifest = read_manifest(folder)
        chunks, hashes = [], []
        with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                hashes.append(row.pop("text_hash"))
                chunks.append(Chunk(**row))
        # mapped, not read: serving searches dense.faiss and never touches these rows; only a build
        # reads the few it reuses by hash (1.47 GB per million chunks stays out of RAM)
        vectors = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
        dense = DenseStore.load(folder, manifest.index_type)
        bm25 = BM25Store.load(folder / "bm25", tokenizer or Tokenizer())
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ZhikuError(f"the index at {folder} cannot be read ({exc}); rebuild it with `zhiku index build`") from exc
    if not (len(chunks) == len(vectors) == len(dense)):
        raise ZhikuError(f"the index at {folder} is inconsistent; rebuild it with `zhiku index build`")
    return IndexSnapshot(folder, manifest, chunks, hashes, vectors, dense, bm25)
