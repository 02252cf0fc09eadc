"""Embedding dtype: float32 against bfloat16 (settings.embedding_dtype) through zhiku's own Embedder —
encoder speed, the vectors' cosine to float32, and retrieval on the dev and sample sets over a
demo index built in each dtype (zhiku eval's retrieval-only run: hit@k, MRR@10).

Speed is measured in rounds, both dtypes in each round in a rotated order, on the same chunks;
the speed-up is the median of the per-round ratios (the same minute, the same load).

Usage: python -m bench.embed_dtype [--quick]
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import (DEV_SET, REPO, demo_index, loadavg, machine, parse_args, quiet_logs, read_jsonl, save,
                          settings_for, summary_ms, table)

SAMPLE_SET = REPO / "eval" / "testsets" / "sample.jsonl"
DTYPES = ("float32", "bfloat16")


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from eval.runner import run_eval
    from index.embedding import Embedder, cpu_flags
    from index.snapshot import load_snapshot
    from rag.components import make_builder, open_retriever

    info = machine()
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-dtype-"))
    results: dict = {"cpu_bf16_flags": sorted(cpu_flags() & {"amx_bf16", "avx512_bf16"})}
    try:
        results["index"] = demo_index(work / "float32", embedding_dtype="float32")
        base = settings_for(work / "float32", embedding_dtype="float32")
        embedders = {d: Embedder(base.embedding_model, base.embedder_cache_dir, base.embedding_batch_size, dtype=d)
                     for d in DTYPES}
        snap32 = load_snapshot(work / "float32")
        texts = [c.text for c in snap32.chunks[:: max(1, len(snap32.chunks) // (16 if args.quick else 48))]]
        for e in embedders.values():
            e.embed_passages(texts[:4])  # loaded and warmed before timing
        rounds = 2 if args.quick else 3
        seconds = {d: [] for d in DTYPES}
        for r in range(rounds):
            for d in DTYPES[r % 2:] + DTYPES[: r % 2]:
                seconds[d].append(timed(embedders[d].embed_passages, texts))
        ratios = [a / b for a, b in zip(seconds["float32"], seconds["bfloat16"])]
        questions = [q["question"] for q in read_jsonl(DEV_SET)]
        query_s = {d: [timed(embedders[d].embed_query, q) for q in questions] for d in DTYPES}

        # a whole demo index in bfloat16 (the float32 one's vectors cannot be reused: another model name)
        bf16_settings = settings_for(work / "bfloat16", embedding_dtype="bfloat16")
        started = time.perf_counter()
        make_builder(bf16_settings, embedders["bfloat16"]).build(bf16_settings.corpus_dir)
        results["bf16_index_build_s"] = round(time.perf_counter() - started, 1)
        snap16 = load_snapshot(work / "bfloat16")
        by_hash = dict(zip(snap32.text_hashes, snap32.vectors))
        cosines = [float(np.dot(by_hash[h], v)) for h, v in zip(snap16.text_hashes, snap16.vectors) if h in by_hash]

        retrieval = {}
        for d, settings in (("float32", base), ("bfloat16", bf16_settings)):
            retriever = open_retriever(settings, embedders[d])
            for name, dataset in (("dev", DEV_SET), ("sample", SAMPLE_SET)):
                m = run_eval(dataset, None, retriever, work / f"eval-{d}-{name}", k=10, retrieval_only=True,
                             progress=False)
                retrieval[f"{d} {name}"] = {k: m[k] for k in ("n", "retrieval.hit@1", "retrieval.hit@5",
                                                               "retrieval.mrr@10")}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    results.update(seconds=seconds, ratios=ratios, query_ms={d: summary_ms(v) for d, v in query_s.items()},
                   cosine={"min": min(cosines), "mean": statistics.fmean(cosines), "n": len(cosines)},
                   retrieval=retrieval)
    speed_rows = [[d, len(texts), f"{statistics.median(seconds[d]):.2f}", f"{len(texts) / statistics.median(seconds[d]):.1f}",
                   f"{results['query_ms'][d]['p50']:.0f} / {results['query_ms'][d]['p95']:.0f}",
                   ", ".join(f"{s:.2f}" for s in seconds[d])] for d in DTYPES]
    quality_rows = [[key.split()[0], key.split()[1], v["n"], f"{v['retrieval.hit@1']:.3f}", f"{v['retrieval.hit@5']:.3f}",
                     f"{v['retrieval.mrr@10']:.3f}"] for key, v in retrieval.items()]
    notes = [f"bfloat16 / float32 encoder speed-up, median of per-round ratios: {statistics.median(ratios):.2f}× "
             f"(rounds {', '.join(f'{x:.2f}' for x in ratios)})",
             f"cosine of bfloat16 to float32 vectors over {len(cosines)} demo chunks: min {min(cosines):.4f}, "
             f"mean {statistics.fmean(cosines):.4f}",
             f"bfloat16 demo index build (every chunk embedded): {results['bf16_index_build_s']} s",
             f"the CPU's bfloat16 flags: {', '.join(results['cpu_bf16_flags']) or 'none'}; load at end "
             f"{loadavg()[0]:.2f}"]
    tables = {"encoder speed": table(["dtype", "chunks", "median s", "chunks/s", "query embedding p50 / p95 ms",
                                      "rounds s"], speed_rows),
              "retrieval (zhiku eval --retrieval-only, k=10)": table(["dtype", "set", "n", "hit@1", "hit@5", "MRR@10"],
                                                                    quality_rows)}
    save("embed_dtype", args.quick, info, results, tables, notes)
    return results


if __name__ == "__main__":
    main()
