"""Copying an index from one store to another (embedded -> Milvus, or back) without re-embedding:
chunks, vectors and the manifest go across as they are.

Usage: `copy_store(EmbeddedStore(index_dir), MilvusStore("data/milvus.db"))`.
"""

from __future__ import annotations

from index.errors import ZhikuError
from index.store import ChunkStore

BATCH = 1000


def copy_store(source: ChunkStore, target: ChunkStore, batch: int = BATCH) -> int:
    """Replace what `target` holds with everything `source` holds; returns the chunks copied."""
    manifest = source.manifest()
    if manifest is None:
        raise ZhikuError(f"nothing to copy: no index at {source.stats().location}; run `zhiku index build` first")
    copied = 0
    with target.writing():
        target.clear()
        rows = []
        for row in source.iter_chunks(batch):
            rows.append(row)
            if len(rows) >= batch:
                target.upsert(rows)
                copied, rows = copied + len(rows), []
        target.upsert(rows)
        copied += len(rows)
        target.commit(manifest)
    return copied
