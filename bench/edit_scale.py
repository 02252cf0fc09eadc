"""One article edited (its 20 chunks replaced) at 100k and 1M synthetic chunks: the embedded store
(segments: the edit adds one small segment and tombstones) against a full rewrite of the same
index in the same run (compaction: one segment rewritten from the stored vectors and term counts,
the least a full rebuild costs), and Milvus Lite (upserts and deletes by chunk id) against its
own full write.

Each step runs in a fresh process (`python -m bench.edit_scale --step ...`), so its time includes
opening the index and its peak memory is its own. Synthetic chunks as bench/retrieval_scale.py
makes them (jieba's words at their frequencies, 136 ± 26 tokens, random unit vectors); the base
segment is written directly (its term counts from the synthetic token ids: tokenising a million
chunks with jieba takes ~15 min here, which is what this work removes from every edit). The base
dense index is flat: an edit never opens it (HNSW or flat, the base segment's files are linked),
and a 1M HNSW graph takes 15-25 min to build here (docs/BENCHMARKS.md).

Usage: python -m bench.edit_scale [--quick] [--sizes 100000,1000000] [--milvus-up-to 100000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import PeakRSS, REPO, loadavg, machine, quiet_logs, save, table

ARTICLE = 20  # chunks per synthetic file: one article
EDITS = 3  # edits timed one after another (each adds a segment)
DIM = 384
SEED = 16


def source_of(i: int) -> str:
    return f"synthetic/{i // ARTICLE:06d}.txt"


def manifest_for(n: int, edited: dict[str, str]):
    from index.snapshot import Manifest

    files = {source_of(i): {"sha256": edited.get(source_of(i), "v0"), "kind": "txt", "articles": 1, "chunks": ARTICLE}
             for i in range(0, n, ARTICLE)}
    return Manifest("synthetic", DIM, {"chunk_size": 350}, "flat", built_at="bench", files=files)


def write_edit(store, n: int, edit: int, source: str, rows) -> None:
    """One article's new chunks in, its old ones out, committed: the edit every store is timed on."""
    with store.writing():
        store.upsert(rows)
        store.delete_sources([source], keep={r.chunk.id for r in rows})
        store.commit(manifest_for(n, {source: f"v{edit}"}))


def build_base(index_dir: Path, n: int) -> dict:
    """The base segment of n synthetic chunks, written directly (no tokenising, no embedding)."""
    from bench.retrieval_scale import TokenCorpus, jieba_vocabulary, unit_vectors
    from index.records import Chunk
    from index.segments import write_layout, write_segment
    from index.snapshot import write_manifest
    from index.versions import fsync_tree, new_version_dir, publish

    started = time.perf_counter()
    rng = np.random.default_rng(SEED + n)
    words, probs = jieba_vocabulary()
    corpus = TokenCorpus(rng, n, np.cumsum(probs))
    chunks = []
    for i in range(n):
        text = "".join(words[t] for t in corpus.doc(i))
        chunks.append(Chunk(id=f"s{i:08d}", source=source_of(i), title="", text=text,
                            start=(i % ARTICLE) * 1000, end=(i % ARTICLE) * 1000 + len(text)))
    terms = term_rows(corpus, len(words))
    vectors = unit_vectors(rng, n)
    folder = new_version_dir(index_dir)
    write_segment(folder / "seg-base", chunks, [f"h{i}" for i in range(n)], vectors, terms, words, "flat")
    write_layout(folder, ["seg-base"], np.zeros(0, np.int64))
    write_manifest(folder, manifest_for(n, {}))
    fsync_tree(folder)
    publish(index_dir, folder)
    return {"seconds": round(time.perf_counter() - started, 1), "bytes": folder_bytes(folder)}


def term_rows(corpus, vocab: int):
    """Distinct token ids and counts per synthetic chunk, vectorised (one sort of all postings)."""
    from index.term_counts import TermRows

    n = len(corpus)
    docs = np.repeat(np.arange(n, dtype=np.int64), corpus.lengths)
    key = np.sort(docs * vocab + corpus.tokens.astype(np.int64))
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    counts = np.diff(np.append(first, len(key))).astype(np.int32)
    key = key[first]
    row = key // vocab
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))]).astype(np.int64)
    return TermRows(indptr, (key % vocab).astype(np.int32), counts)


def folder_bytes(folder: Path, fresh_only: bool = False) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and (not fresh_only or p.stat().st_nlink == 1))


def edited_rows(n: int, edit: int):
    """One article's 20 chunks with new text (new ids, as an edit gives), real Chinese sentences."""
    from index.records import Chunk
    from index.store import StoredChunk

    rng = np.random.default_rng(edit)
    source = source_of((edit * 7919 * ARTICLE) % n)
    sentences = [line.strip() for line in (REPO / "data" / "articles").glob("*.txt").__next__()
                 .read_text(encoding="utf-8").split("。") if len(line.strip()) > 20]
    rows = []
    for j in range(ARTICLE):
        text = "。".join(sentences[int(k)] for k in rng.integers(0, len(sentences), 4)) + f"（第{edit}次修订）"
        vector = rng.standard_normal(DIM).astype(np.float32)
        chunk = Chunk(id=f"e{edit}-{j}", source=source, title="", text=text, start=j * 1000, end=j * 1000 + len(text))
        rows.append(StoredChunk(chunk, text, f"e{edit}-{j}-{len(text)}", vector / np.linalg.norm(vector)))
    return source, rows


def step_edit(index_dir: Path, n: int, edit: int, compact: bool) -> dict:
    """One article replaced through the store's write session: open, upsert, delete, commit."""
    from index.embedded_store import EmbeddedStore
    from index.segment_writer import Compaction
    from index.tokenizer import Tokenizer
    from index.versions import current_version

    tokenizer = Tokenizer()
    tokenizer("预热")  # jieba's dictionary (~1 s) is the process's, not the edit's
    source, rows = edited_rows(n, edit)
    store = EmbeddedStore(index_dir, tokenizer, compaction=Compaction(max_dead_share=-1.0) if compact else None)
    with PeakRSS() as mem:
        started = time.perf_counter()
        write_edit(store, n, edit, source, rows)
        seconds = time.perf_counter() - started
    folder = current_version(index_dir)
    return {"seconds": round(seconds, 3), "how": store.last_commit, "peak_mb": round(mem.peak_mb),
            "delta_mb": round(mem.delta_mb), "written_mb": round(folder_bytes(folder, fresh_only=True) / 2**20, 2),
            "version_mb": round(folder_bytes(folder) / 2**20)}


def step_load(index_dir: Path, n: int, edit: int) -> dict:
    """What a server does after an edit: load the new version, then find the edited text."""
    from index.embedded_store import EmbeddedStore
    from index.snapshot import load_snapshot
    from index.tokenizer import Tokenizer

    tokenizer = Tokenizer()
    tokenizer("预热")
    _, rows = edited_rows(n, edit)
    with PeakRSS() as mem:
        started = time.perf_counter()
        snap = load_snapshot(index_dir, tokenizer)
        seconds = time.perf_counter() - started
    hits = EmbeddedStore.of(snap, tokenizer).search(rows[0].text, rows[0].vector, k=5)
    return {"seconds": round(seconds, 1), "peak_mb": round(mem.peak_mb), "chunks": len(snap.chunks),
            "found_edit": bool(hits) and hits[0].chunk.id == rows[0].chunk.id}


def step_milvus(folder: Path, n: int) -> dict:
    """Milvus Lite: n synthetic chunks written (the full build), then one article edited."""
    from bench.retrieval_scale import TokenCorpus, jieba_vocabulary, unit_vectors
    from index.milvus_store import MilvusStore
    from index.records import Chunk
    from index.store import StoredChunk

    rng = np.random.default_rng(SEED + n)
    words, probs = jieba_vocabulary()
    corpus = TokenCorpus(rng, n, np.cumsum(probs))
    vectors = unit_vectors(rng, n)
    store = MilvusStore(str(folder / "milvus.db"))
    started = time.perf_counter()
    with store.writing():
        for lo in range(0, n, 1000):
            rows = []
            for i in range(lo, min(n, lo + 1000)):
                text = "".join(words[t] for t in corpus.doc(i))
                chunk = Chunk(id=f"s{i:08d}", source=source_of(i), title="", text=text,
                              start=(i % ARTICLE) * 1000, end=(i % ARTICLE) * 1000 + len(text))
                rows.append(StoredChunk(chunk, text, f"h{i}", vectors[i]))
            store.upsert(rows)
        store.commit(manifest_for(n, {}))
    full = time.perf_counter() - started
    edits = []
    for edit in range(1, EDITS + 1):
        source, rows = edited_rows(n, edit)
        with PeakRSS() as mem:
            began = time.perf_counter()
            write_edit(store, n, edit, source, rows)
            edits.append({"seconds": round(time.perf_counter() - began, 3), "delta_mb": round(mem.delta_mb)})
    store.close()
    return {"full_s": round(full, 1), "edits": edits}


def run_step(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.edit_scale", "--step", *args], cwd=REPO,
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"step {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k chunks only")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--milvus-up-to", type=int, default=100_000, help="Milvus Lite writes ~400 chunks/s here")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    quiet_logs()
    if args.step:
        kind, path, n, *rest = args.step
        funcs = {"base": lambda: build_base(Path(path), int(n)),
                 "edit": lambda: step_edit(Path(path), int(n), int(rest[0]), rest[1] == "compact"),
                 "load": lambda: step_load(Path(path), int(n), int(rest[0])),
                 "milvus": lambda: step_milvus(Path(path), int(n))}
        print(json.dumps(funcs[kind]()))
        return
    info = machine()
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    results, rows, milvus_rows = {}, [], []
    work = Path(tempfile.mkdtemp(prefix="edit-scale-", dir="/tmp"))
    try:
        for n in sizes:
            index_dir = work / f"emb{n}"
            r = results[n] = {"load_start": loadavg(), "base": run_step("base", str(index_dir), str(n))}
            print(f"{n}: base written in {r['base']['seconds']} s", flush=True)
            r["edits"] = [run_step("edit", str(index_dir), str(n), str(e), "edit") for e in range(1, EDITS + 1)]
            print(f"{n}: edits {r['edits']}", flush=True)
            r["load"] = run_step("load", str(index_dir), str(n), str(EDITS))
            r["compaction"] = run_step("edit", str(index_dir), str(n), str(EDITS + 1), "compact")
            print(f"{n}: load {r['load']}, compaction {r['compaction']}", flush=True)
            r["load_end"] = loadavg()
            edit_s = statistics.median(e["seconds"] for e in r["edits"])
            rows.append([f"{n:,}", edit_s, max(e["peak_mb"] for e in r["edits"]),
                         max(e["written_mb"] for e in r["edits"]), r["compaction"]["seconds"],
                         round(r["compaction"]["seconds"] / edit_s, 1), r["compaction"]["peak_mb"],
                         r["load"]["seconds"], r["load"]["peak_mb"], "/".join(f"{x:.1f}" for x in r["load_start"])])
            shutil.rmtree(index_dir, ignore_errors=True)
            if n <= args.milvus_up_to:
                m = r["milvus"] = run_step("milvus", str(work / f"milvus{n}"), str(n))
                m_edit = statistics.median(e["seconds"] for e in m["edits"])
                milvus_rows.append([f"{n:,}", m_edit, m["full_s"], round(m["full_s"] / m_edit, 1),
                                    max(e["delta_mb"] for e in m["edits"])])
                print(f"{n}: milvus {m}", flush=True)
                shutil.rmtree(work / f"milvus{n}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tables = {
        "embedded store: one article (20 chunks) edited": table(
            ["chunks", "edit s (median of 3)", "edit peak MB", "edit writes MB", "full rewrite s", "full / edit",
             "full rewrite peak MB", "server reload s", "reload peak MB", "load at start"], rows),
        "Milvus Lite: one article (20 chunks) edited": table(
            ["chunks", "edit s (median of 3)", "full write s", "full / edit", "edit RSS delta MB (client)"],
            milvus_rows),
    }
    save("edit_scale", args.quick, info, {str(k): v for k, v in results.items()}, tables)


if __name__ == "__main__":
    main()
