"""Retrieval over a loaded index: dense (FAISS), sparse (jieba BM25), or both fused with
reciprocal rank fusion, which needs no score calibration between the two.

The fusion runs inside the store (index/store.py): in Python for the embedded one, inside
Milvus for Milvus. Hybrid search then puts each route's best passage first (`leaders_first`):
rank fusion rewards agreement, and would bury a passage BM25 ranks first and the dense model
misses. Usage: `Retriever(store, embedder).search("问题", top_k=5, mode="hybrid")`.
"""

from __future__ import annotations

from dataclasses import replace

from index.embedded_store import EmbeddedStore
from index.embedding import Embedder
from index.errors import ZhikuError
from index.fusion import fuse_rrf  # noqa: F401  (re-exported: callers fuse ranked lists with it)
from index.records import Chunk, Hit
from index.snapshot import IndexSnapshot
from index.store import ChunkStore, Where, check_mode

# each route's best passage comes first, BM25's before the dense model's (see leaders_first)
LEADING_ROUTES = ("bm25", "dense")
MAX_QUERY_CHARS = 2000  # longer queries are cut: the encoder reads 512 tokens at most anyway


class Retriever:
    """Search one store (embedded or Milvus, index/store.py); a loaded snapshot is taken as the
    embedded store over it."""

    def __init__(
        self,
        store: ChunkStore | IndexSnapshot,
        embedder: Embedder,
        top_k: int = 5,
        mode: str = "hybrid",
        candidates: int = 30,
        rrf_k: int = 60,
    ):
        self.store = EmbeddedStore.of(store) if isinstance(store, IndexSnapshot) else store
        self.version = self.store.version()  # before the first search loads anything: never misses a newer one
        self.embedder = embedder
        self.top_k = top_k
        self.mode = mode
        self.candidates = candidates
        self.rrf_k = rrf_k

    @property
    def snapshot(self) -> IndexSnapshot | None:
        """The embedded store's loaded index (None on other stores)."""
        return getattr(self.store, "snapshot", None)

    def stale(self) -> bool:
        """True when the store committed a newer index than this retriever opened."""
        return self.store.version() != self.version

    def search(self, query: str, top_k: int | None = None, mode: str | None = None, where: Where | None = None) -> list[Hit]:
        query = clean_query(query)
        top_k = top_k or self.top_k
        mode = mode or self.mode
        check_mode(mode)
        vector = self.embedder.embed_query(query) if mode in ("dense", "hybrid") else None
        if mode != "hybrid":
            return self.store.search(query, vector, top_k, mode, where, candidates=self.candidates, rrf_k=self.rrf_k)
        fused = self.store.search(query, vector, max(top_k, self.candidates), mode, where,
                                  candidates=self.candidates, rrf_k=self.rrf_k)
        leaders = [hit.chunk.id for route in LEADING_ROUTES
                   for hit in self.store.search(query, vector, 1, route, where, candidates=self.candidates)[:1]]
        return [replace(hit, rank=rank) for rank, hit in enumerate(leaders_first(fused, leaders)[:top_k], start=1)]

    def next_chunk(self, chunk: Chunk, where: Where | None = None) -> Chunk | None:
        """The passage that follows `chunk` in its file (index/store.py)."""
        return self.store.next_chunk(chunk, where)

    def scoped(self, where: Where | None) -> Retriever | Scoped:
        """This retriever limited to what `where` lets through (itself when None)."""
        return self if where is None else Scoped(self, where)


class Scoped:
    """A retriever whose every search is filtered in the store: what prepare() searches for a
    reader who may read only some knowledge bases."""

    def __init__(self, retriever: Retriever, where: Where):
        self.retriever = retriever
        self.where = where

    def search(self, query: str, top_k: int | None = None, mode: str | None = None) -> list[Hit]:
        return self.retriever.search(query, top_k, mode, where=self.where)

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        return self.retriever.next_chunk(chunk, where=self.where)


def leaders_first(hits: list[Hit], leaders: list[str]) -> list[Hit]:
    """`hits` with those whose chunk id is in `leaders` first, in the leaders' order.

    Rank fusion rewards agreement: a passage second in both lists beats the one BM25 ranks first
    and the dense model misses (`8月27日傍晚证监会接连发了三项重磅政策` finds its passage first by
    BM25 and at rank 9 fused). Each route's best passage is its strongest signal, so both come
    first, then the fused order. Over the 219 answerable questions of the shipped sets and dev,
    the evidence is then in the first passage for 185 (fused alone: 180) and in the first two for
    212 (204) (docs/BENCHMARKS.md, bench.leaders_first)."""
    by_id = {hit.chunk.id: hit for hit in hits}
    leading = dict.fromkeys(leaders)
    return [by_id[c] for c in leading if c in by_id] + [hit for hit in hits if hit.chunk.id not in leading]


def clean_query(query: str) -> str:
    """Reject empty queries with a clear message; trim over-long ones instead of failing."""
    if not isinstance(query, str) or not query.strip():
        raise ZhikuError("the question is empty: type a question")
    query = "".join(ch if ch.isprintable() else " " for ch in query).strip()
    return query[:MAX_QUERY_CHARS]
