"""Incremental, crash-safe index builds.

Only files whose content changed are re-chunked, only chunks whose text changed are re-embedded
(vectors are reused by text hash), and only they are written to the store (store.py): the
embedded one publishes each build as a new version (versions.py), Milvus upserts and deletes by
chunk id. Changing the embedding model or chunk settings rebuilds everything, and says so.

Usage:
    builder = IndexBuilder(index_dir, embedder, ChunkingConfig())   # store=MilvusStore(...) for Milvus
    report = builder.build(corpus_dir)        # sync the index with a folder
    builder.build(corpus_dir, on_progress=lambda stage, done, total: ...)   # "reading" files, "embedding" chunks
    builder.add([path], root=corpus_dir); builder.remove([path], root=corpus_dir)
    builder.build(hr_folder, collection="hr")  # a knowledge base of its own: its files are "hr/…"

Each file belongs to one knowledge base (collection): the manifest records it per file (absent =
the default one), a build of one collection adds, updates and drops only that collection's files,
and the files of a collection other than the default are named `<collection>/<path in its folder>`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from index.dense_store import choose_index_type
from index.embedded_store import EmbeddedStore
from index.embedding import Embedder
from index.errors import ZhikuError
from index.loaders import MAX_FILE_BYTES, load_paths
from index.ocr_cache import OcrCache
from index.ocr_reader import OcrReader, ocr_cache_dir
from index.pipeline import ChunkingConfig, chunk_document, indexed_text, text_hash
from index.records import DEFAULT_COLLECTION, Chunk, Document, Skipped
from index.snapshot import Manifest
from index.store import ChunkStore, StoredChunk
from index.tokenizer import Tokenizer

log = logging.getLogger(__name__)

# (stage, done, total): stage "reading" counts files, "embedding" counts chunks; a CLI draws the bar
Progress = Callable[[str, int, int], None]
# chunks per encode call when progress is reported: sixteen of the embedder's batches, so the bar
# moves every few seconds on two cores while each call still sorts a good slice by length
EMBED_SLICE = 256


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    full_rebuild_reason: str = ""
    chunks: int = 0
    embedded: int = 0  # chunks whose vectors were computed in this build
    reused: int = 0  # chunks whose vectors came from the previous index
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.full_rebuild_reason)


class IndexBuilder:
    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        config: ChunkingConfig,
        index_type: str = "auto",
        ann_threshold: int = 50_000,
        tokenizer: Tokenizer | None = None,
        progress: bool = False,
        max_file_bytes: int = MAX_FILE_BYTES,
        store: ChunkStore | None = None,
        ocr_file_budget_s: float | None = None,
    ):
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.config = config
        self.index_type = index_type
        self.ann_threshold = ann_threshold
        self.tokenizer = tokenizer or Tokenizer()
        self.progress = progress
        self.max_file_bytes = max_file_bytes
        self.store = store if store is not None else EmbeddedStore(self.index_dir, self.tokenizer)
        self.ocr_file_budget_s = ocr_file_budget_s

    def build(self, folder: Path, on_progress: Progress | None = None,
              collection: str = DEFAULT_COLLECTION) -> BuildReport:
        """Make the index hold exactly the readable files under `folder` (for that collection)."""
        loaded = load_paths([Path(folder)], root=Path(folder), max_bytes=self.max_file_bytes,
                            on_file=_stage(on_progress, "reading"), ocr=self._ocr())
        docs, skipped = in_collection(loaded.documents, loaded.skipped, collection)
        return self._update(docs, skipped, drop_missing=True, on_progress=on_progress, collection=collection)

    def add(self, paths: list[Path], root: Path, on_progress: Progress | None = None,
            collection: str = DEFAULT_COLLECTION) -> BuildReport:
        """Index new or changed files; everything else stays as it is."""
        loaded = load_paths([Path(p) for p in paths], root=Path(root), max_bytes=self.max_file_bytes,
                            on_file=_stage(on_progress, "reading"), ocr=self._ocr())
        docs, skipped = in_collection(loaded.documents, loaded.skipped, collection)
        return self._update(docs, skipped, drop_missing=False, on_progress=on_progress, collection=collection)

    def remove_collection(self, collection: str) -> BuildReport:
        """Drop every file of a collection from the index (its folder is not touched)."""
        previous = self.store.manifest()
        files = previous.files if previous is not None else {}
        sources = [s for s, info in files.items() if info.get("collection", DEFAULT_COLLECTION) == collection]
        return self.remove(sources) if sources else BuildReport()

    def remove(self, sources: list[str]) -> BuildReport:
        """Drop files from the index by their source name (as `zhiku index stats` lists them)."""
        return self._update([], [], drop_missing=False, remove=set(sources))

    def _ocr(self) -> OcrReader:
        # what OCR read is kept beside the index: each build reads every file again
        return OcrReader(ocr_cache_dir(self.index_dir), progress=self.progress, file_budget_s=self.ocr_file_budget_s)

    def _update(
        self, docs: list[Document], skipped: list[Skipped], drop_missing: bool, remove: set[str] = frozenset(),
        on_progress: Progress | None = None, collection: str = DEFAULT_COLLECTION,
    ) -> BuildReport:
        started = time.perf_counter()
        with self.store.writing():
            previous = self.store.manifest()
            report = BuildReport(skipped=list(skipped))
            files, stale = self._carry_over(previous, report)
            unknown = remove - files.keys()
            if unknown:
                raise ZhikuError(f"not in the index: {', '.join(sorted(unknown))}")
            for source in sorted(remove):
                del files[source]
                report.removed.append(source)
            changed: dict[str, list[Chunk]] = {}
            seen = set()
            for doc in docs:
                seen.add(doc.source)
                old = files.get(doc.source)
                owner = (old or {}).get("collection", DEFAULT_COLLECTION)
                if old is not None and owner != collection:  # the same name in two knowledge bases
                    report.skipped.append(Skipped(doc.source, f"already indexed in the knowledge base {owner!r}"))
                    continue
                if old is not None and old["sha256"] == doc.sha256:
                    report.unchanged.append(doc.source)
                    continue
                articles, chunks = chunk_document(doc, self.config)
                if collection != DEFAULT_COLLECTION:
                    chunks = [replace(c, collection=collection) for c in chunks]
                files[doc.source] = {"sha256": doc.sha256, "kind": doc.kind, "articles": len(articles),
                                     "chunks": len(chunks), **_collection_key(collection)}
                changed[doc.source] = chunks
                (report.updated if old is not None else report.added).append(doc.source)
            if drop_missing:
                mine = {s for s, info in files.items() if info.get("collection", DEFAULT_COLLECTION) == collection}
                for source in sorted(mine - seen):
                    del files[source]
                    report.removed.append(source)
            report.chunks = sum(f["chunks"] for f in files.values())
            if previous is not None and not report.changed:
                report.reused = report.chunks
            else:
                self._write(files, changed, previous, report, _stage(on_progress, "embedding"), clear=stale)
            # under the write lock: what OCR read for files no longer indexed goes
            OcrCache(ocr_cache_dir(self.index_dir)).prune(
                {f["sha256"] for f in files.values()}, {f["sha256"] for f in (previous.files if previous else {}).values()})
        report.seconds = time.perf_counter() - started
        return report

    def _manifest(self, dim: int, n: int) -> Manifest:
        return Manifest(
            embedding_model=self.embedder.model_name,
            dim=dim,
            chunking=self.config.as_dict(),
            index_type=choose_index_type(self.index_type, n, self.ann_threshold),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )

    def _carry_over(self, previous: Manifest | None, report: BuildReport) -> tuple[dict[str, dict], bool]:
        """The indexed files (source -> sha256, kind, articles, chunks), or none when the index was
        built with other settings: then everything is rebuilt. The second value says the old
        store is still to be cleared: when only the chunking changed, the old vectors are read by
        text hash first, so a new pipeline re-embeds only the chunks it writes differently."""
        if previous is None:
            return {}, False
        current = self._manifest(previous.dim, 0)
        reason = previous.compatible_with(current)
        if not reason:
            return {source: {"chunks": 0, **info} for source, info in previous.files.items()}, False
        log.warning("%s: rebuilding the whole index", reason)
        report.full_rebuild_reason = reason
        if (previous.format, previous.embedding_model) == (current.format, current.embedding_model):
            return {}, True
        self.store.clear()
        return {}, False

    def _write(
        self, files: dict[str, dict], changed: dict[str, list[Chunk]], previous: Manifest | None, report: BuildReport,
        on_embedded: Callable[[int, int], None] | None, clear: bool = False,
    ) -> None:
        """Changed files' chunks go in before their old ones go out: a store killed between the two
        still answers (from both), and the next build finishes the job. `clear`: the old index
        goes once its vectors were read (a full rebuild under new chunking)."""
        rows = self._rows(changed, report, on_embedded)
        if clear:
            self.store.clear()
        by_source: dict[str, list[StoredChunk]] = {}
        for row in rows:
            by_source.setdefault(row.chunk.source, []).append(row)
        dim = len(rows[0].vector) if rows else (previous.dim if previous is not None else self.embedder.dim)
        manifest = self._manifest(dim, report.chunks)
        manifest.files = dict(sorted(files.items()))
        manifest.skipped = [{"source": s.source, "reason": s.reason} for s in report.skipped]
        for source in sorted(changed):
            mine = by_source.get(source, [])
            self.store.upsert(mine)
            self.store.delete_sources([source], keep={r.chunk.id for r in mine})
        if report.removed:
            self.store.delete_sources(report.removed)
        self.store.commit(manifest)

    def _rows(
        self, changed: dict[str, list[Chunk]], report: BuildReport, on_embedded: Callable[[int, int], None] | None,
    ) -> list[StoredChunk]:
        """The changed chunks with vectors: reused by text hash, embedded only when never seen."""
        chunks = [c for source in sorted(changed) for c in changed[source]]
        texts = [indexed_text(c, self.config) for c in chunks]
        hashes = [text_hash(t) for t in texts]
        cache = self.store.vectors(set(hashes))
        missing = sorted({h: t for h, t in zip(hashes, texts) if h not in cache}.items())
        if missing and on_embedded is None:
            fresh = self.embedder.embed_passages([t for _, t in missing], progress=self.progress)
            cache.update({h: v for (h, _), v in zip(missing, fresh)})
        elif missing:
            # longest first, as the encoder orders one call, so each slice pads little
            ordered = sorted(missing, key=lambda item: -len(item[1]))
            for start in range(0, len(ordered), EMBED_SLICE):
                part = ordered[start : start + EMBED_SLICE]
                cache.update(zip((h for h, _ in part), self.embedder.embed_passages([t for _, t in part])))
                on_embedded(start + len(part), len(ordered))
        fresh_hashes = {h for h, _ in missing}
        report.embedded = len(missing)
        report.reused = report.chunks - sum(1 for h in hashes if h in fresh_hashes)
        return [
            StoredChunk(c, t, h, np.asarray(cache[h], dtype=np.float32), c.collection)
            for c, t, h in zip(chunks, texts, hashes)
        ]


def source_prefix(collection: str) -> str:
    """What a collection's file names start with in the index ('' for the default one)."""
    return "" if collection == DEFAULT_COLLECTION else f"{collection}/"


def in_collection(docs: list[Document], skipped: list[Skipped], collection: str) -> tuple[list[Document], list[Skipped]]:
    """Documents and skipped files named as the index names them in this collection."""
    prefix = source_prefix(collection)
    if not prefix:
        return docs, skipped
    return ([replace(d, source=prefix + d.source) for d in docs],
            [replace(s, source=prefix + s.source) for s in skipped])


def _collection_key(collection: str) -> dict:
    return {} if collection == DEFAULT_COLLECTION else {"collection": collection}


def _stage(on_progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    """`on_progress` with its stage filled in, for a step that only counts."""
    if on_progress is None:
        return None
    return lambda done, total: on_progress(stage, done, total)
