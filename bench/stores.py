"""The embedded store against Milvus Lite, side by side in one run: demo-corpus build time,
hybrid search latency over synthetic corpora, and retrieval quality (hit@5, MRR@10) on the
sample and dev test sets.

Embedding is the same work for both stores, so builds reuse the demo index's vectors (a cached
embedder; the model embeds only texts it never saw) and the embedding time is measured once on a
sample and added to both. Synthetic chunks are jieba dictionary words drawn by frequency (as
bench/retrieval_scale.py makes them) with random unit vectors; queries are words of a chunk.

Usage: `python -m bench.stores [--quick]` (10k chunks; the full run adds 100k when it fits).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import (
    DEMO_CORPUS, DEV_SET, REPO, demo_index, machine, parse_args, percentile, quiet_logs,
    save, settings_for, table,
)

SAMPLE_SET = REPO / "eval" / "testsets" / "sample.jsonl"
QUERIES = 60
BATCH = 1000
SEED = 11
EDIT_EMBEDDED_UP_TO = 10_000  # edits at scale on both stores: bench/edit_scale.py


class CachedEmbedder:
    """The real embedder, but texts already in the demo index come from its vectors."""

    def __init__(self, embedder, texts: list[str], vectors: np.ndarray):
        self.embedder, self.model_name, self.dim = embedder, embedder.model_name, embedder.dim
        self.cache = dict(zip(texts, vectors))

    def embed_passages(self, texts, progress=False):
        missing = [t for t in texts if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.embedder.embed_passages(missing)))
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text):
        return self.embedder.embed_query(text)


def stores(folder: Path):
    from index.embedded_store import EmbeddedStore
    from index.milvus_store import MilvusStore

    return {"embedded": EmbeddedStore(folder / "index"), "milvus": MilvusStore(str(folder / "milvus.db"))}


def demo_builds(work: Path, settings, embedder) -> dict:
    """Build the demo corpus from scratch into each store; embedding measured once on a sample."""
    from index.builder import IndexBuilder
    from index.embedded_store import EmbeddedStore
    from rag.components import chunking_config

    demo_index(work / "seed")
    rows = list(EmbeddedStore(work / "seed").iter_chunks())  # each indexed text with its own vector
    texts = [r.text for r in rows]
    cached = CachedEmbedder(embedder, texts, np.stack([r.vector for r in rows]))
    sample = texts[:64]
    started = time.perf_counter()
    embedder.embed_passages(sample)
    embed_s = (time.perf_counter() - started) * len(texts) / len(sample)
    out = {"chunks": len(texts), "embedding_s_estimated": round(embed_s, 1)}
    for name, store in stores(work / "demo").items():
        started = time.perf_counter()
        report = IndexBuilder(work / "demo" / "index", cached, chunking_config(settings), store=store).build(DEMO_CORPUS)
        out[name] = {"write_s": round(time.perf_counter() - started, 2), "chunks": report.chunks}
        if name == "milvus":
            store.close()
    return out


def synthetic_rows(n: int, rng: np.random.Generator):
    from bench.retrieval_scale import DIM, TokenCorpus, jieba_vocabulary, queries_from, unit_vectors
    from index.records import Chunk
    from index.store import StoredChunk

    words, probs = jieba_vocabulary()
    corpus = TokenCorpus(rng, n, np.cumsum(probs))
    vectors = unit_vectors(rng, n)
    rows = []
    for i in range(n):
        text = "".join(words[t] for t in corpus.doc(i))
        chunk = Chunk(id=f"s{i:08d}", source=f"synthetic/{i // 100:06d}.txt", title="", text=text, start=0, end=len(text))
        rows.append(StoredChunk(chunk, text, f"h{i}", vectors[i]))
    queries = [q.replace(" ", "") for q in queries_from(corpus, rng, words, QUERIES)]
    qvecs = unit_vectors(rng, QUERIES)
    return rows, queries, qvecs, DIM


def search_latency(work: Path, n: int) -> dict:
    """Write n synthetic chunks into each store, then time hybrid searches (k=5)."""
    from index.snapshot import Manifest

    rng = np.random.default_rng(SEED + n)
    rows, queries, qvecs, dim = synthetic_rows(n, rng)
    out = {}
    for name, store in stores(work / f"syn{n}").items():
        started = time.perf_counter()
        with store.writing():
            for i in range(0, n, BATCH):
                store.upsert(rows[i : i + BATCH])
            store.commit(Manifest("synthetic", dim, {}, "flat", files={f"synthetic/{i:06d}.txt": {"chunks": 100} for i in range(n // 100)}))
        write_s = time.perf_counter() - started
        store.search(queries[0], qvecs[0], k=5)  # warm: Lite loads segments, FAISS pages in
        seconds = []
        for q, v in zip(queries, qvecs):
            began = time.perf_counter()
            store.search(q, v, k=5)
            seconds.append(time.perf_counter() - began)
        out[name] = {"write_s": round(write_s, 1), "p50_ms": round(percentile(seconds, 50) * 1000, 2),
                     "p95_ms": round(percentile(seconds, 95) * 1000, 2)}
        if name == "milvus" or n <= EDIT_EMBEDDED_UP_TO:
            out[name]["edit_s"] = round(one_file_edit(store, rows, dim, n), 2)
        if name == "milvus":
            store.close()
    return out


def one_file_edit(store, rows, dim: int, n: int) -> float:
    """Seconds to replace one file's 100 chunks with edited ones (new ids, as an edit gives)."""
    from dataclasses import replace

    from index.snapshot import Manifest

    edited = [replace(r, chunk=replace(r.chunk, id=f"e{r.chunk.id}", text=r.chunk.text + "（修订）")) for r in rows[:100]]
    started = time.perf_counter()
    with store.writing():
        store.upsert(edited)
        store.delete_sources([rows[0].chunk.source], keep={r.chunk.id for r in edited})
        store.commit(Manifest("synthetic", dim, {}, "flat", files={f"synthetic/{i:06d}.txt": {"chunks": 100, "v": 2 if i == 0 else 1} for i in range(n // 100)}))
    return time.perf_counter() - started


def quality(work: Path, settings, embedder) -> dict:
    """hit@5 and MRR@10 of retrieval alone on each test set, with each store (demo corpus)."""
    from eval.runner import run_eval
    from rag.retrieval import Retriever

    out = {}
    for name, store in stores(work / "demo").items():
        retriever = Retriever(store, embedder, top_k=settings.top_k, candidates=settings.candidates, rrf_k=settings.rrf_k)
        for dataset in (SAMPLE_SET, DEV_SET):
            if not dataset.exists():
                continue
            m = run_eval(dataset, None, retriever, work / "eval" / f"{name}-{dataset.stem}", k=10,
                         retrieval_only=True, progress=False, settings=settings)
            out.setdefault(dataset.stem, {})[name] = {
                "hit@5": m["retrieval.hit@5"], "mrr@10": round(m["retrieval.mrr@10"], 4), "n": m["n"]}
        if name == "milvus":
            store.close()
    return out


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    quiet_logs()
    from rag.components import make_embedder

    info = machine()
    work = Path(tempfile.mkdtemp(prefix="zhiku-stores-"))
    try:
        settings = settings_for(work / "seed")
        embedder = make_embedder(settings)
        build = demo_builds(work, settings, embedder)
        sizes = [10_000] if args.quick else [10_000, 100_000]
        latency = {n: search_latency(work, n) for n in sizes}
        scores = quality(work, settings, embedder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    e, m, emb = build["embedded"]["write_s"], build["milvus"]["write_s"], build["embedding_s_estimated"]
    tables = {
        "demo corpus build (s)": table(
            ["chunks", "embedding (est., both)", "embedded store", "Milvus Lite", "ratio (writes)", "ratio (with embedding)"],
            [[build["chunks"], emb, e, m, round(m / e, 2), round((emb + m) / (emb + e), 2)]]),
        "hybrid search, k=5 (ms)": table(
            ["chunks", "embedded p50", "embedded p95", "Milvus Lite p50", "Milvus Lite p95", "p95 ratio",
             "write s (emb / Milvus)", "one-file edit s (emb / Milvus)"],
            [[f"{n:,}", r["embedded"]["p50_ms"], r["embedded"]["p95_ms"], r["milvus"]["p50_ms"], r["milvus"]["p95_ms"],
              round(r["milvus"]["p95_ms"] / r["embedded"]["p95_ms"], 1), f"{r['embedded']['write_s']} / {r['milvus']['write_s']}",
              f"{r['embedded'].get('edit_s', '≈ write')} / {r['milvus']['edit_s']}"]
             for n, r in latency.items()]),
        "retrieval quality (hybrid, demo corpus)": table(
            ["test set", "n", "embedded hit@5", "Milvus hit@5", "embedded MRR@10", "Milvus MRR@10"],
            [[s, r["embedded"]["n"], r["embedded"]["hit@5"], r["milvus"]["hit@5"], r["embedded"]["mrr@10"], r["milvus"]["mrr@10"]]
             for s, r in scores.items()]),
    }
    save("stores", args.quick, info, {"build": build, "latency": latency, "quality": scores}, tables, [
        "Milvus Lite 3.x is pure Python (gRPC in this process, Parquet segments, FAISS per segment): a server or cluster "
        "performs differently; this compares what runs on one machine with no service.",
        "Milvus BM25 statistics are per segment in Lite (real Milvus: per collection), and its jieba analyzer differs "
        "from zhiku's tokenizer in Latin words and numbers: BM25 scores differ, though on the demo corpus the rankings "
        "(dense, BM25, hybrid) agreed question for question.",
    ])


if __name__ == "__main__":
    main()
