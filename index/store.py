"""The one contract every chunk store keeps: the embedded FAISS + BM25 folders (embedded_store.py)
and Milvus (milvus_store.py). The builder writes through it, the retriever searches through it,
and tests/test_store_contract.py holds both to the same behaviour.

A build is one write session: `with store.writing():` then `manifest()` (what is indexed),
`vectors(hashes)` (reuse embeddings by text hash), `upsert(rows)`, `delete_sources(...)` and last
`commit(manifest)`. A session killed part-way leaves the store searchable (each store says how).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from index.errors import ZhikuError
from index.records import DEFAULT_COLLECTION, Chunk, Hit  # noqa: F401 - DEFAULT_COLLECTION re-exported
from index.snapshot import Manifest

SEARCH_MODES = ("hybrid", "dense", "bm25")


def check_mode(mode: str) -> None:
    if mode not in SEARCH_MODES:
        raise ZhikuError(f"unknown search mode {mode!r}: use one of {', '.join(SEARCH_MODES)}")


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as a store keeps it: the passage, what was embedded and tokenised, and its vector."""

    chunk: Chunk
    text: str  # the indexed text (title + passage): what the embedder and BM25 saw
    text_hash: str  # of `text`: the key vectors are reused by
    vector: np.ndarray
    collection: str = DEFAULT_COLLECTION
    groups: tuple[str, ...] = ()  # who may read it; empty = everyone


@dataclass(frozen=True)
class Where:
    """A metadata filter on search: every field left None matches everything.

    `collections`: the knowledge bases a question may search (what its asker may read); an empty
    tuple matches nothing. `groups`: a chunk matches when it names no group (public) or shares one
    with these.
    """

    sources: tuple[str, ...] | None = None
    collection: str | None = None
    groups: tuple[str, ...] | None = None
    collections: tuple[str, ...] | None = None

    def matches(self, source: str, collection: str, groups: Collection[str]) -> bool:
        if self.sources is not None and source not in self.sources:
            return False
        if self.collection is not None and collection != self.collection:
            return False
        if self.collections is not None and collection not in self.collections:
            return False
        return self.groups is None or not groups or bool(set(groups) & set(self.groups))


@dataclass(frozen=True)
class StoreStats:
    store: str  # embedded or milvus
    location: str  # a folder, a .db file or a server address (never a password)
    chunks: int
    sources: int
    extra: dict = field(default_factory=dict)


class ChunkStore(Protocol):
    """Usage: `store.search("问题", embedder.embed_query("问题"), k=5)` -> hits, best first."""

    name: str

    def writing(self) -> AbstractContextManager[None]:
        """One writer at a time; a second one is refused with a clear ZhikuError."""

    def manifest(self) -> Manifest | None:
        """What is indexed and how (model, chunking, one entry per file); None when empty."""

    def vectors(self, text_hashes: Collection[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these indexed-text hashes (those it has), to skip re-embedding."""

    def upsert(self, rows: Sequence[StoredChunk]) -> None:
        """Add chunks, replacing any with the same chunk id."""

    def delete_sources(self, sources: Collection[str], keep: Collection[str] = ()) -> None:
        """Drop every chunk of these files except the chunk ids in `keep`."""

    def commit(self, manifest: Manifest) -> None:
        """Finish the session: the writes and the manifest become what readers see."""

    def clear(self) -> None:
        """Forget everything (a full rebuild: another model or other chunk settings)."""

    def search(
        self, query: str, vector: np.ndarray | None, k: int, mode: str = "hybrid",
        where: Where | None = None, candidates: int = 30, rrf_k: int = 60,
    ) -> list[Hit]:
        """Dense, BM25 or both fused by reciprocal rank fusion; `vector` may be None for bm25."""

    def next_chunk(self, chunk: Chunk, where: Where | None = None) -> Chunk | None:
        """The chunk of `chunk`'s file that starts next after it (neighbours share a sentence), if
        `where` lets it through; None past the file's last chunk. A list that runs past the end of a
        retrieved passage is read on with it."""

    def stats(self) -> StoreStats: ...

    def version(self) -> str:
        """Changes whenever a commit lands, so a long-running reader knows to reopen."""

    def iter_chunks(self, batch: int = 1000) -> Iterator[StoredChunk]:
        """Every stored chunk with its vector (export, migration, example questions)."""


def index_summary(store: ChunkStore) -> dict | None:
    """What the index holds and how it was built (the CLI's and the knowledge-base tab's stats);
    None when nothing was built yet."""
    m = store.manifest()
    if m is None:
        return None
    stats = store.stats()
    return {
        "store": stats.store,
        "location": stats.location,
        "documents": len(m.files),
        "articles": sum(f.get("articles", 0) for f in m.files.values()),
        "chunks": stats.chunks,
        "model": m.embedding_model,
        "dimension": m.dim,
        "index_type": m.index_type,
        "chunking": m.chunking,
        "built_at": m.built_at,
        "files": m.files,
        "skipped": m.skipped,
    }
