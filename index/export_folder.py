"""A portable copy of an index: a folder another zhiku (or any tool) can read without zhiku's code,
and which `copy_store` (migrate.py) writes from and reads into any store, vectors included, so
moving an index between machines or stores never re-embeds.

Layout (no pickle): `export.json` (the format, the row count, the dimension and the manifest),
`chunks.jsonl` (one chunk a line: its record, the indexed text and its hash, knowledge base and
groups) and `vectors.f32` (float32, little-endian, one row of `dim` values per line of chunks.jsonl).
An export is written into `<folder>.partial` and renamed when complete: a killed export leaves no
folder that looks finished.

Usage: `copy_store(store, ExportFolder(path))` exports; `copy_store(ExportFolder(path), store)` imports.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

from index.errors import ZhikuError
from index.records import Chunk
from index.snapshot import Manifest
from index.store import StoredChunk, StoreStats

FORMAT = "zhiku-export"
VERSION = 1
CHUNK_FIELDS = {f.name for f in fields(Chunk)}


class ExportFolder:
    """The ChunkStore calls copy_store makes: writing, clear, upsert and commit to export;
    manifest, iter_chunks and stats to import. Not searchable."""

    name = "export"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._head: dict | None = None

    # --- exporting ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        if self.folder.exists():
            raise ZhikuError(f"{self.folder} already exists: export into a new folder")
        self._partial = self.folder.with_name(self.folder.name + ".partial")
        shutil.rmtree(self._partial, ignore_errors=True)  # what a killed export left
        self._partial.mkdir(parents=True)
        self._rows, self._dim = 0, None
        self._chunks = open(self._partial / "chunks.jsonl", "w", encoding="utf-8")
        self._vectors = open(self._partial / "vectors.f32", "wb")
        try:
            yield
        finally:
            self._chunks.close()
            self._vectors.close()
            shutil.rmtree(self._partial, ignore_errors=True)  # gone once renamed; left only on failure

    def clear(self) -> None:
        """An export starts empty."""

    def upsert(self, rows: Sequence[StoredChunk]) -> None:
        for row in rows:
            vector = np.asarray(row.vector, dtype="<f4")
            self._dim = self._dim or len(vector)
            line = {**asdict(row.chunk), "indexed_text": row.text, "text_hash": row.text_hash,
                    "collection": row.collection, "groups": list(row.groups)}
            self._chunks.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._vectors.write(vector.tobytes())
            self._rows += 1

    def commit(self, manifest: Manifest) -> None:
        for fh in (self._chunks, self._vectors):
            fh.flush()
            os.fsync(fh.fileno())
        head = {"format": FORMAT, "version": VERSION, "chunks": self._rows, "dim": self._dim or manifest.dim,
                "manifest": asdict(manifest)}
        (self._partial / "export.json").write_text(json.dumps(head, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(self._partial, self.folder)

    # --- importing ---------------------------------------------------------------------------------

    def _read_head(self) -> dict:
        if self._head is None:
            path = self.folder / "export.json"
            try:
                head = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ZhikuError(f"{self.folder} is not a zhiku export (no readable export.json: {exc})") from exc
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                raise ZhikuError(f"{self.folder} is not a zhiku export (export.json names no {FORMAT!r} format)")
            if head.get("version") != VERSION:
                raise ZhikuError(f"{self.folder}: export version {head.get('version')} is not supported (this zhiku reads {VERSION})")
            size = (self.folder / "vectors.f32").stat().st_size if (self.folder / "vectors.f32").exists() else -1
            if size != 4 * int(head["chunks"]) * int(head["dim"]):
                raise ZhikuError(f"{self.folder}: vectors.f32 does not hold {head['chunks']} × {head['dim']} floats; "
                                 "the export is incomplete or damaged")
            self._head = head
        return self._head

    def manifest(self) -> Manifest | None:
        try:
            return Manifest(**self._read_head()["manifest"])
        except TypeError as exc:
            raise ZhikuError(f"{self.folder}: export.json has a malformed manifest ({exc})") from exc

    def iter_chunks(self, batch: int = 1000) -> Iterator[StoredChunk]:
        head = self._read_head()
        dim, n = int(head["dim"]), int(head["chunks"])
        vectors = np.memmap(self.folder / "vectors.f32", dtype="<f4", mode="r", shape=(n, dim)) if n else np.zeros((0, dim))
        seen = 0
        with open(self.folder / "chunks.jsonl", encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if number > n:
                    raise ZhikuError(f"{self.folder}: chunks.jsonl has more lines than the {n} vectors")
                yield self._row(line, number, np.array(vectors[number - 1], dtype=np.float32))
                seen = number
        if seen != n:
            raise ZhikuError(f"{self.folder}: chunks.jsonl has {seen} lines for {n} vectors")

    def _row(self, line: str, number: int, vector: np.ndarray) -> StoredChunk:
        try:
            data = json.loads(line)
            chunk = Chunk(**{k: v for k, v in data.items() if k in CHUNK_FIELDS})
            return StoredChunk(chunk, str(data["indexed_text"]), str(data["text_hash"]), vector,
                               str(data.get("collection", chunk.collection)), tuple(data.get("groups") or ()))
        except (ValueError, TypeError, KeyError) as exc:
            raise ZhikuError(f"{self.folder}/chunks.jsonl line {number} is malformed ({exc})") from exc

    def stats(self) -> StoreStats:
        head = self._head or {}
        return StoreStats(self.name, str(self.folder), int(head.get("chunks", 0)), len(head.get("manifest", {}).get("files", {})))

    def vectors(self, text_hashes: Collection[str]) -> dict[str, np.ndarray]:
        return {}
