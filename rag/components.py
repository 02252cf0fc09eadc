"""Builds the stages from the one Settings object, so entry points (CLI, server, eval) share
the wiring and nothing reads the environment but rag/settings.py."""

from __future__ import annotations

from index.builder import IndexBuilder
from index.embedding import Embedder
from index.errors import ZhikuError
from index.pipeline import ChunkingConfig
from index.snapshot import load_snapshot
from index.tokenizer import Tokenizer
from rag.retrieval import Retriever
from rag.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    return Embedder(settings.embedding_model, settings.embedder_cache_dir, settings.embedding_batch_size)


def chunking_config(settings: Settings) -> ChunkingConfig:
    return ChunkingConfig(settings.chunk_size, settings.chunk_overlap, settings.embed_title)


def make_builder(settings: Settings, embedder: Embedder | None = None, progress: bool = False) -> IndexBuilder:
    return IndexBuilder(
        settings.index_dir,
        embedder or make_embedder(settings),
        chunking_config(settings),
        index_type=settings.index_type,
        ann_threshold=settings.ann_threshold,
        progress=progress,
        max_file_bytes=settings.max_file_mb * 1024 * 1024,
    )


def open_retriever(settings: Settings, embedder: Embedder | None = None, tokenizer: Tokenizer | None = None) -> Retriever:
    """The retriever over the current index; a clear error when there is none yet."""
    snapshot = load_snapshot(settings.index_dir, tokenizer)
    if snapshot is None:
        raise ZhikuError(f"no index at {settings.index_dir}: run `zhiku index build` first")
    embedder = embedder or make_embedder(settings)
    if snapshot.manifest.embedding_model != embedder.model_name:
        raise ZhikuError(
            f"the index was built with {snapshot.manifest.embedding_model}, but the embedding model is "
            f"now {embedder.model_name}: run `zhiku index build` to rebuild it"
        )
    return Retriever(
        snapshot,
        embedder,
        top_k=settings.top_k,
        mode=settings.retrieval_mode,
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
    )
