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
    def load(cls, folder: Path, index_type: str) -> DenseStore:
        index = faiss.read_index(str(folder / INDEX_FILE))
        if index_type == "hnsw":
            faiss.downcast_index(index).hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index, index_type)

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
