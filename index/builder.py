"""Incremental, crash-safe index builds.

Only files whose content changed are re-chunked, only chunks whose text changed are re-embedded
(vectors are reused by text hash), and every build is published as a new version (versions.py).
Changing the embedding model or chunk settings rebuilds everything, and says so.

Usage:
    builder = IndexBuilder(index_dir, embedder, ChunkingConfig())
    report = builder.build(corpus_dir)        # sync the index with a folder
    builder.build(corpus_dir, on_progress=lambda stage, done, total: ...)   # "reading" files, "embedding" chunks
    builder.add([path], root=corpus_dir); builder.remove([path], root=corpus_dir)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.bm25_store import BM25Store
from index.dense_store import DenseStore, choose_index_type
from index.embedding import Embedder
from index.errors import ZhikuError
from index.loaders import MAX_FILE_BYTES, load_paths
from index.ocr_reader import OcrReader, ocr_cache_dir
from index.pipeline import ChunkingConfig, chunk_document, indexed_text, text_hash
from index.records import Chunk, Document, Skipped
from index.snapshot import IndexSnapshot, Manifest, load_snapshot, write_snapshot
from index.tokenizer import Tokenizer
from index.versions import fsync_tree, index_lock, new_version_dir, prune, publish

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


@dataclass
class _Entry:
    """One source file's chunks in the index being built."""

    sha256: str
    kind: str
    articles: int
    chunks: list[Chunk]


class IndexBuilder:
    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        config: ChunkingConfig,
        index_type: str = "auto",
        ann_threshold: int = 200_000,
        tokenizer: Tokenizer | None = None,
        progress: bool = False,
        max_file_bytes: int = MAX_FILE_BYTES,
    ):
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.config = config
        self.index_type = index_type
        self.ann_threshold = ann_threshold
        self.tokenizer = tokenizer or Tokenizer()
        self.progress = progress
        self.max_file_bytes = max_file_bytes

    def build(self, folder: Path, on_progress: Progress | None = None) -> BuildReport:
        """Make the index hold exactly the readable files under `folder`."""
        loaded = load_paths([Path(folder)], root=Path(folder), max_bytes=self.max_file_bytes,
                            on_file=_stage(on_progress, "reading"), ocr=self._ocr())
        return self._update(loaded.documents, loaded.skipped, drop_missing=True, on_progress=on_progress)

    def add(self, paths: list[Path], root: Path, on_progress: Progress | None = None) -> BuildReport:
        """Index new or changed files; everything else stays as it is."""
        loaded = load_paths([Path(p) for p in paths], root=Path(root), max_bytes=self.max_file_bytes,
                            on_file=_stage(on_progress, "reading"), ocr=self._ocr())
        return self._update(loaded.documents, loaded.skipped, drop_missing=False, on_progress=on_progress)

    def remove(self, sources: list[str]) -> BuildReport:
        """Drop files from the index by their source name (as `zhiku index stats` lists them)."""
        return self._update([], [], drop_missing=False, remove=set(sources))

    def _ocr(self) -> OcrReader:
        # what OCR read is kept beside the index: each build reads every file again
        return OcrReader(ocr_cache_dir(self.index_dir), progress=self.progress)

    def _update(
        self, docs: list[Document], skipped: list[Skipped], drop_missing: bool, remove: set[str] = frozenset(),
        on_progress: Progress | None = None,
    ) -> BuildReport:
        started = time.perf_counter()
        with index_lock(self.index_dir):
            # first clear what a killed build left: else its folder would outlive the previous version
            prune(self.index_dir)
            previous = load_snapshot(self.index_dir, self.tokenizer)
            report = BuildReport(skipped=list(skipped))
            entries = self._carry_over(previous, report)
            unknown = remove - entries.keys()
            if unknown:
                raise ZhikuError(f"not in the index: {', '.join(sorted(unknown))}")
            for source in sorted(remove):
                del entries[source]
                report.removed.append(source)
            seen = set()
            for doc in docs:
                seen.add(doc.source)
                old = entries.get(doc.source)
                if old is not None and old.sha256 == doc.sha256:
                    report.unchanged.append(doc.source)
                    continue
                articles, chunks = chunk_document(doc, self.config)
                entries[doc.source] = _Entry(doc.sha256, doc.kind, len(articles), chunks)
                (report.updated if old is not None else report.added).append(doc.source)
            if drop_missing:
                for source in sorted(entries.keys() - seen):
                    del entries[source]
                    report.removed.append(source)
            if previous is not None and not report.changed:
                report.chunks = len(previous.chunks)
                report.reused = report.chunks
            else:
                snap = self._assemble(entries, previous, report, _stage(on_progress, "embedding"))
                folder = new_version_dir(self.index_dir)
                write_snapshot(folder, snap)
                fsync_tree(folder)
                publish(self.index_dir, folder)
            prune(self.index_dir)
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

    def _carry_over(self, previous: IndexSnapshot | None, report: BuildReport) -> dict[str, _Entry]:
        """The previous index's entries, or none when its settings differ (full rebuild)."""
        if previous is None:
            return {}
        wanted = self._manifest(previous.manifest.dim, 0)
        reason = previous.manifest.compatible_with(wanted)
        if reason:
            log.warning("%s: rebuilding the whole index", reason)
            report.full_rebuild_reason = reason
            return {}
        by_source: dict[str, list[Chunk]] = {}
        for chunk in previous.chunks:
            by_source.setdefault(chunk.source, []).append(chunk)
        return {
            source: _Entry(info["sha256"], info.get("kind", ""), info.get("articles", 0), by_source.get(source, []))
            for source, info in previous.manifest.files.items()
        }

    def _assemble(
        self, entries: dict[str, _Entry], previous: IndexSnapshot | None, report: BuildReport,
        on_embedded: Callable[[int, int], None] | None,
    ) -> IndexSnapshot:
        chunks = [c for source in sorted(entries) for c in entries[source].chunks]
        texts = [indexed_text(c, self.config) for c in chunks]
        hashes = [text_hash(t) for t in texts]
        vectors = self._vectors(texts, hashes, previous, report, on_embedded)
        manifest = self._manifest(vectors.shape[1], len(chunks))
        manifest.files = {
            s: {"sha256": e.sha256, "kind": e.kind, "articles": e.articles, "chunks": len(e.chunks)}
            for s, e in sorted(entries.items())
        }
        manifest.skipped = [{"source": s.source, "reason": s.reason} for s in report.skipped]
        report.chunks = len(chunks)
        return IndexSnapshot(
            folder=Path(),
            manifest=manifest,
            chunks=chunks,
            text_hashes=hashes,
            vectors=vectors,
            dense=DenseStore.build(vectors, manifest.index_type),
            bm25=BM25Store.build(texts, self.tokenizer),
        )

    def _vectors(
        self, texts: list[str], hashes: list[str], previous: IndexSnapshot | None, report: BuildReport,
        on_embedded: Callable[[int, int], None] | None,
    ) -> np.ndarray:
        """Reuse vectors by text hash; embed only texts the previous index never saw."""
        cache: dict[str, np.ndarray] = {}
        if previous is not None and not report.full_rebuild_reason:
            cache = {h: previous.vectors[i] for i, h in enumerate(previous.text_hashes)}
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
        report.reused = sum(1 for h in hashes if h not in fresh_hashes)
        if not hashes:
            dim = previous.manifest.dim if previous is not None else self.embedder.dim
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([cache[h] for h in hashes]).astype(np.float32)


def _stage(on_progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    """`on_progress` with its stage filled in, for a step that only counts."""
    if on_progress is None:
        return None
    return lambda done, total: on_progress(stage, done, total)
