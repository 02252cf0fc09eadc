"""Retrieval latency when a question may search only some knowledge bases: 2 of 10 collections
against no filter, on the embedded store, side by side in one run (ratios, not absolute figures,
are what carries over to another machine).

The corpus: the demo corpus's chunk texts repeated to N chunks (real Chinese token statistics for
BM25), split into 10 collections of equal size in contiguous blocks (as separate folders are),
with seeded random unit vectors for the dense side (flat search costs the same whatever the
values). Queries: the dev set's questions (BM25) and random unit vectors (dense), one at a time,
hybrid, 30 candidates per list, top 5 — as the server asks.

Three ways of filtering are timed against no filter:
- `pre-filter` (what zhiku does, index/embedded_store.py): FAISS searches only the allowed rows
  (an IDSelectorBatch) and BM25 ranks only them;
- `rank all, then drop`: both lists ranked over every row, the other collections dropped, then
  cut (exact too; what the store did before knowledge bases);
- `per-collection indexes`: one flat FAISS index and one BM25 index per collection, the two
  searched and their lists merged by score (BM25's idf then differs per collection: not the same
  ranking, timed for comparison only).

Usage: python -m bench.collection_filter [--quick]
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from bench.common import (DEMO_CORPUS, DEV_SET, demo_chunk_texts, loadavg, machine, parse_args, quiet_logs,
                          read_jsonl, save, settings_for, summary_ms, table)

COLLECTIONS = 10
ALLOWED = ("c3", "c7")
POOL, K, RRF_K = 30, 5, 60
DIM = 384
SEED = 11


def corpus(n: int):
    from dataclasses import replace

    chunks, texts = demo_chunk_texts(DEMO_CORPUS, settings_for(Path("/tmp/zhiku-bench-unused")))
    per = n // COLLECTIONS
    rows, row_texts = [], []
    for i in range(n):
        base = chunks[i % len(chunks)]
        rows.append(replace(base, id=f"{base.id}-{i}", source=f"c{i // per}/{base.source}",
                            collection=f"c{min(i // per, COLLECTIONS - 1)}"))
        row_texts.append(texts[i % len(texts)])
    return rows, row_texts


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def build_store(rows, texts, vectors):
    from index.bm25_store import BM25Store
    from index.dense_store import DenseStore
    from index.embedded_store import EmbeddedStore
    from index.snapshot import IndexSnapshot, Manifest
    from index.tokenizer import Tokenizer

    tokenizer = Tokenizer()
    snap = IndexSnapshot(Path("/nonexistent/versions/v"), Manifest("bench", DIM, {}, "flat"), rows,
                         [""] * len(rows), vectors, DenseStore.build(vectors, "flat"), BM25Store.build(texts, tokenizer))
    return EmbeddedStore.of(snap, tokenizer), tokenizer


def rank_all_then_drop(store, query: str, vector: np.ndarray, allowed: set[int]):
    from index.fusion import fuse_rrf

    snap = store.snapshot
    n = len(snap.chunks)
    lists = {"dense": [(r, s) for r, s in snap.dense.search(vector, n) if r in allowed][:POOL],
             "bm25": [(r, s) for r, s in snap.bm25.search(query, n) if r in allowed][:POOL]}
    return fuse_rrf(lists, RRF_K)[:K]


def per_collection(parts, query: str, vector: np.ndarray):
    from index.fusion import fuse_rrf

    dense, sparse = [], []
    for offset, dense_store, bm25_store in parts:
        dense += [(r + offset, s) for r, s in dense_store.search(vector, POOL)]
        sparse += [(r + offset, s) for r, s in bm25_store.search(query, POOL)]
    lists = {"dense": sorted(dense, key=lambda x: -x[1])[:POOL], "bm25": sorted(sparse, key=lambda x: -x[1])[:POOL]}
    return fuse_rrf(lists, RRF_K)[:K]


def same_as_exact(questions: list[str], vectors: np.ndarray) -> tuple[int, int]:
    """On the demo corpus's chunks once each (the repeated texts above tie everywhere, and which of
    two equal rows a list keeps differs between the ways): on how many queries the pre-filter
    returns exactly the chunks that ranking everything and dropping the rest does."""
    from index.store import Where

    rows, texts = corpus(len(demo_chunk_texts(DEMO_CORPUS, settings_for(Path("/tmp/zhiku-bench-unused")))[0]))
    store, _ = build_store(rows, texts, unit(np.random.default_rng(SEED + 1), len(rows)))
    allowed = {i for i, c in enumerate(rows) if c.collection in ALLOWED}
    pairs = list(zip(questions, vectors))
    same = sum(
        [h.chunk.id for h in store.search(q, v, K, "hybrid", Where(collections=ALLOWED), POOL, RRF_K)]
        == [rows[r].id for r, _s, _p in rank_all_then_drop(store, q, v, allowed)]
        for q, v in pairs)
    return same, len(pairs)


def main(argv=None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from index.bm25_store import BM25Store
    from index.dense_store import DenseStore
    from index.store import Where

    n = 5_000 if args.quick else 50_000
    rounds = 60 if args.quick else 300
    info = machine()
    rng = np.random.default_rng(SEED)
    rows, texts = corpus(n)
    vectors = unit(rng, n)
    started = time.perf_counter()
    store, tokenizer = build_store(rows, texts, vectors)
    build_s = time.perf_counter() - started
    questions = [q["question"] for q in read_jsonl(DEV_SET)] if DEV_SET.exists() else [t[:20] for t in texts[:50]]
    query_vectors = unit(rng, rounds)
    where = Where(collections=ALLOWED)
    allowed = {i for i, c in enumerate(rows) if c.collection in ALLOWED}
    parts = []
    for name in ALLOWED:
        ids = sorted(i for i, c in enumerate(rows) if c.collection == name)
        parts.append((ids[0], DenseStore.build(vectors[ids], "flat"), BM25Store.build([texts[i] for i in ids], tokenizer)))
    ways = {
        "no filter": lambda q, v: store.search(q, v, K, "hybrid", None, POOL, RRF_K),
        "pre-filter (zhiku)": lambda q, v: store.search(q, v, K, "hybrid", where, POOL, RRF_K),
        "rank all, then drop": lambda q, v: rank_all_then_drop(store, q, v, allowed),
        "per-collection indexes": lambda q, v: per_collection(parts, q, v),
    }
    for way in ways.values():  # warm: the per-collection row lists, FAISS's and numpy's first calls
        way(questions[0], query_vectors[0])
    timings: dict[str, list[float]] = {name: [] for name in ways}
    load_start = loadavg()
    for i in range(rounds):  # interleaved, so a load spike hits every way alike
        q, v = questions[i % len(questions)], query_vectors[i]
        for name, way in ways.items():
            t0 = time.perf_counter()
            way(q, v)
            timings[name].append(time.perf_counter() - t0)
    exact = same_as_exact(questions[:50], query_vectors[:50])
    results = {name: summary_ms(ts) for name, ts in timings.items()}
    base = results["no filter"]["p95"]
    rows_out = [[name, r["p50"], r["p95"], round(r["p95"] / base, 2)] for name, r in results.items()]
    info.update(chunks=n, collections=COLLECTIONS, allowed=list(ALLOWED), rounds=rounds, loadavg_start=load_start,
                build_s=round(build_s, 1))
    notes = [f"{n:,} chunks in {COLLECTIONS} collections; a question may read {len(ALLOWED)} of them; hybrid, "
             f"{POOL} candidates, top {K}; {rounds} queries each, interleaved",
             "on the demo corpus (each chunk once), "
             f"pre-filter returns the same top {K} as ranking everything then dropping on {exact[0]}/{exact[1]} queries",
             "per-collection indexes merge BM25 scores from different idf tables: timed only, not the same ranking"]
    save("collection_filter", args.quick, info, {"latency_ms": results, "same_as_exact": list(exact)},
         {"retrieval latency, 2 of 10 collections vs no filter (ms)":
          table(["search", "p50", "p95", "p95 / no filter"], rows_out)}, notes)


if __name__ == "__main__":
    main()
