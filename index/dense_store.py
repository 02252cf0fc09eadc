"""Dense index: FAISS inner product over L2-normalised vectors (so inner product == cosine).

Flat (exact) by default; HNSW past a size or by setting, for corpora of millions of chunks.
Saved with faiss.write_index: FAISS's own binary format, no pickle.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

INDEX_FILE = "dense.faiss"
HNSW_M = 32  # neighbours per node
HNSW_EF_CONSTRUCTION = 80
# recall@10 on 100k e5-like vectors: 0.77 at 64, 0.89 at 128, 0.97 at 256 (1.4 ms p95; bench/ann_recall.py)
HNSW_EF_SEARCH = 256


def choose_index_type(setting: str, n: int, threshold: int) -> str:
    """'auto' picks exact search while it is fast enough, HNSW beyond `threshold` chunks."""
    if setting != "auto":
        return setting
    return "hnsw" if n >= threshold else "flat"


class DenseStore:
    """Usage: `DenseStore.build(vectors, "flat").save(dir)`; `DenseStore.load(dir).search(v, k)`."""

    def __init__(self, index: faiss.Index, index_type: str):
        self._index = index
        self.index_type = index_type

    @classmethod
    def build(cls, vectors: np.ndarray, index_type: str = "flat") -> DenseStore:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if index_type == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        elif index_type == "flat":
            index = faiss.IndexFlatIP(dim)
        else:
            raise ValueError(f"unknown index type {index_type!r}: use flat, hnsw or auto")
        if len(vectors):
            index.add(vectors)
        return cls(index, index_type)

    @classmethod
    def load(cls, folder: Path, index_type: str | None = None) -> DenseStore:
        """`index_type` None: whichever the file holds (a segment's own: edits add flat ones)."""
        index = faiss.read_index(str(folder / INDEX_FILE))
        if index_type is None:
            index_type = "hnsw" if isinstance(faiss.downcast_index(index), faiss.IndexHNSW) else "flat"
        if index_type == "hnsw":
            faiss.downcast_index(index).hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index, index_type)

    def add(self, vectors: np.ndarray) -> None:
        """More rows after the existing ones (HNSW links them into its graph: no rebuild)."""
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def save(self, folder: Path) -> None:
        faiss.write_index(self._index, str(folder / INDEX_FILE))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def search(self, vector: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, cosine) pairs, best first; `rows` limits the search to those rows (a pre-filter:
        FAISS skips every other row while it searches, so k are found among them)."""
        if len(self) == 0 or (rows is not None and len(rows) == 0):
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        if rows is None:
            scores, rows = self._index.search(query, min(k, len(self)))
        else:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(rows, dtype=np.int64))
            params = (faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH) if self.index_type == "hnsw"
                      else faiss.SearchParameters(sel=selector))
            scores, rows = self._index.search(query, min(k, len(rows)), params=params)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def search_excluding(self, vector: np.ndarray, k: int, selector=None) -> list[tuple[int, float]]:
        """Like search, skipping the rows a selector rejects (tombstones); None skips nothing."""
        if selector is None:
            return self.search(vector, k)
        if len(self) == 0:
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        params = (faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH) if self.index_type == "hnsw"
                  else faiss.SearchParameters(sel=selector))
        scores, rows = self._index.search(query, min(k, len(self)), params=params)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]


class SegmentedDense:
    """One dense search over several segments' indexes (segments.py): each segment is searched
    without its tombstoned rows (an ID selector) and the results are merged by score, equal
    scores by row, so the order is the one a single index of the same rows would give.

    Rows are the snapshot's rows (files in name order); `physical[row]` is the row's place in the
    segments laid end to end, `offsets` where each segment starts there.
    """

    def __init__(self, parts: list[DenseStore], offsets: np.ndarray, physical: np.ndarray, dead: np.ndarray):
        self._parts = parts
        self._offsets = np.asarray(offsets, dtype=np.int64)
        self._physical = np.asarray(physical, dtype=np.int64)
        total = int(self._offsets[-1]) if len(self._offsets) else 0
        self._row_of = np.full(total, -1, dtype=np.int64)
        self._row_of[self._physical] = np.arange(len(self._physical))
        self._dead = []  # per segment: its tombstones as a selector that leaves them out (or None)
        for i in range(len(parts)):
            local = dead[(dead >= self._offsets[i]) & (dead < self._offsets[i + 1])] - self._offsets[i]
            self._dead.append(_excluding(local) if len(local) else None)
        self.index_type = parts[0].index_type if parts else "flat"

    def __len__(self) -> int:
        return len(self._physical)

    def search(self, vector: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        if len(self) == 0 or (rows is not None and len(rows) == 0):
            return []
        allowed = None if rows is None else np.sort(self._physical[np.asarray(rows, dtype=np.int64)])
        found: list[tuple[int, float]] = []
        for i, part in enumerate(self._parts):
            start, stop = self._offsets[i], self._offsets[i + 1]
            if allowed is None:
                hits = part.search_excluding(vector, k, self._dead[i])
            else:
                local = allowed[(allowed >= start) & (allowed < stop)] - start
                hits = part.search(vector, k, local) if len(local) else []
            found.extend((int(self._row_of[start + r]), s) for r, s in hits)
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found[:k]


def _excluding(local: np.ndarray):
    inner = faiss.IDSelectorBatch(np.ascontiguousarray(local, dtype=np.int64))
    outer = faiss.IDSelectorNot(inner)
    outer.inner_ref = inner  # the Not selector points at it: keep it alive as long
    return outer
