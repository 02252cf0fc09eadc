"""Retrieval latency against corpus size: 1k, 10k, 100k and 1M synthetic chunks.

How the corpora are made (seeded, so every run sees the same data):
- dense: i.i.d. Gaussian 384-d float32 vectors, L2-normalised; queries likewise. Uniform random
  vectors are the worst case for an ANN graph (no cluster structure to exploit), so the HNSW
  recall here is a floor, not what real embeddings get.
- BM25: token streams sampled word by word from jieba's dictionary (349k words, weighted by
  their dictionary frequency, zhiku's stop words dropped), chunk lengths ~ N(136, 26) tokens as
  measured on the demo corpus's chunks; queries are 10 distinct tokens of a random chunk (the
  demo questions give 11.5 tokens). Frequency-weighted query words make long posting lists:
  also a pessimistic case.
Up to 10k chunks BM25 is built by bm25s itself (BM25Store.build); from 100k the same bm25s
matrices are built with numpy (bm25s's Python loops would take many minutes), checked equal to
bm25s's at 10k.

Timed per query, one at a time as the server does: DenseStore.search (flat and HNSW, pool 30
like Retriever), BM25Store.search, and hybrid = both + fuse_rrf. Plus the query-side costs the
synthetic runs leave out: the e5 query embedding and jieba, on the dev set's questions.

Usage: python -m bench.retrieval_scale [--quick]
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc

import numpy as np

from bench.common import (DEMO_CORPUS, DEV_SET, demo_chunk_texts, loadavg, machine, max_rss_mb, parse_args,
                          quiet_logs, read_jsonl, save, settings_for, summary_ms, table)

DIM = 384
POOL = 30  # Retriever's default candidates per retriever before fusion
SIZES = [1_000, 10_000, 100_000, 1_000_000]
QUICK_SIZES = [1_000, 10_000]
EF_SWEEP = [64, 128, 256, 512]
HNSW_BUDGET_S = 150  # from 100k, the HNSW build stops adding after this; recall is then of the part built
DOC_TOKENS_MEAN, DOC_TOKENS_SD = 136, 26
QUERY_TOKENS = 10
SEED = 7


# --- synthetic data -------------------------------------------------------------------------


def unit_vectors(rng: np.random.Generator, n: int, block: int = 100_000) -> np.ndarray:
    out = np.empty((n, DIM), dtype=np.float32)
    for i in range(0, n, block):
        x = rng.standard_normal((min(block, n - i), DIM), dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[i:i + len(x)] = x
    return out


def jieba_vocabulary() -> tuple[list[str], np.ndarray]:
    """jieba's dictionary words that zhiku's tokenizer keeps, and their frequencies."""
    import os

    import jieba

    from index.tokenizer import _KEEP, _STOP_WORDS

    words, freqs = [], []
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2:
                continue
            word = parts[0].lower()
            if _KEEP.search(word) and word not in _STOP_WORDS and len(parts) >= 2:
                words.append(word)
                freqs.append(float(parts[1]))
    p = np.asarray(freqs)
    return words, p / p.sum()


class TokenCorpus:
    """Chunks as flat token ids with offsets; text only when bm25s itself builds the index."""

    def __init__(self, rng: np.random.Generator, n: int, cdf: np.ndarray, block: int = 100_000):
        self.lengths = np.clip(rng.normal(DOC_TOKENS_MEAN, DOC_TOKENS_SD, n), 20, 300).astype(np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)])
        self.tokens = np.empty(int(self.offsets[-1]), dtype=np.int32)
        for i in range(0, len(self.tokens), block * DOC_TOKENS_MEAN):
            part = self.tokens[i:i + block * DOC_TOKENS_MEAN]
            part[:] = np.searchsorted(cdf, rng.random(len(part)), side="right")
        self.tokens = np.minimum(self.tokens, len(cdf) - 1)

    def doc(self, i: int) -> np.ndarray:
        return self.tokens[self.offsets[i]:self.offsets[i + 1]]

    def __len__(self) -> int:
        return len(self.lengths)


def queries_from(corpus: TokenCorpus, rng: np.random.Generator, words: list[str], n: int) -> list[str]:
    out = []
    for i in rng.integers(0, len(corpus), n):
        doc = corpus.doc(int(i))
        picked = dict.fromkeys(words[t] for t in rng.permutation(doc))  # distinct, in random order
        out.append(" ".join(list(picked)[:QUERY_TOKENS]))
    return out


def split_tokens(text: str) -> list[str]:
    return text.split()


def bm25_with_bm25s(corpus: TokenCorpus, words: list[str]):
    from index.bm25_store import BM25Store

    texts = [" ".join(words[t] for t in corpus.doc(i)) for i in range(len(corpus))]
    return BM25Store.build(texts, split_tokens)


def bm25_with_numpy(corpus: TokenCorpus, words: list[str], k1: float = 1.5, b: float = 0.75, block: int = 100_000):
    """bm25s's lucene BM25 matrices (CSC: one column of (chunk, score) per word) built in numpy."""
    import bm25s

    from index.bm25_store import BM25Store

    n, vocab = len(corpus), len(words)
    toks, docs, tfs = [], [], []
    for start in range(0, n, block):
        stop = min(n, start + block)
        t = corpus.tokens[corpus.offsets[start]:corpus.offsets[stop]].astype(np.int64)
        d = np.repeat(np.arange(stop - start, dtype=np.int64), corpus.lengths[start:stop])
        key = np.sort(t * block + d)
        first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        tfs.append(np.diff(np.append(first, len(key))).astype(np.float32))
        key = key[first]
        toks.append((key // block).astype(np.int32))
        docs.append((key % block + start).astype(np.int32))
        del t, d, key, first
    tok, doc, tf = np.concatenate(toks), np.concatenate(docs), np.concatenate(tfs)
    del toks, docs, tfs
    order = np.argsort(tok, kind="stable")  # blocks are in chunk order: stable keeps chunks ascending
    tok, doc, tf = tok[order], doc[order], tf[order]
    del order
    df = np.bincount(tok, minlength=vocab)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    lengths = corpus.lengths.astype(np.float32)
    norm = k1 * ((1 - b) + b * lengths / lengths.mean())
    data = (idf[tok] * tf / (norm[doc] + tf)).astype(np.float32)
    model = bm25s.BM25()
    model.scores = {"data": data, "indices": doc, "indptr": np.concatenate([[0], np.cumsum(df)]).astype(np.int64),
                    "num_docs": n}
    model.vocab_dict = {w: i for i, w in enumerate(words)}
    model.nonoccurrence_array = None  # lucene BM25 has no non-occurrence term (set by index() in bm25s)
    return BM25Store(model, split_tokens)


def bm25_postings_topk(store, query: str, k: int) -> list[tuple[int, float]]:
    """An alternative tried for BM25Store.search at scale, and measured slower: add each posting
    list with plain fancy indexing (a word occurs once per chunk column, so np.add.at's duplicate
    handling is not needed) and rank only the chunks a query word touched. np.unique over the
    postings costs more than the full-length argpartition it saves."""
    model = store._model
    vocab = model.vocab_dict
    ids = [vocab[t] for t in dict.fromkeys(split_tokens(query)) if t in vocab]
    if not ids:
        return []
    data, indices, indptr = model.scores["data"], model.scores["indices"], model.scores["indptr"]
    scores = np.zeros(model.scores["num_docs"], dtype=np.float32)
    touched = []
    for i in ids:
        rows = indices[indptr[i]:indptr[i + 1]]
        scores[rows] += data[indptr[i]:indptr[i + 1]]
        touched.append(rows)
    rows = np.unique(np.concatenate(touched)) if len(touched) > 1 else touched[0]
    k = min(k, len(rows))
    top = rows[np.argpartition(-scores[rows], k - 1)[:k]]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(r), float(scores[r])) for r in top]


def bm25_bytes(store) -> int:
    s = store._model.scores
    vocab = store._model.vocab_dict
    words = sum(sys.getsizeof(w) for w in vocab) + sys.getsizeof(vocab)  # the dict and its keys
    return int(s["data"].nbytes + s["indices"].nbytes + s["indptr"].nbytes + words)


# --- timing -----------------------------------------------------------------------------------


def per_query(fn, queries) -> list[float]:
    fn(queries[0])  # warm-up
    out = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - started)
    return out


def exact_top10(xb: np.ndarray, xq: np.ndarray, block: int = 200_000) -> np.ndarray:
    """Exact inner-product top-10 of each query (blocked: no n x queries matrix at once)."""
    best_s = np.full((len(xq), 10), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(xq), 10), dtype=np.int64)
    for start in range(0, len(xb), block):
        s = xq @ xb[start:start + block].T
        i = np.argpartition(-s, min(9, s.shape[1] - 1), axis=1)[:, :10]
        cand_s = np.concatenate([best_s, np.take_along_axis(s, i, axis=1)], axis=1)
        cand_i = np.concatenate([best_i, i + start], axis=1)
        keep = np.argsort(-cand_s, axis=1)[:, :10]
        best_s, best_i = np.take_along_axis(cand_s, keep, axis=1), np.take_along_axis(cand_i, keep, axis=1)
    return best_i


def recall_at_10(store, xq: np.ndarray, truth: np.ndarray) -> float:
    hits = 0
    for q, t in zip(xq, truth):
        got = {row for row, _ in store.search(q, 10)}
        hits += len(got & set(t.tolist()))
    return hits / truth.size


def build_hnsw(vectors: np.ndarray, budget_s: float):
    """DenseStore's HNSW, added in slices so a too-slow build stops at the budget."""
    import faiss

    from index.dense_store import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M, DenseStore

    index = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    started = time.perf_counter()
    step = 10_000  # small slices: the budget is checked between them
    for i in range(0, len(vectors), step):
        index.add(np.ascontiguousarray(vectors[i:i + step]))
        if time.perf_counter() - started > budget_s and i + step < len(vectors):
            break
    return DenseStore(index, "hnsw"), time.perf_counter() - started


def hnsw_bytes(store) -> int:
    import faiss

    index = faiss.downcast_index(store._index)
    h = index.hnsw
    return int(index.ntotal * DIM * 4 + h.neighbors.size() * 4 + h.levels.size() * 4 + h.offsets.size() * 8)


def set_ef(store, ef: int) -> None:
    import faiss

    faiss.downcast_index(store._index).hnsw.efSearch = ef


# --- one size -----------------------------------------------------------------------------------


def run_size(n: int, n_queries: int, words: list[str], cdf: np.ndarray, quick: bool) -> dict:
    from index.dense_store import DenseStore
    from rag.retrieval import fuse_rrf

    rng = np.random.default_rng(SEED + n)
    out: dict = {"n": n, "load1_start": loadavg()[0]}
    vectors = unit_vectors(rng, n)
    xq = unit_vectors(rng, n_queries)
    started = time.perf_counter()
    flat = DenseStore.build(vectors, "flat")
    out["flat_build_s"] = time.perf_counter() - started
    truth = exact_top10(vectors, xq)

    budget = HNSW_BUDGET_S if n >= 100_000 else float("inf")
    hnsw, out["hnsw_build_s"] = build_hnsw(vectors, budget)
    out["hnsw_n"] = len(hnsw)
    if len(hnsw) < n:  # stopped at the budget: recall against the part that was added
        truth_h = exact_top10(vectors[:len(hnsw)], xq)
    else:
        truth_h = truth
    del vectors
    gc.collect()

    started = time.perf_counter()
    corpus = TokenCorpus(rng, n, cdf)
    texts_q = queries_from(corpus, rng, words, n_queries)
    out["tokens_generated_s"] = time.perf_counter() - started
    started = time.perf_counter()
    bm25 = bm25_with_bm25s(corpus, words) if n <= 10_000 else bm25_with_numpy(corpus, words)
    out["bm25_build_s"] = time.perf_counter() - started
    out["bm25_builder"] = "bm25s" if n <= 10_000 else "numpy (bm25s matrices)"
    if n == 10_000:  # the numpy builder must score exactly as bm25s does
        check = bm25_with_numpy(corpus, words)
        diffs = [np.abs(bm25._model.get_scores(q.split()) - check._model.get_scores(q.split())).max()
                 for q in texts_q[:20]]
        out["numpy_vs_bm25s_max_abs_diff"] = float(max(diffs))
    out["tokens_per_chunk"] = float(corpus.lengths.mean())
    del corpus
    gc.collect()

    # answers must agree before speeds are compared
    out["postings_fix_same_top"] = all(
        [r for r, _ in bm25.search(q, POOL)] == [r for r, _ in bm25_postings_topk(bm25, q, POOL)]
        for q in texts_q[:20])

    lat: dict[str, list[float]] = {}
    lat["dense flat"] = per_query(lambda q: flat.search(q, POOL), xq)
    for ef in EF_SWEEP if not quick or n == QUICK_SIZES[-1] else EF_SWEEP[:1]:
        set_ef(hnsw, ef)
        lat[f"dense HNSW ef{ef}"] = per_query(lambda q: hnsw.search(q, POOL), xq)
        out[f"recall@10 ef{ef}"] = recall_at_10(hnsw, xq, truth_h)
    set_ef(hnsw, 64)
    lat["BM25"] = per_query(lambda q: bm25.search(q, POOL), texts_q)
    lat["BM25 postings-only variant (tried, slower)"] = per_query(lambda q: bm25_postings_topk(bm25, q, POOL), texts_q)
    pairs = list(zip(xq, texts_q))

    def hybrid(dense):
        return lambda p: fuse_rrf({"dense": dense.search(p[0], POOL), "bm25": bm25.search(p[1], POOL)})

    lat["hybrid (flat + BM25)"] = per_query(hybrid(flat), pairs)
    lat["hybrid (HNSW ef64 + BM25)"] = per_query(hybrid(hnsw), pairs)
    out["latency_ms"] = {name: summary_ms(v) for name, v in lat.items()}
    out["bytes"] = {"dense flat": n * DIM * 4, "dense HNSW": hnsw_bytes(hnsw) * n // max(1, len(hnsw)),
                    "BM25": bm25_bytes(bm25)}
    out["load1_end"] = loadavg()[0]
    return out


# --- query-side costs and per-chunk records -----------------------------------------------------


def query_side_costs() -> dict:
    """The e5 query embedding and jieba, on the dev questions: what a real hybrid query adds."""
    from rag.components import make_embedder
    from index.tokenizer import Tokenizer

    questions = [q["question"] for q in read_jsonl(DEV_SET)] if DEV_SET.exists() else ["2023年中国汽车出口多少辆？"] * 20
    settings = settings_for(DEMO_CORPUS.parent / "unused-index")
    embedder, tokenizer = make_embedder(settings), Tokenizer()
    embedder.embed_query("预热")
    tokenizer("预热")
    return {"questions": len(questions),
            "embed_query": summary_ms(per_query(embedder.embed_query, questions)),
            "jieba_tokenize": summary_ms(per_query(tokenizer, questions))}


def chunk_record_bytes() -> float:
    """Bytes per chunk that IndexSnapshot keeps besides the indexes: the Chunk records (with
    their text) and the text hashes, as load_snapshot builds them (measured on the demo chunks)."""
    import json
    from dataclasses import asdict

    from index.pipeline import text_hash
    from index.records import Chunk

    chunks, texts = demo_chunk_texts(DEMO_CORPUS, settings_for(DEMO_CORPUS.parent / "unused-index"))
    lines = [json.dumps(asdict(c), ensure_ascii=False) for c in chunks]
    hashes_in = [text_hash(t) for t in texts]
    gc.collect()
    tracemalloc.start()
    records = [Chunk(**json.loads(line)) for line in lines]
    hashes = [(h + " ")[:-1] for h in hashes_in]  # fresh strings, as json.loads makes
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del records, hashes
    return size / len(chunks)


# --- main ---------------------------------------------------------------------------------------


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    import faiss

    info = machine()
    info["faiss_threads"] = faiss.omp_get_max_threads()
    words, p = jieba_vocabulary()
    cdf = np.cumsum(p)
    sizes = QUICK_SIZES if args.quick else SIZES
    n_queries = 100 if args.quick else 200
    per_size = {}
    for n in sizes:
        started = time.perf_counter()
        per_size[n] = run_size(n, n_queries if n < 1_000_000 else 100, words, cdf, args.quick)
        per_size[n]["seconds"] = time.perf_counter() - started
        print(f"{n:>9,} chunks done in {per_size[n]['seconds']:.0f} s (load {loadavg()[0]:.2f})", flush=True)
        gc.collect()
    peak_mb = max_rss_mb()  # not sampled while timing: a sampler thread would jitter the queries
    query_side = query_side_costs()
    record_bytes = chunk_record_bytes()

    names = list(per_size[sizes[0]]["latency_ms"])
    lat_rows = []
    for name in names:
        row = [name]
        for n in sizes:
            s = per_size[n]["latency_ms"].get(name)
            row.append(f"{s['p50']:.2f} / {s['p95']:.2f}" if s else "")
        lat_rows.append(row)
    size_heads = [f"{n:,}" for n in sizes]
    latency = table(["p50 / p95 ms per query"] + size_heads, lat_rows)
    recall_rows = [[f"recall@10 HNSW ef{ef} (M=32, efC=80)"] +
                   [f"{per_size[n][f'recall@10 ef{ef}']:.3f}" if f"recall@10 ef{ef}" in per_size[n] else ""
                    for n in sizes] for ef in EF_SWEEP]
    build_rows = [["HNSW build s (chunks added)"] +
                  [f"{per_size[n]['hnsw_build_s']:.1f} ({per_size[n]['hnsw_n']:,})" for n in sizes],
                  ["BM25 build s"] + [f"{per_size[n]['bm25_build_s']:.1f} ({per_size[n]['bm25_builder']})" for n in sizes],
                  ["load1 start → end"] + [f"{per_size[n]['load1_start']:.2f} → {per_size[n]['load1_end']:.2f}"
                                           for n in sizes]]
    quality = table(["quantity"] + size_heads, recall_rows + build_rows)
    big = sizes[-1]
    mb = {k: v / big * 1e6 / 2**20 for k, v in per_size[big]["bytes"].items()}
    memory = table(["what (per million chunks)", "MB", "note"], [
        ["dense flat (FAISS)", mb["dense flat"], "384 float32 per chunk"],
        ["dense HNSW (FAISS, M=32)", mb["dense HNSW"], "vectors + graph"],
        ["BM25 (bm25s CSC + vocabulary)", mb["BM25"], f"measured at {big:,} synthetic chunks"],
        ["IndexSnapshot.vectors (vectors.npy in RAM)", mb["dense flat"], "a second copy of the vectors"],
        ["Chunk records + text hashes", record_bytes * 1e6 / 2**20, "demo chunks, ~300 characters each"],
    ])
    q = query_side
    query_tab = table(["query-side step (dev questions)", "p50 ms", "p95 ms"], [
        ["e5 query embedding (Embedder.embed_query)", q["embed_query"]["p50"], q["embed_query"]["p95"]],
        ["jieba tokenisation (Tokenizer)", q["jieba_tokenize"]["p50"], q["jieba_tokenize"]["p95"]],
    ])
    results = {"sizes": per_size, "query_side": query_side, "chunk_record_bytes": record_bytes,
               "memory_mb_per_million": mb, "bench_peak_rss_mb": peak_mb, "n_queries": n_queries}
    notes = []
    for n in sizes:
        lat_n = per_size[n]["latency_ms"]
        notes.append(f"{n:,}: hybrid p95 {lat_n['hybrid (flat + BM25)']['p95']:.1f} ms (flat), "
                     f"{lat_n['hybrid (HNSW ef64 + BM25)']['p95']:.1f} ms (HNSW), HNSW recall@10 "
                     f"{per_size[n]['recall@10 ef64']:.3f}; BM25 p95 {lat_n['BM25']['p95']:.1f} ms vs "
                     f"{lat_n['BM25 postings-only variant (tried, slower)']['p95']:.1f} ms postings-only")
    if 10_000 in per_size and "numpy_vs_bm25s_max_abs_diff" in per_size[10_000]:
        notes.append(f"numpy BM25 builder vs bm25s at 10k: max |score diff| "
                     f"{per_size[10_000]['numpy_vs_bm25s_max_abs_diff']:.2e}")
    notes.append(f"benchmark process peak RSS {peak_mb:,.0f} MB")
    save("retrieval_scale", args.quick, info, results,
         {"query latency": latency, "ANN recall and build": quality, "index memory": memory,
          "query-side costs": query_tab}, notes)
    return results


if __name__ == "__main__":
    main()
