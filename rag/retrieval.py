"""Retrieval over a loaded index: dense (FAISS), sparse (jieba BM25), or both fused with
reciprocal rank fusion, which needs no score calibration between the two.

Usage: `Retriever(snapshot, embedder).search("问题", top_k=5, mode="hybrid")`.
"""

from __future__ import annotations

from index.embedding import Embedder
from index.errors import ZhikuError
from index.records import Hit
from index.snapshot import IndexSnapshot

MAX_QUERY_CHARS = 2000  # longer queries are cut: the encoder reads 512 tokens at most anyway
MODES = ("hybrid", "dense", "bm25")


def fuse_rrf(ranked_lists: dict[str, list[tuple[int, float]]], k: int = 60) -> list[tuple[int, float, dict]]:
    """Reciprocal rank fusion: sum of 1/(k + rank) over the lists a row appears in."""
    fused: dict[int, float] = {}
    parts: dict[int, dict[str, float]] = {}
    for name, ranked in ranked_lists.items():
        for rank, (row, score) in enumerate(ranked, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
            parts.setdefault(row, {})[name] = score
    order = sorted(fused, key=lambda r: (-fused[r], r))
    return [(row, fused[row], parts[row]) for row in order]


class Retriever:
    def __init__(
        self,
        snapshot: IndexSnapshot,
        embedder: Embedder,
        top_k: int = 5,
        mode: str = "hybrid",
        candidates: int = 30,
        rrf_k: int = 60,
    ):
        self.snapshot = snapshot
        self.embedder = embedder
        self.top_k = top_k
        self.mode = mode
        self.candidates = candidates
        self.rrf_k = rrf_k

    def search(self, query: str, top_k: int | None = None, mode: str | None = None) -> list[Hit]:
        query = clean_query(query)
        top_k = top_k or self.top_k
        mode = mode or self.mode
        if mode not in MODES:
            raise ZhikuError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        pool = max(self.candidates, top_k)
        lists: dict[str, list[tuple[int, float]]] = {}
        if mode in ("dense", "hybrid"):
            lists["dense"] = self.snapshot.dense.search(self.embedder.embed_query(query), pool)
        if mode in ("bm25", "hybrid"):
            lists["bm25"] = self.snapshot.bm25.search(query, pool)
        if mode != "hybrid":
            ranked = [(row, score, {mode: score}) for row, score in lists[mode]]
        else:
            ranked = fuse_rrf(lists, self.rrf_k)
        chunks = self.snapshot.chunks
        return [
            Hit(chunk=chunks[row], score=score, retriever=mode, rank=i, scores=parts)
            for i, (row, score, parts) in enumerate(ranked[:top_k], start=1)
        ]


def clean_query(query: str) -> str:
    """Reject empty queries with a clear message; trim over-long ones instead of failing."""
    if not isinstance(query, str) or not query.strip():
        raise ZhikuError("the question is empty: type a question")
    query = "".join(ch if ch.isprintable() else " " for ch in query).strip()
    return query[:MAX_QUERY_CHARS]
