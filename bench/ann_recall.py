"""HNSW recall on vectors shaped like real e5 embeddings, not uniform noise.

retrieval_scale's uniform random 384-d vectors have no structure for a graph to follow, so its
recall is a floor. Here the synthetic chunks are drawn from a Gaussian with the mean and
covariance of the demo corpus's real e5 vectors (so the same anisotropy and spectrum), then
L2-normalised; queries are drawn the same way. DenseStore's HNSW (M=32, efConstruction=80) is
built over them and its recall@10 against exact search is measured for a few efSearch values.

Usage: python -m bench.ann_recall [--quick]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import demo_index, loadavg, machine, parse_args, quiet_logs, save, summary_ms, table
from bench.retrieval_scale import POOL, exact_top10, per_query, recall_at_10, set_ef

EF = [64, 128, 256]


def demo_vectors() -> np.ndarray:
    from index.snapshot import load_snapshot

    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-ann-"))
    try:
        demo_index(work / "index")
        return np.array(load_snapshot(work / "index").vectors)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def like(real: np.ndarray, n: int, rng: np.random.Generator, block: int = 50_000) -> np.ndarray:
    mean = real.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(real, rowvar=False))
    scale = vectors * np.sqrt(np.clip(values, 0, None))
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for i in range(0, n, block):
        z = rng.standard_normal((min(block, n - i), real.shape[1]))
        x = (mean + z @ scale.T).astype(np.float32)
        out[i:i + len(x)] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def spectrum(x: np.ndarray) -> int:
    """Principal components holding 90% of the variance."""
    values = np.sort(np.linalg.eigvalsh(np.cov(x, rowvar=False)))[::-1]
    return int(np.searchsorted(np.cumsum(values) / values.sum(), 0.9) + 1)


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from index.dense_store import DenseStore

    info = machine()
    rng = np.random.default_rng(11)
    real = demo_vectors()
    n = 10_000 if args.quick else 100_000
    xb, xq = like(real, n, rng), like(real, 200, rng)
    uniform = rng.standard_normal((2000, real.shape[1])).astype(np.float32)
    pair = rng.integers(0, len(real), (2000, 2))
    results = {"n": n, "demo_vectors": len(real),
               "components_for_90pct_variance": {"demo e5 vectors": spectrum(real), "synthetic (like e5)": spectrum(xb[:5000]),
                                                 "uniform random": spectrum(uniform)},
               "mean_pair_cosine": {"demo e5 vectors": float((real[pair[:, 0]] * real[pair[:, 1]]).sum(1).mean()),
                                    "synthetic (like e5)": float((xb[:2000] * xb[2000:4000]).sum(1).mean())}}
    truth = exact_top10(xb, xq)
    started = time.perf_counter()
    hnsw = DenseStore.build(xb, "hnsw")
    results["hnsw_build_s"] = time.perf_counter() - started
    rows = []
    for ef in EF:
        set_ef(hnsw, ef)
        lat = summary_ms(per_query(lambda q: hnsw.search(q, POOL), xq))
        recall = recall_at_10(hnsw, xq, truth)
        results[f"ef{ef}"] = {"recall@10": recall, "latency_ms": lat}
        rows.append([ef, f"{recall:.3f}", f"{lat['p50']:.2f} / {lat['p95']:.2f}"])
    results["load1_end"] = loadavg()[0]
    c = results["components_for_90pct_variance"]
    notes = [f"principal components for 90% of the variance: demo e5 {c['demo e5 vectors']}, synthetic "
             f"{c['synthetic (like e5)']}, uniform random {c['uniform random']}",
             f"mean cosine of random pairs: demo e5 {results['mean_pair_cosine']['demo e5 vectors']:.3f}, "
             f"synthetic {results['mean_pair_cosine']['synthetic (like e5)']:.3f}",
             f"HNSW build over {n:,}: {results['hnsw_build_s']:.0f} s"]
    save("ann_recall", args.quick, info, results,
         {f"HNSW on {n:,} e5-like vectors (M=32, efC=80)": table(["efSearch", "recall@10", "p50 / p95 ms"], rows)},
         notes)
    return results


if __name__ == "__main__":
    main()
