"""Chunks in Milvus (pymilvus): a local `.db` path runs embedded Milvus Lite in this process, an
`http://host:19530` address a Milvus server or cluster. Kept to the ChunkStore contract.

BM25 runs inside Milvus: the indexed text goes through Milvus's jieba analyzer (zhiku's stop words
and punctuation filtered) into a sparse field by Milvus's own BM25 function, and hybrid search
fuses the dense and BM25 routes with Milvus's RRF ranker. Nothing is tokenised in Python.

Writes land at once, chunk by chunk id, new chunks before old ones are deleted; what a build has
finished is recorded per file in a small `<collection>_meta` collection at commit. A build killed
in between leaves old and new chunks searchable, and the files it touched marked pending, so the
next build redoes exactly them (their vectors found again by text hash).

A full rebuild (`clear()`: another model or other chunk settings, or a migration) writes into a
new pair of collections named by build id (`<collection>__build_<id>`), and only at commit moves
the one-row pointer `<collection>_current` to them and drops the old pair. A rebuild killed
before that leaves the old collections searchable; the next build drops what a killed one left.

Usage: `MilvusStore("data/milvus.db").search("问题", vector, k=5)`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict

import numpy as np

from index.errors import ZhikuError
from index.milvus_lite import BUSY_HINT, drop_index_files, is_lite, lite_options, release
from index.milvus_schema import (
    CHUNK_FIELDS, META_KEY, chunk_schema, file_key, filter_expr, fit, floats, index_params, meta_index_params,
    meta_schema, pending_key, quote, quoted_list, to_chunk, to_entity,
)
from index.records import Chunk, Hit
from index.snapshot import Manifest
from index.store import StoredChunk, StoreStats, Where, check_mode

BATCH = 500  # rows per insert or query: well under Milvus's message size limit
WINDOW = 16384  # the most rows one Milvus query returns
DUMMY = [0.0, 0.0]  # the meta collection's vector: Milvus wants one in every collection


class MilvusStore:
    name = "milvus"

    def __init__(
        self, uri: str, collection: str = "zhiku_chunks", token: str = "", user: str = "",
        password: str = "", db_name: str = "",
    ):
        self.uri = str(uri)
        self.base = collection
        self.pointer = f"{collection}_current"  # names the pair readers search (absent: `collection`)
        self._active: str | None = None  # the chunks collection in use (its meta: + "_meta")
        self._replacing: str | None = None  # during a full rebuild: the pair it replaces at commit
        self._auth = {"token": token, "user": user, "password": password, "db_name": db_name}
        self._client = None
        self._loaded: set[str] = set()
        self._marked: set[str] = set()  # files marked pending in this write session

    @property
    def collection(self) -> str:
        if self._active is None:
            self._active = self._pointed()
        return self._active

    @property
    def meta(self) -> str:
        return f"{self.collection}_meta"

    def _pointed(self) -> str:
        if not self.client.has_collection(self.pointer):
            return self.base
        self._has(self.pointer)
        rows = self.client.get(self.pointer, ids=[META_KEY], output_fields=["value"])
        return rows[0]["value"] if rows and rows[0]["value"] else self.base

    @property
    def client(self):
        """Connected on first use; a local path starts Milvus Lite inside this process."""
        if self._client is None:
            from pymilvus import MilvusClient
            from pymilvus.exceptions import MilvusException

            lite = is_lite(self.uri)
            options = {k: v for k, v in self._auth.items() if v} | (lite_options(self.uri) if lite else {})
            try:
                self._client = MilvusClient(uri=self.uri, **options)
            except MilvusException as exc:
                raise ZhikuError(f"cannot open Milvus at {self.uri}: {exc.message}{BUSY_HINT if lite else ''}") from exc
        return self._client

    def close(self) -> None:
        """Disconnect; a Milvus Lite file is let go too, so another process may open it."""
        if self._client is not None:
            self._client.close()
            self._client = None
            self._loaded, self._active = set(), None
            if is_lite(self.uri):
                release(self.uri)

    # --- writing -------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        # Milvus Lite refuses a second process on its file; a server takes writers one at a time
        # by convention (one `zhiku index build` per collection), as documented in the README
        self._marked, self._replacing, self._active = set(), None, None
        self._drop_leftovers()
        try:
            yield
        finally:
            if self._replacing is not None:  # cleared, never committed: back to what readers see
                self._active, self._replacing = None, None

    def _drop_leftovers(self) -> None:
        """Collections of rebuilds killed before their commit, or replaced by one killed before it
        dropped them: neither is what the pointer names."""
        keep = {self.collection, self.meta, self.pointer}
        ours = {self.base, f"{self.base}_meta"}
        for name in self.client.list_collections():
            if name not in keep and (name in ours or name.startswith(f"{self.base}__build_")):
                self.client.drop_collection(name)
                self._loaded.discard(name)

    def manifest(self) -> Manifest | None:
        if not self._has(self.meta):
            return None
        rows = self._query(self.meta, 'key != ""', ["key", "value"])
        head = next((json.loads(r["value"]) for r in rows if r["key"] == META_KEY), None)
        if head is None:
            return None
        head.pop("build", None)
        manifest = Manifest(**head)
        prefix, dirty = file_key(""), {r["key"][len(pending_key("")) :] for r in rows if r["key"].startswith(pending_key(""))}
        for row in rows:
            if row["key"].startswith(prefix):
                source, info = row["key"][len(prefix) :], json.loads(row["value"])
                # a file a killed build had started on matches no content: the next build redoes it
                manifest.files[source] = {**info, "sha256": ""} if source in dirty else info
        manifest.files = dict(sorted(manifest.files.items()))
        return manifest

    def vectors(self, text_hashes: Collection[str]) -> dict[str, np.ndarray]:
        if not text_hashes or not self._has(self.collection):
            return {}
        found: dict[str, np.ndarray] = {}
        hashes = sorted(text_hashes)
        for i in range(0, len(hashes), BATCH):
            expr = f"content_hash in {quoted_list(hashes[i : i + BATCH])}"
            for row in self._query(self.collection, expr, ["content_hash", "vector"]):
                found[row["content_hash"]] = np.asarray(row["vector"], dtype=np.float32)
        return found

    def upsert(self, rows: Sequence[StoredChunk]) -> None:
        if not rows:
            return
        self._ensure(len(rows[0].vector))
        self._mark({r.chunk.source for r in rows})
        for i in range(0, len(rows), BATCH):
            self.client.upsert(self.collection, [to_entity(r) for r in rows[i : i + BATCH]])

    def delete_sources(self, sources: Collection[str], keep: Collection[str] = ()) -> None:
        if not self._has(self.collection):
            return
        self._mark(set(sources))
        for source in sources:
            ids = [r["id"] for r in self._query(self.collection, f"source == {quote(source)}", ["id"])]
            stale = sorted(set(ids) - set(keep))
            for i in range(0, len(stale), BATCH):
                self.client.delete(self.collection, ids=stale[i : i + BATCH])

    def _mark(self, sources: set[str]) -> None:
        """Mark files as being written before their chunks change. Until a commit clears the mark,
        manifest() gives them no content hash, so a build killed in between redoes them, even when
        the file is back to the content its old record names."""
        new = sorted(sources - self._marked)
        if new:
            self.client.upsert(self.meta, [{"key": pending_key(s), "value": "", "dummy": DUMMY} for s in new])
            self._marked.update(new)

    def commit(self, manifest: Manifest) -> None:
        self._ensure(manifest.dim)
        recorded = {r["key"]: r["value"] for r in self._query(self.meta, 'key != ""', ["key", "value"])}
        pending = {k for k in recorded if k.startswith(pending_key(""))}
        # chunks of a file no build finished recording (added, killed, then the file went away)
        self.delete_sources(sorted({k[len(pending_key("")) :] for k in pending} - manifest.files.keys()))
        files = [{"key": file_key(s), "value": json.dumps(info, ensure_ascii=False), "dummy": DUMMY} for s, info in manifest.files.items()]
        files = [f for f in files if recorded.get(f["key"]) != f["value"]]  # only what this build changed
        for i in range(0, len(files), BATCH):
            self.client.upsert(self.meta, files[i : i + BATCH])
        # then the pending marks and the records of files gone: killed before this, the marked
        # files are redone by the next build
        gone = sorted(recorded.keys() - {file_key(s) for s in manifest.files} - {META_KEY})
        if gone:  # by expression: pymilvus does not escape a backslash in ids it quotes itself
            self.client.delete(self.meta, filter=f"key in {quoted_list(gone)}")
        head = {**asdict(manifest), "files": {}, "skipped": manifest.skipped[:200], "build": uuid.uuid4().hex}
        self.client.upsert(self.meta, [{"key": META_KEY, "value": fit(json.dumps(head, ensure_ascii=False), 65535), "dummy": DUMMY}])
        if is_lite(self.uri):  # a segment on disk makes reopening quick; a server flushes by itself (and rate-limits asking)
            self.client.flush(self.collection)
            self.client.flush(self.meta)
        if self._replacing is not None:
            self._switch()

    def _switch(self) -> None:
        """The rebuilt pair becomes what readers search (one row upserted), then the old goes."""
        old, self._replacing = self._replacing, None
        if not self._has(self.pointer):
            self.client.create_collection(self.pointer, schema=meta_schema())
            self.client.create_index(self.pointer, meta_index_params(self.client), sync=False)
            self.client.load_collection(self.pointer)
            self._loaded.add(self.pointer)
        self.client.upsert(self.pointer, [{"key": META_KEY, "value": self.collection, "dummy": DUMMY}])
        if is_lite(self.uri):
            self.client.flush(self.pointer)
        for name in (old, f"{old}_meta"):
            if self.client.has_collection(name):
                self.client.drop_collection(name)
            self._loaded.discard(name)

    def clear(self) -> None:
        """Start over in a new pair of collections; the old pair stays searchable until commit."""
        if self._replacing is None:
            self._replacing = self.collection
        elif self.client.has_collection(self.collection):  # cleared twice in one session
            for name in (self.collection, self.meta):
                self.client.drop_collection(name)
                self._loaded.discard(name)
        self._active = f"{self.base}__build_{uuid.uuid4().hex[:12]}"

    def _has(self, name: str) -> bool:
        """Whether the collection exists; loaded into memory on first sight (a reopened Milvus,
        Lite or server, keeps collections released until asked)."""
        if name in self._loaded:
            return True
        if not self.client.has_collection(name):
            return False
        from pymilvus.exceptions import MilvusException

        try:
            self.client.load_collection(name)
        except MilvusException:
            if not (is_lite(self.uri) and drop_index_files(self.uri, name)):
                raise
            self.client.load_collection(name)
        self._loaded.add(name)
        return True

    def _ensure(self, dim: int) -> None:
        for name, schema, params in ((self.collection, chunk_schema(dim), index_params(self.client)),
                                     (self.meta, meta_schema(), meta_index_params(self.client))):
            if not self._has(name):
                self.client.create_collection(name, schema=schema)
                # sync=False: an empty collection's indexes are ready at once, and waiting polls
                # half-second sleeps (three seconds a new collection)
                self.client.create_index(name, params, sync=False)
                self.client.load_collection(name)
                self._loaded.add(name)

    # --- reading -------------------------------------------------------------------------------

    def search(
        self, query: str, vector: np.ndarray | None, k: int, mode: str = "hybrid",
        where: Where | None = None, candidates: int = 30, rrf_k: int = 60,
    ) -> list[Hit]:
        from pymilvus import AnnSearchRequest, RRFRanker

        check_mode(mode)
        if not self._has(self.collection):
            return []
        expr = filter_expr(where)
        fields = [*CHUNK_FIELDS, "vector"]
        pool = max(candidates, k)
        if mode == "hybrid":
            routes = [
                AnnSearchRequest([floats(vector)], "vector", {"metric_type": "IP"}, pool, expr=expr),
                AnnSearchRequest([query], "sparse", {"metric_type": "BM25"}, pool, expr=expr),
            ]
            fused = self.client.hybrid_search(self.collection, routes, RRFRanker(rrf_k), limit=2 * pool, output_fields=fields)
            # equal fused scores (rank r in one list only, say) go to the earlier passage in file
            # order, as on the embedded store, whose rows are in that order
            found = sorted(fused[0], key=lambda h: (-h["distance"], h["entity"]["source"], h["entity"]["start"]))[:k]
        else:
            data, field = ([floats(vector)], "vector") if mode == "dense" else ([query], "sparse")
            found = self.client.search(self.collection, data, filter=expr, limit=k, anns_field=field, output_fields=fields)[0]
        hits = []
        for rank, hit in enumerate(found, start=1):
            entity = hit["entity"]
            # Milvus Lite reports BM25 as a negative distance, a server as a positive score
            score = abs(float(hit["distance"])) if mode == "bm25" else float(hit["distance"])
            parts = {mode: score}
            if vector is not None:  # the cosine the refusal gate reads, for every hit (vectors are unit length)
                parts["dense"] = float(np.dot(np.asarray(entity["vector"], dtype=np.float32), floats(vector)))
            hits.append(Hit(chunk=to_chunk(hit["id"], entity), score=score, retriever=mode, rank=rank, scores=parts))
        return hits

    def next_chunk(self, chunk: Chunk, where: Where | None = None) -> Chunk | None:
        if not self._has(self.collection):
            return None
        later = f"source == {quote(chunk.source)} and start > {int(chunk.start)}"
        expr = " and ".join(p for p in (later, filter_expr(where)) if p)
        starts = self._query(self.collection, expr, ["start"])  # ids and offsets only: the texts of one row
        if not starts:
            return None
        first = min(starts, key=lambda row: int(row["start"]))
        row = self.client.get(self.collection, ids=[first["id"]], output_fields=CHUNK_FIELDS)[0]
        return to_chunk(row["id"], row)

    def stats(self) -> StoreStats:
        chunks = 0
        if self._has(self.collection):
            chunks = int(self.client.get_collection_stats(self.collection)["row_count"])
        manifest = self.manifest()
        sources = 0 if manifest is None else len(manifest.files)
        return StoreStats(self.name, f"{self.uri} ({self.base})", chunks, sources)

    def version(self) -> str:
        """Changes with every commit; follows a full rebuild's switch to its new collections."""
        if self._replacing is None:
            self._active = self._pointed()
        if not self._has(self.meta):
            return ""
        rows = self.client.get(self.meta, ids=[META_KEY], output_fields=["value"])
        return json.loads(rows[0]["value"]).get("build", "") if rows else ""

    def iter_chunks(self, batch: int = 1000) -> Iterator[StoredChunk]:
        if not self._has(self.collection):
            return
        fields = [*CHUNK_FIELDS, "indexed_text", "content_hash", "collection", "groups", "vector"]
        iterator = self.client.query_iterator(self.collection, batch_size=batch, filter='id != ""', output_fields=fields)
        while page := iterator.next():
            for row in page:
                yield StoredChunk(
                    to_chunk(row["id"], row), row["indexed_text"], row["content_hash"],
                    np.asarray(row["vector"], dtype=np.float32), row["collection"], tuple(row["groups"] or ()),
                )
        iterator.close()

    def _query(self, name: str, expr: str, fields: list[str]) -> list[dict]:
        """Every row matching `expr`; past Milvus's result window (16384) page with an iterator."""
        rows = self.client.query(name, filter=expr, output_fields=fields, limit=WINDOW)
        if len(rows) < WINDOW:
            return rows
        iterator = self.client.query_iterator(name, batch_size=1000, filter=expr, output_fields=fields)
        rows = []
        while page := iterator.next():
            rows.extend(page)
        iterator.close()
        return rows
