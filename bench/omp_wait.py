"""OpenMP threads on a busy 2-core machine: the same query-time and index-time work in fresh
processes with OpenMP's defaults, with OMP_WAIT_POLICY=PASSIVE (which `zhiku`'s CLI now sets
unless the environment says otherwise), and with OMP_NUM_THREADS=1. torch and faiss read these
when their OpenMP runtime starts, so only fresh processes can compare them; one per variant,
run one after the other.

Work per process: the e5 query embedding of the dev questions, a flat FAISS search over 100k
random vectors (one query at a time, as the server does), and embedding 32 demo chunks.

Usage: python -m bench.omp_wait [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import (DEMO_CORPUS, DEV_SET, REPO, loadavg, machine, parse_args, quiet_logs, read_jsonl, save,
                          summary_ms, table)

VARIANTS = {
    "OpenMP defaults (spin, then sleep)": {},
    "OMP_WAIT_POLICY=PASSIVE (zhiku's CLI sets it)": {"OMP_WAIT_POLICY": "PASSIVE"},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
}


def child(quick: bool) -> dict:
    quiet_logs()
    import faiss
    import numpy as np

    from bench.common import demo_chunk_texts, settings_for
    from rag.components import make_embedder

    settings = settings_for(REPO / "unused-index")
    embedder = make_embedder(settings)
    questions = [q["question"] for q in read_jsonl(DEV_SET)][: 10 if quick else 40]
    _, texts = demo_chunk_texts(DEMO_CORPUS, settings)
    passages = texts[:: len(texts) // 32][:32 if not quick else 16]
    rng = np.random.default_rng(3)
    xb = rng.standard_normal((100_000, 384), dtype=np.float32)
    xb /= np.linalg.norm(xb, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(384)
    index.add(xb)
    xq = xb[:: 1000][: 50 if not quick else 20] + 0.01

    def each(fn, items):
        fn(items[0])
        out = []
        for x in items:
            started = time.perf_counter()
            fn(x)
            out.append(time.perf_counter() - started)
        return out

    result = {"embed_query": summary_ms(each(embedder.embed_query, questions)),
              "faiss_flat_100k": summary_ms(each(lambda q: index.search(q.reshape(1, -1), 30), xq))}
    embedder.embed_passages(passages[:4])
    started = time.perf_counter()
    embedder.embed_passages(passages)
    result["embed_passages_s"] = time.perf_counter() - started
    result["chunks_per_s"] = len(passages) / result["embed_passages_s"]
    return result


def run_variant(name: str, quick: bool) -> dict:
    env = {**os.environ, **VARIANTS[name]}
    for key in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS"):
        if key not in VARIANTS[name]:
            env.pop(key, None)
    load = loadavg()[0]
    proc = subprocess.run([sys.executable, "-m", "bench.omp_wait", "--child"] + (["--quick"] if quick else []),
                          env=env, cwd=REPO, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["load1"] = load
    return result


def main(argv=None) -> dict:
    if argv is None and "--child" in sys.argv:
        print("RESULT " + json.dumps(child("--quick" in sys.argv)))
        return {}
    args = parse_args(__doc__.splitlines()[0], argv)
    info = machine()
    names = list(VARIANTS) if not args.quick else list(VARIANTS)[:2]
    rounds = 1
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            runs[name].append(run_variant(name, args.quick))
            print(f"{name}: done (load {loadavg()[0]:.2f})", flush=True)

    def med(name: str, key: str, sub: str | None = None) -> float:
        vals = [r[key][sub] if sub else r[key] for r in runs[name]]
        return sum(vals) / len(vals)

    base = names[0]
    rows = []
    for name in names:
        rows.append([name, f"{med(name, 'embed_query', 'p50'):.1f} / {med(name, 'embed_query', 'p95'):.1f}",
                     f"{med(name, 'faiss_flat_100k', 'p50'):.2f} / {med(name, 'faiss_flat_100k', 'p95'):.2f}",
                     f"{med(name, 'chunks_per_s'):.1f}",
                     f"{med(base, 'embed_query', 'p50') / med(name, 'embed_query', 'p50'):.1f}×",
                     f"{med(base, 'embed_passages_s') / med(name, 'embed_passages_s'):.2f}×",
                     ", ".join(f"{r['load1']:.1f}" for r in runs[name])])
    tab = table(["environment", "embed_query p50 / p95 ms", "FAISS flat 100k p50 / p95 ms", "passages/s",
                 "query speed-up", "passage speed-up", "load1 per run"], rows)
    notes = ["means over the runs of each variant; every run is a fresh process (imports and model load untimed)"]
    save("omp_wait", args.quick, info, {"runs": runs}, {"OpenMP environment": tab}, notes)
    return runs


if __name__ == "__main__":
    main()
