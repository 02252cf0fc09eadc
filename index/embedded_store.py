"""The default store: zhiku's own folders (FAISS + bm25s + JSON Lines, see snapshot.py), kept to
the ChunkStore contract.

Writes are staged in memory and `commit` publishes them as one new version folder with one
atomic rename (versions.py): a build killed at any moment leaves the previous version whole. A
version is made of segments (segments.py): an edit hard-links the previous ones and adds one
with the changed chunks (segment_writer.py), so its cost follows the edit, not the index.
Each chunk names its knowledge base (`Chunk.collection`, in chunks.jsonl); a search limited to
some collections is a pre-filter: FAISS searches only their rows (an ID selector) and BM25 ranks
only their rows, so top-k is taken among what the asker may read (bench/collection_filter.py).

Usage: `EmbeddedStore(index_dir).search("问题", vector, k=5)`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from index.fusion import fuse_rrf
from index.pipeline import ChunkingConfig, indexed_text
from index.records import Chunk, Hit
from index.segment_writer import Base, Compaction, SessionWriter, read_base
from index.snapshot import IndexSnapshot, Manifest, load_snapshot
from index.store import StoredChunk, StoreStats, Where, check_mode
from index.tokenizer import Tokenizer
from index.versions import current_version, fsync_tree, index_lock, new_version_dir, prune, publish


class EmbeddedStore:
    name = "embedded"

    def __init__(self, index_dir: Path, tokenizer: Tokenizer | None = None, snapshot: IndexSnapshot | None = None,
                 compaction: Compaction | None = None):
        self.index_dir = Path(index_dir)
        self.compaction = compaction or Compaction()
        self.last_commit = ""  # 'edit' or 'compaction': how the last commit was written
        self.tokenizer = tokenizer or Tokenizer()
        self._snapshot = snapshot  # what readers search: loaded on first use, then fixed
        self._writing = False
        self._base: Base | None = None  # a write session's starting point (keys, not records)
        self._upserts: dict[str, StoredChunk] = {}
        self._deleted: dict[str, set[str]] = {}  # source -> chunk ids kept
        self._by_collection: tuple[IndexSnapshot, dict[str, np.ndarray]] | None = None
        self._by_source: tuple[IndexSnapshot, dict[str, tuple[list[int], list[Chunk]]]] | None = None

    @classmethod
    def of(cls, snapshot: IndexSnapshot, tokenizer: Tokenizer | None = None) -> EmbeddedStore:
        """A read-only store over an already loaded snapshot."""
        return cls(snapshot.folder.parent.parent, tokenizer, snapshot)

    @property
    def snapshot(self) -> IndexSnapshot | None:
        if self._snapshot is None:
            self._snapshot = load_snapshot(self.index_dir, self.tokenizer)
        return self._snapshot

    # --- writing -------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        with index_lock(self.index_dir):
            # first clear what a killed build left: else its folder would outlive the previous version
            prune(self.index_dir)
            self._base = read_base(current_version(self.index_dir))  # keys only: no chunk is parsed
            self._upserts, self._deleted, self._writing = {}, {}, True
            try:
                yield
            finally:
                self._base, self._upserts, self._deleted, self._writing = None, {}, {}, False
            prune(self.index_dir)

    def manifest(self) -> Manifest | None:
        if self._writing:
            return None if self._base is None else self._base.manifest
        snap = self.snapshot
        return None if snap is None else snap.manifest

    def vectors(self, text_hashes: Collection[str]) -> dict[str, np.ndarray]:
        if self._writing:
            return {} if self._base is None else self._base.vectors(list(text_hashes))
        snap = self.snapshot
        if snap is None:
            return {}
        wanted = set(text_hashes)
        return {h: snap.vectors[i] for i, h in enumerate(snap.text_hashes) if h in wanted}

    def upsert(self, rows: Sequence[StoredChunk]) -> None:
        for row in rows:
            self._upserts[row.chunk.id] = row

    def delete_sources(self, sources: Collection[str], keep: Collection[str] = ()) -> None:
        keep = set(keep)
        for source in sources:  # in order: what an earlier call or an upsert left is subject to this one
            self._deleted[source] = self._deleted[source] & keep if source in self._deleted else keep
        sources = set(sources)
        self._upserts = {i: r for i, r in self._upserts.items() if r.chunk.source not in sources or i in keep}

    def clear(self) -> None:
        self._base = None

    def commit(self, manifest: Manifest) -> None:
        """A new version folder: the previous segments linked, the changed chunks added (or, now
        and then, everything compacted into one segment), then one atomic publish."""
        folder = new_version_dir(self.index_dir)
        writer = SessionWriter(self._base, self.tokenizer, self.compaction)
        self.last_commit = writer.write(folder, manifest, self._upserts, self._deleted)
        fsync_tree(folder)
        publish(self.index_dir, folder)
        self._snapshot = None

    # --- reading -------------------------------------------------------------------------------

    def search(
        self, query: str, vector: np.ndarray | None, k: int, mode: str = "hybrid",
        where: Where | None = None, candidates: int = 30, rrf_k: int = 60,
    ) -> list[Hit]:
        check_mode(mode)
        snap = self.snapshot
        if snap is None:
            return []
        pool = max(candidates, k)
        rows = None if where is None else self._allowed(snap, where)
        lists: dict[str, list[tuple[int, float]]] = {}
        if mode in ("dense", "hybrid"):
            lists["dense"] = snap.dense.search(vector, pool, rows)
        if mode in ("bm25", "hybrid"):
            lists["bm25"] = snap.bm25.search(query, pool, rows)
        if mode != "hybrid":
            ranked = [(row, score, {mode: score}) for row, score in lists[mode]]
        else:
            ranked = fuse_rrf(lists, rrf_k)
        return [
            Hit(chunk=snap.chunks[row], score=score, retriever=mode, rank=i, scores=parts)
            for i, (row, score, parts) in enumerate(ranked[:k], start=1)
        ]

    def _allowed(self, snap: IndexSnapshot, where: Where) -> np.ndarray:
        """The rows a filter lets through, sorted. A filter by collections alone (every question
        once knowledge bases are in use) is a union of row lists kept per snapshot."""
        if where.collections is not None and where == Where(collections=where.collections):
            by_collection = self._rows_by_collection(snap)
            parts = [by_collection[c] for c in set(where.collections) if c in by_collection]
            return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        return np.array([i for i, c in enumerate(snap.chunks) if where.matches(c.source, c.collection, ())],
                        dtype=np.int64)

    def _rows_by_collection(self, snap: IndexSnapshot) -> dict[str, np.ndarray]:
        cached = self._by_collection
        if cached is None or cached[0] is not snap:
            rows: dict[str, list[int]] = {}
            for i, chunk in enumerate(snap.chunks):
                rows.setdefault(chunk.collection, []).append(i)
            cached = (snap, {c: np.array(r, dtype=np.int64) for c, r in rows.items()})
            self._by_collection = cached
        return cached[1]

    def next_chunk(self, chunk: Chunk, where: Where | None = None) -> Chunk | None:
        snap = self.snapshot
        if snap is None:
            return None
        starts, chunks = self._chunks_by_source(snap).get(chunk.source, ([], []))
        later = chunks[bisect_right(starts, chunk.start):]
        return next((c for c in later if where is None or where.matches(c.source, c.collection, ())), None)

    def _chunks_by_source(self, snap: IndexSnapshot) -> dict[str, tuple[list[int], list[Chunk]]]:
        """Each file's chunks in text order, with their starts to bisect; kept per snapshot."""
        cached = self._by_source
        if cached is None or cached[0] is not snap:
            by_source: dict[str, list[Chunk]] = {}
            for chunk in snap.chunks:
                by_source.setdefault(chunk.source, []).append(chunk)
            ordered = {s: sorted(cs, key=lambda c: c.start) for s, cs in by_source.items()}
            cached = (snap, {s: ([c.start for c in cs], cs) for s, cs in ordered.items()})
            self._by_source = cached
        return cached[1]

    def stats(self) -> StoreStats:
        snap = self.snapshot
        chunks = 0 if snap is None else len(snap.chunks)
        sources = 0 if snap is None else len(snap.manifest.files)
        return StoreStats(self.name, str(self.index_dir), chunks, sources)

    def version(self) -> str:
        folder = current_version(self.index_dir)
        return "" if folder is None else folder.name

    def iter_chunks(self, batch: int = 1000) -> Iterator[StoredChunk]:
        yield from self._iter_rows(self.snapshot)

    @staticmethod
    def _iter_rows(snap: IndexSnapshot | None) -> Iterator[StoredChunk]:
        if snap is None:
            return
        config = ChunkingConfig(embed_title=snap.manifest.chunking.get("embed_title", True))
        for chunk, text_hash, vector in zip(snap.chunks, snap.text_hashes, snap.vectors):
            yield StoredChunk(chunk, indexed_text(chunk, config), text_hash, vector, chunk.collection)
