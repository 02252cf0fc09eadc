"""Builds the stages from the one Settings object, so entry points (CLI, server, eval) share
the wiring and nothing reads the environment but rag/settings.py."""

from __future__ import annotations

from index.builder import IndexBuilder
from index.collections import CollectionRegistry
from index.embedded_store import EmbeddedStore
from index.embedding import Embedder, resolve_dtype
from index.errors import ZhikuError
from index.pipeline import ChunkingConfig
from index.store import ChunkStore, index_summary  # noqa: F401 - the CLI's import
from index.tokenizer import Tokenizer
from rag.retrieval import Retriever
from rag.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    return Embedder(settings.embedding_model, settings.embedder_cache_dir, settings.embedding_batch_size,
                    dtype=resolve_dtype(settings.embedding_dtype))


def chunking_config(settings: Settings) -> ChunkingConfig:
    return ChunkingConfig(settings.chunk_size, settings.chunk_overlap, settings.embed_title)


def make_store(settings: Settings, tokenizer: Tokenizer | None = None) -> ChunkStore:
    """The store ZHIKU_STORE names: the embedded folders (default) or Milvus."""
    if settings.store == "milvus":
        from index.milvus_store import MilvusStore  # pymilvus is an optional extra

        return MilvusStore(
            settings.milvus_uri,
            collection=settings.milvus_collection,
            token=settings.milvus_token,
            user=settings.milvus_user,
            password=settings.milvus_password,
            db_name=settings.milvus_db,
        )
    return EmbeddedStore(settings.index_dir, tokenizer)


def make_registry(settings: Settings) -> CollectionRegistry:
    """The knowledge bases (`zhiku kb ...`); the default one is the corpus folder."""
    return CollectionRegistry(settings.data_dir / "collections.json", default_folder=settings.corpus_dir)


def make_builder(settings: Settings, embedder: Embedder | None = None, progress: bool = False) -> IndexBuilder:
    return IndexBuilder(
        settings.index_dir,
        embedder or make_embedder(settings),
        chunking_config(settings),
        index_type=settings.index_type,
        ann_threshold=settings.ann_threshold,
        progress=progress,
        max_file_bytes=settings.max_file_mb * 1024 * 1024,
        store=make_store(settings),
        ocr_file_budget_s=settings.ocr_file_budget_s,
    )


def open_retriever(settings: Settings, embedder: Embedder | None = None, tokenizer: Tokenizer | None = None) -> Retriever:
    """The retriever over the current index; a clear error when there is none yet."""
    store = make_store(settings, tokenizer)
    retriever = Retriever(
        store,
        embedder or make_embedder(settings),
        top_k=settings.top_k,
        mode=settings.retrieval_mode,
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
    )
    manifest = store.manifest()
    if manifest is None:
        raise ZhikuError(f"no index at {store.stats().location}: run `zhiku index build` first")
    if manifest.embedding_model != retriever.embedder.model_name:
        raise ZhikuError(
            f"the index was built with {manifest.embedding_model}, but the embedding model is "
            f"now {retriever.embedder.model_name}: run `zhiku index build` to rebuild it"
        )
    return retriever
