"""Publishing a write session as a new index version made of segments (segments.py).

An edit links the previous version's segments into the new folder, tombstones the rows it replaces
or removes, and writes one small segment with the new chunks: their vectors (reused or embedded by
the builder), their term counts (copied by text hash when the text was indexed before, else
tokenised) and a flat dense index. Nothing is re-tokenised or re-embedded, the HNSW graph of the
base segment is not touched, and the old version's files are never opened for writing.

When the edit segments pass a share of the rows or a count (`Compaction`), a merge adds them to the
first segment: its dense index grows with FAISS `add` (an HNSW graph gains nodes; it is not
rebuilt) and its tombstones stay. Compaction (one fresh segment, no tombstones, the dense index
rebuilt as the manifest asks) happens on a first build, on a folder from before segments, when
the index type changes, and once tombstones pass a share of the rows: searching many small flat
segments and skipping many tombstones would cost more than rewriting now and then.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.pipeline import ChunkingConfig, indexed_text
from index.records import Chunk
from index.segments import (
    Keys, append_segment, encode, keys_of, link_segment, read_chunks, read_keys, read_layout, read_vectors, read_words,
    record_hash, record_line, write_layout, write_segment,
)
from index.snapshot import Manifest, read_manifest, write_manifest
from index.store import StoredChunk
from index.term_counts import TermRows, Vocabulary
from index.tokenizer import Tokenizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Compaction:
    """When an edit stops adding segments: past the segment count or the edit segments' share it
    merges them into the first (its graph grown by `add`); past the tombstones' share it rewrites
    everything (graph rebuilt, tombstones gone)."""

    max_segments: int = 8
    max_dead_share: float = 0.2  # tombstoned rows / all rows: compaction
    max_delta_share: float = 0.05  # rows in edit segments / live rows ...: merge
    min_delta_rows: int = 2000  # ... once they are more than this many


@dataclass
class Part:
    """One segment of the version a session starts from (or the whole folder from before segments)."""

    name: str
    folder: Path
    keys: Keys
    legacy: bool = False


class Base:
    """What a write session starts from, read without parsing a single chunk record."""

    def __init__(self, folder: Path, manifest: Manifest):
        self.folder, self.manifest = folder, manifest
        layout = read_layout(folder)
        if layout is None:  # one folder from before segments: its rows are one part
            keys = keys_of(*read_chunks(folder))
            self.parts, self.deleted, self.words = [Part("", folder, keys, legacy=True)], np.zeros(0, np.int64), []
        else:
            names, self.deleted = layout
            self.parts = [Part(n, folder / n, read_keys(folder / n)) for n in names]
            self.words = [w for n in names for w in read_words(folder / n)]
        self.offsets = np.concatenate([[0], np.cumsum([len(p.keys) for p in self.parts])]).astype(np.int64)
        self._hashes: np.ndarray | None = None

    @property
    def legacy(self) -> bool:
        return any(p.legacy for p in self.parts)

    @property
    def size(self) -> int:
        return int(self.offsets[-1])

    def column(self, name: str) -> np.ndarray:
        return np.concatenate([getattr(p.keys, name) for p in self.parts]) if self.parts else np.zeros(0, "S1")

    def locate(self, hashes: list[str]) -> dict[str, tuple[int, int]]:
        """text hash -> (part, row in it) for the hashes this version holds (live or not)."""
        if self._hashes is None:
            self._hashes = self.column("hashes")
        wanted = encode(sorted(set(hashes)))
        found = {}
        for at in np.flatnonzero(np.isin(self._hashes, wanted)):
            part = int(np.searchsorted(self.offsets, at, side="right")) - 1
            found.setdefault(self._hashes[at].decode("utf-8"), (part, int(at - self.offsets[part])))
        return found

    def vectors(self, hashes: list[str]) -> dict[str, np.ndarray]:
        mapped: dict[int, np.ndarray] = {}  # each part's vectors.npy mapped once
        out = {}
        for h, (p, row) in self.locate(hashes).items():
            if p not in mapped:
                mapped[p] = read_vectors(self.parts[p].folder)
            out[h] = np.array(mapped[p][row])
        return out

    def terms(self, part: int) -> TermRows | None:
        return None if self.parts[part].legacy else TermRows.load(self.parts[part].folder)


def read_base(folder: Path | None) -> Base | None:
    return None if folder is None else Base(folder, read_manifest(folder))


class SessionWriter:
    """Turns a session's upserts and deletions over `base` into the files of a new version folder."""

    def __init__(self, base: Base | None, tokenizer: Tokenizer, compaction: Compaction):
        self.base, self.tokenizer, self.compaction = base, tokenizer, compaction
        self.vocab = Vocabulary(base.words if base is not None else ())

    def write(self, folder: Path, manifest: Manifest, upserts: dict[str, StoredChunk],
              deleted: dict[str, set[str]]) -> str:
        """Writes the version into `folder` (manifest last); returns how: 'edit', 'merge' or 'compaction'."""
        base = self.base
        dead = np.zeros(0 if base is None else base.size, dtype=bool)
        if base is not None:
            dead[base.deleted] = True
            upserts = self._changed(base, dead, upserts)
            dead |= self._replaced(base, upserts, deleted)
        new = sorted(upserts.values(), key=lambda r: (r.chunk.source, r.chunk.start))
        terms = self._terms(new)
        how = self._how(base, dead, len(new), manifest)
        if how == "compaction":
            self._write_compacted(folder, base, dead, new, terms, manifest)
        elif how == "merge":
            self._write_merged(folder, base, dead, new, terms)
        else:
            names = [p.name for p in base.parts]
            for name in names:
                link_segment(base.folder / name, folder / name)
            if new:
                name = f"seg-{time.time_ns()}"
                write_segment(folder / name, [r.chunk for r in new], [r.text_hash for r in new],
                              np.stack([r.vector for r in new]), terms, self.vocab.added, "flat")
                names.append(name)
            write_layout(folder, names, np.flatnonzero(dead))
        write_manifest(folder, manifest)
        return how

    @staticmethod
    def _changed(base: Base, dead: np.ndarray, upserts: dict[str, StoredChunk]) -> dict[str, StoredChunk]:
        """The upserts that differ from the live row they replace: an edited file is upserted
        whole, but only its changed chunks need a new row (the rest stay where they are)."""
        if not upserts:
            return upserts
        records = {cid: record_hash(record_line(r.chunk, r.text_hash)) for cid, r in upserts.items()}
        stored = base.column("records")
        same = set(np.char.decode(stored[np.isin(stored, encode(sorted(records.values()))) & ~dead], "utf-8"))
        return {cid: r for cid, r in upserts.items() if records[cid] not in same}

    def _replaced(self, base: Base, upserts: dict[str, StoredChunk], deleted: dict[str, set[str]]) -> np.ndarray:
        """Rows the session replaces (same chunk id) or removes (a deleted file's, not kept)."""
        ids = base.column("ids")
        gone = np.isin(ids, encode(sorted(upserts))) if upserts else np.zeros(len(ids), dtype=bool)
        if deleted:
            sources = base.column("sources")
            for at in np.flatnonzero(np.isin(sources, encode(sorted(deleted)))):
                if ids[at].decode("utf-8") not in deleted[sources[at].decode("utf-8")]:
                    gone[at] = True
        return gone

    def _terms(self, rows: list[StoredChunk]) -> TermRows:
        """Term counts of the new rows: copied by text hash when indexed before, else tokenised."""
        known = self.base.locate([r.text_hash for r in rows]) if self.base is not None and rows else {}
        loaded: dict[int, TermRows | None] = {}
        pairs = []
        for row in rows:
            at = known.get(row.text_hash)
            if at is not None and at[0] not in loaded:
                loaded[at[0]] = self.base.terms(at[0])
            if at is not None and loaded[at[0]] is not None:
                pairs.append(loaded[at[0]].row(at[1]))
            else:
                pairs.append(np.unique(self.vocab.ids(self.tokenizer(row.text)), return_counts=True))
        return TermRows.from_pairs(pairs)

    def _how(self, base: Base | None, dead: np.ndarray, added: int, manifest: Manifest) -> str:
        """'edit' (one segment added), 'merge' (the edit segments added into the first one's
        files and graph) or 'compaction' (everything rewritten, tombstones gone)."""
        if base is None or base.legacy or not base.parts or base.manifest.index_type != manifest.index_type:
            return "compaction"
        c = self.compaction
        if dead.sum() > c.max_dead_share * (base.size + added):
            return "compaction"
        live = int((~dead).sum()) + added
        delta = int(base.size - base.offsets[1]) + added
        if len(base.parts) + (1 if added else 0) > c.max_segments or delta > max(c.min_delta_rows, c.max_delta_share * live):
            return "merge"
        return "edit"

    def _write_merged(self, folder: Path, base: Base, dead: np.ndarray, new: list[StoredChunk],
                      new_terms: TermRows) -> None:
        """One segment: the first one's rows (its tombstones stay tombstones), then the live rows of
        the others and the new rows, added to its dense index rather than rebuilding it."""
        chunks: list[Chunk] = []
        hashes: list[str] = []
        vectors: list[np.ndarray] = []
        terms: list[TermRows] = []
        for i, part in enumerate(base.parts[1:], start=1):
            keep = np.flatnonzero(~dead[base.offsets[i]:base.offsets[i + 1]])
            c, h = read_chunks(part.folder)
            chunks += [c[j] for j in keep]
            hashes += [h[j] for j in keep]
            vectors.append(np.asarray(read_vectors(part.folder)[keep]))
            terms.append(base.terms(i).take(keep))
        chunks += [r.chunk for r in new]
        hashes += [r.text_hash for r in new]
        vectors += [np.stack([r.vector for r in new])] if new else []
        terms.append(new_terms)
        name = f"seg-{time.time_ns()}"
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, base.manifest.dim), np.float32)
        append_segment(base.parts[0].folder, folder / name, chunks, hashes, stacked, TermRows.concat(terms),
                       list(self.vocab.words))
        write_layout(folder, [name], np.flatnonzero(dead[: base.offsets[1]]))

    def _write_compacted(self, folder: Path, base: Base | None, dead: np.ndarray, new: list[StoredChunk],
                         new_terms: TermRows, manifest: Manifest) -> None:
        chunks: list[Chunk] = []
        hashes: list[str] = []
        vectors: list[np.ndarray] = []
        terms: list[TermRows] = []
        for i, part in enumerate(base.parts if base is not None else ()):
            keep = np.flatnonzero(~dead[base.offsets[i]:base.offsets[i + 1]])
            c, h = read_chunks(part.folder)
            chunks += [c[j] for j in keep]
            hashes += [h[j] for j in keep]
            vectors.append(np.asarray(read_vectors(part.folder)[keep]))
            if part.legacy:  # tokenised once, now, and kept from here on
                log.warning("index folder from before segments: tokenising its %d chunks once", len(keep))
                config = ChunkingConfig(embed_title=base.manifest.chunking.get("embed_title", True))
                terms.append(TermRows.from_token_ids(
                    [self.vocab.ids(self.tokenizer(indexed_text(c[j], config))) for j in keep]))
            else:
                terms.append(base.terms(i).take(keep))
        chunks += [r.chunk for r in new]
        hashes += [r.text_hash for r in new]
        vectors += [np.stack([r.vector for r in new])] if new else []
        terms.append(new_terms)
        order = sorted(range(len(chunks)), key=lambda j: (chunks[j].source, chunks[j].start))
        rows = TermRows.concat(terms).take(np.array(order, dtype=np.int64))
        used = np.unique(np.asarray(rows.terms))  # a fresh vocabulary: words no chunk holds go
        mapping = np.zeros(max(len(self.vocab), 1), dtype=np.int64)
        mapping[used] = np.arange(len(used))
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, manifest.dim), np.float32)
        name = f"seg-{time.time_ns()}"
        write_segment(folder / name, [chunks[j] for j in order], [hashes[j] for j in order],
                      stacked[order] if len(order) else stacked, rows.remap(mapping),
                      [self.vocab.words[i] for i in used], manifest.index_type)
        write_layout(folder, [name], np.zeros(0, np.int64))
