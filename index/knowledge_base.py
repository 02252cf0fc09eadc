"""The knowledge base as staff manage it: what is indexed, uploading and removing files.

Uploads are saved under `<corpus_dir>/uploads/` with a sanitised name (never outside it), written
to a temporary file first so an interrupted upload leaves no partial document, then indexed
incrementally by the one IndexBuilder the knowledge base is given.
Usage: `KnowledgeBase(builder, corpus_dir, upload_max_mb=20).upload("报告.pdf", data)`;
one per collection: `KnowledgeBases(builder, registry, 20).get("hr").upload(...)`.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from pathlib import Path

from index.builder import BuildReport, IndexBuilder, source_prefix
from index.collections import CollectionRegistry
from index.errors import ZhikuError
from index.files import write_atomically
from index.loaders import KINDS
from index.records import DEFAULT_COLLECTION
from index.store import index_summary

# what can be uploaded is what can be loaded: scans and screenshots too (read by OCR)
ALLOWED_TYPES = tuple(KINDS)
UPLOADS = "uploads"
PART_PREFIX = ".upload-"
MAX_NAME_BYTES = 200
STALE_PART_S = 3600  # a part file this old belongs to an upload whose process was killed


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder: no separators, no `..`, no control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    name = re.sub(r"\s+", " ", name)
    if not name or name in {".", ".."}:
        raise ZhikuError("the file has no usable name")
    # shortened by bytes, not characters (file systems allow 255 bytes; 汉 takes 3), keeping the type
    suffix = Path(name).suffix if len(Path(name).suffix) <= 16 else ""
    stem = name[: len(name) - len(suffix)].encode("utf-8")[: MAX_NAME_BYTES - len(suffix)]
    return stem.decode("utf-8", "ignore").rstrip() + suffix


class KnowledgeBase:
    def __init__(self, builder: IndexBuilder, corpus_dir: Path, upload_max_mb: int = 20,
                 collection: str = DEFAULT_COLLECTION, lock: threading.Lock | None = None):
        self.builder = builder
        self.corpus_dir = Path(corpus_dir)
        self.upload_max_mb = upload_max_mb
        self.collection = collection
        self._lock = lock or threading.Lock()  # one index update at a time within this process

    @property
    def uploads_dir(self) -> Path:
        return self.corpus_dir / UPLOADS

    def stats(self) -> dict:
        summary = index_summary(self.builder.store)  # either store: the embedded folders or Milvus
        if summary is None:
            return {"documents": 0, "articles": 0, "chunks": 0, "files": {}, "built_at": "", "model": ""}
        return only_collections(summary, {self.collection})

    def check_upload(self, filename: str, size: int) -> str:
        """The safe name, or a clear error when the type or size is not allowed."""
        name = safe_filename(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in ALLOWED_TYPES:
            raise ZhikuError(f"{suffix or 'no extension'} files are not accepted; use {', '.join(ALLOWED_TYPES)}")
        limit = self.upload_max_mb * 1024 * 1024
        if size > limit:
            raise ZhikuError(f"the file is {size / 1e6:.1f} MB; the limit is {self.upload_max_mb} MB")
        if size == 0:
            raise ZhikuError("the file is empty")
        return name

    def upload(self, filename: str, data: bytes) -> BuildReport:
        name = self.check_upload(filename, len(data))
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        target = self.uploads_dir / name
        with self._lock:
            self._drop_stale_parts()
            write_atomically(target, data, prefix=PART_PREFIX, suffix=".part")
            report = self.builder.add([target], root=self.corpus_dir, collection=self.collection)
        if report.skipped:
            target.unlink(missing_ok=True)  # unreadable: do not keep it around to fail again
            raise ZhikuError(f"{name} could not be read: {report.skipped[0].reason}")
        return report

    def remove(self, source: str) -> BuildReport:
        with self._lock:
            report = self.builder.remove([source])
        path = (self.corpus_dir / source.removeprefix(source_prefix(self.collection))).resolve()
        if path.parent == self.uploads_dir.resolve() and path.is_file():
            path.unlink()  # uploaded copies go; the organisation's own folder is never touched
        return report

    def source_of(self, name: str) -> str:
        """The index's name for an uploaded file."""
        return f"{source_prefix(self.collection)}{UPLOADS}/{name}"

    def _drop_stale_parts(self) -> None:
        """Temporary files of uploads killed mid-write (never indexed: dot files are not documents)."""
        for part in self.uploads_dir.glob(f"{PART_PREFIX}*.part"):
            try:
                if time.time() - part.stat().st_mtime > STALE_PART_S:
                    part.unlink()
            except OSError:
                pass


def only_collections(summary: dict, collections: set[str]) -> dict:
    """An index summary cut down to the files of these collections (what a reader may see)."""
    files = {s: f for s, f in summary["files"].items() if f.get("collection", DEFAULT_COLLECTION) in collections}
    others = {f["collection"] for f in summary["files"].values() if "collection" in f}

    def owner(source: str) -> str:
        first = source.split("/", 1)[0]
        return first if "/" in source and first in others else DEFAULT_COLLECTION

    skipped = [s for s in summary.get("skipped", []) if owner(s["source"]) in collections]
    return {**summary, "files": files, "skipped": skipped, "documents": len(files),
            "articles": sum(f.get("articles", 0) for f in files.values()),
            "chunks": sum(f.get("chunks", 0) for f in files.values())}


class KnowledgeBases:
    """The knowledge base of each collection, sharing one builder and one write lock."""

    def __init__(self, builder: IndexBuilder, registry: CollectionRegistry, upload_max_mb: int = 20):
        self.builder = builder
        self.registry = registry
        self.upload_max_mb = upload_max_mb
        self._lock = threading.Lock()

    def get(self, name: str) -> KnowledgeBase:
        collection = self.registry.get(name)
        return KnowledgeBase(self.builder, collection.folder, self.upload_max_mb, name, self._lock)
