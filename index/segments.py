"""Segments: the immutable parts an index version is made of, so an edit writes only what changed.

A version folder (versions.py) holds `segments.json` (the segment names in row order),
`deleted.npy` (tombstones: rows of those segments that were replaced or removed) and one folder
per segment. A segment is written once and never opened for writing again: the next version
hard-links its files (same inode, no copy) and adds a small segment with the edited chunks. So an
edit at a million chunks writes the edited chunks, the tombstones and the manifest, not 1.5 GB,
and the old version stays whole on disk until pruned: the CURRENT rename keeps its guarantee.

A segment's files (no pickle): chunks.jsonl (records, read by servers), keys.npz (chunk ids,
text hashes and sources as fixed-width bytes: all a writer reads), vectors.npy, dense.faiss,
tf_*.npy (term counts) and words.json (the words it added to the vocabulary).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.dense_store import DenseStore
from index.records import Chunk
from index.term_counts import TermRows

SEGMENTS_FILE = "segments.json"
DELETED_FILE = "deleted.npy"
SEGMENT_FILES = ("chunks.jsonl", "keys.npz", "vectors.npy", "words.json")


@dataclass
class Keys:
    """What a writer needs of a segment's rows: ids, text hashes, sources (bytes, utf-8)."""

    ids: np.ndarray
    hashes: np.ndarray
    sources: np.ndarray
    records: np.ndarray  # hash of the whole record: an upsert equal to it changes nothing

    def __len__(self) -> int:
        return len(self.ids)


def encode(values: list[str]) -> np.ndarray:
    return np.array([v.encode("utf-8") for v in values], dtype=bytes) if values else np.zeros(0, dtype="S1")


def record_line(chunk: Chunk, text_hash: str) -> str:
    return json.dumps({**asdict(chunk), "text_hash": text_hash}, ensure_ascii=False)


def record_hash(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8")).hexdigest()


def keys_of(chunks: list[Chunk], hashes: list[str]) -> Keys:
    lines = [record_line(c, h) for c, h in zip(chunks, hashes)]
    return Keys(encode([c.id for c in chunks]), encode(hashes), encode([c.source for c in chunks]),
                encode([record_hash(line) for line in lines]))


def write_segment(folder: Path, chunks: list[Chunk], hashes: list[str], vectors: np.ndarray,
                  terms: TermRows, words: list[str], index_type: str) -> None:
    folder.mkdir(parents=True)
    lines = [record_line(c, h) for c, h in zip(chunks, hashes)]
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)
    np.savez(folder / "keys.npz", ids=encode([c.id for c in chunks]), hashes=encode(hashes),
             sources=encode([c.source for c in chunks]), records=encode([record_hash(line) for line in lines]))
    np.save(folder / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
    DenseStore.build(vectors, index_type).save(folder)
    terms.save(folder)
    (folder / "words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")


def link_segment(source: Path, target: Path) -> None:
    """The same segment in another version: hard links, so nothing is copied or rewritten (a copy
    where the file system has no hard links: slower, as safe)."""
    target.mkdir(parents=True)
    for path in sorted(source.iterdir()):
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copyfile(path, target / path.name)


def write_layout(folder: Path, names: list[str], deleted: np.ndarray) -> None:
    np.save(folder / DELETED_FILE, np.asarray(deleted, dtype=np.int64), allow_pickle=False)
    (folder / SEGMENTS_FILE).write_text(json.dumps({"segments": names}), encoding="utf-8")


def read_layout(folder: Path) -> tuple[list[str], np.ndarray] | None:
    """(segment names, tombstoned rows), or None for a folder from before segments."""
    path = folder / SEGMENTS_FILE
    if not path.exists():
        return None
    names = json.loads(path.read_text(encoding="utf-8"))["segments"]
    return names, np.load(folder / DELETED_FILE, allow_pickle=False)


def read_keys(folder: Path) -> Keys:
    with np.load(folder / "keys.npz", allow_pickle=False) as data:
        return Keys(data["ids"], data["hashes"], data["sources"], data["records"])


def read_words(folder: Path) -> list[str]:
    return json.loads((folder / "words.json").read_text(encoding="utf-8"))


def read_chunks(folder: Path) -> tuple[list[Chunk], list[str]]:
    chunks, hashes = [], []
    with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            hashes.append(row.pop("text_hash"))
            chunks.append(Chunk(**row))
    return chunks, hashes


def read_vectors(folder: Path) -> np.ndarray:
    # mapped, not read: serving searches dense.faiss; a build reads only the rows it reuses
    return np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)


def append_segment(base: Path, folder: Path, chunks: list[Chunk], hashes: list[str], vectors: np.ndarray,
                   terms: TermRows, words: list[str]) -> None:
    """A copy of segment `base` with rows appended: its dense index grown with FAISS `add` (an HNSW
    graph gains nodes, it is not rebuilt), its records copied as bytes, not parsed. `words` is the
    whole vocabulary of the result."""
    folder.mkdir(parents=True)
    shutil.copyfile(base / "chunks.jsonl", folder / "chunks.jsonl")
    lines = [record_line(c, h) for c, h in zip(chunks, hashes)]
    with open(folder / "chunks.jsonl", "a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)
    old, new = read_keys(base), keys_of(chunks, hashes)
    np.savez(folder / "keys.npz", **{name: np.concatenate([getattr(old, name), getattr(new, name)])
                                     for name in ("ids", "hashes", "sources", "records")})
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    np.save(folder / "vectors.npy", np.concatenate([read_vectors(base), vectors]), allow_pickle=False)
    dense = DenseStore.load(base)
    dense.add(vectors)
    dense.save(folder)
    TermRows.concat([TermRows.load(base), terms]).save(folder)
    (folder / "words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
