"""Index build: zhiku's IndexBuilder against the plain LangChain path, and the embedder against
the machine's matrix-multiply limit.

1. End to end over the demo corpus (load, clean, chunk, embed, write), each path in its own
   fresh process (so peak memory is its own): zhiku's IndexBuilder, and the first thing a
   LangChain user writes, FAISS.from_documents(HuggingFaceEmbeddings(<same e5 folder>)) over the
   same chunks (chunked by zhiku: chunking is not what is compared).
2. The embedder alone: FLOPs per chunk of the 12-layer encoder from the real token counts,
   against torch's float32 GEMM rate on the same threads; then variants (batch size, length
   sorting, threads, bf16, int8 dynamic quantisation) in one process, in rounds that run every
   variant in a rotated order; each variant's speed-up is the median over rounds of its ratio
   to the current setting in the same round; with its cosine to the float32 vectors.

Usage: python -m bench.index_build [--quick]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (DEMO_CORPUS, demo_chunk_texts, loadavg, machine, max_rss_mb, parse_args,
                          quiet_logs, rss_mb, save, seed_index_cache, settings_for, table)

QUICK_FILES = ["000_da36866608137284.txt"]  # 78 chunks: the smallest demo file
HIDDEN, FFN, LAYERS = 384, 1536, 12


# --- the two end-to-end paths, each run in a child process -----------------------------------


def child_zhiku(corpus: Path, out: Path) -> dict:
    from index.embedding import Embedder
    from rag.components import make_builder

    class TimedEmbedder(Embedder):
        """Splits model loading and encoding out of the build's wall time."""

        load_s = encode_s = 0.0

        def embed_passages(self, texts, progress=False):
            started = time.perf_counter()
            self._model  # noqa: B018 - loads on first use
            loaded = time.perf_counter()
            vectors = super().embed_passages(texts, progress)
            TimedEmbedder.load_s += loaded - started
            TimedEmbedder.encode_s += time.perf_counter() - loaded
            return vectors

    settings = settings_for(out)
    embedder = TimedEmbedder(settings.embedding_model, settings.embedder_cache_dir, settings.embedding_batch_size)
    builder = make_builder(settings, embedder)
    base = rss_mb()
    started = time.perf_counter()
    report = builder.build(corpus)
    wall = time.perf_counter() - started
    return {"wall_s": wall, "chunks": report.chunks, "model_load_s": TimedEmbedder.load_s,
            "encode_s": TimedEmbedder.encode_s, "rss_after_imports_mb": base}


def child_langchain(corpus: Path, out: Path) -> dict:
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings

    from index.packaged_e5 import materialize_packaged_e5

    settings = settings_for(out)
    model_path = str(materialize_packaged_e5(settings.embedder_cache_dir))
    base = rss_mb()
    started = time.perf_counter()
    chunks, texts = demo_chunk_texts(corpus, settings)  # the same chunks zhiku embeds
    chunked = time.perf_counter()
    docs = [Document(page_content=t, metadata={"id": c.id, "source": c.source}) for c, t in zip(chunks, texts)]
    embeddings = HuggingFaceEmbeddings(model_name=model_path, encode_kwargs={"normalize_embeddings": True})
    loaded = time.perf_counter()
    store = FAISS.from_documents(docs, embeddings)
    encoded = time.perf_counter()
    store.save_local(str(out))
    wall = time.perf_counter() - started
    return {"wall_s": wall, "chunks": len(docs), "load_chunk_s": chunked - started, "model_load_s": loaded - chunked,
            "encode_s": encoded - loaded, "rss_after_imports_mb": base}


def _child_main(kind: str, corpus: str, out: str) -> None:
    quiet_logs()
    import faiss  # noqa: F401 - imports are not what is timed: both paths pay them alike
    import sentence_transformers  # noqa: F401

    import langchain_community.vectorstores  # noqa: F401
    import langchain_huggingface  # noqa: F401

    fn = child_zhiku if kind == "zhiku" else child_langchain
    result = fn(Path(corpus), Path(out))
    result["peak_rss_mb"] = max_rss_mb()
    result["disk_mb"] = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file()) / 2**20
    print("RESULT " + json.dumps(result))


def run_child(kind: str, corpus: Path, out: Path) -> dict:
    load_before = loadavg()[0]
    proc = subprocess.run([sys.executable, "-m", "bench.index_build", "--child", kind, str(corpus), str(out)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} build failed:\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["load1"] = [load_before, loadavg()[0]]
    return result


def _combine(runs: list[dict]) -> dict:
    """The mean of a path's runs (A B B A: the mean cancels a linear drift in load)."""
    out = {k: sum(r[k] for r in runs) / len(runs) for k in runs[0] if isinstance(runs[0][k], (int, float))}
    out["chunks"] = runs[0]["chunks"]
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    out["runs_wall_s"] = [round(r["wall_s"], 2) for r in runs]
    out["load1"] = [runs[0]["load1"][0], runs[-1]["load1"][1]]
    return out


# --- the embedder alone -----------------------------------------------------------------------


def encoder_flops(tokens: int) -> float:
    """Multiply-adds x2 of one sequence through the encoder: QKV+O and the FFN (2 x params x
    tokens) plus attention scores and weighted sums (4 x tokens^2 x hidden) per layer."""
    per_layer = 2 * tokens * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN) + 4 * tokens * tokens * HIDDEN
    return LAYERS * per_layer


def gemm_rate(torch, dtype, m: int, k: int, n: int, seconds: float = 1.5) -> float:
    """Sustained GFLOP/s of torch.matmul for an (m,k) x (k,n) product."""
    a, b = torch.randn(m, k).to(dtype), torch.randn(k, n).to(dtype)
    torch.matmul(a, b)
    reps, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        torch.matmul(a, b)
        reps += 1
    return 2 * m * k * n * reps / (time.perf_counter() - started) / 1e9


def machine_limit(torch, rows: int) -> dict:
    """The GEMM rates the encoder could reach: square 2048 (peak) and its own layer shapes."""
    shapes = {"square_2048": (2048, 2048, 2048), "qkv_o": (rows, HIDDEN, HIDDEN),
              "ffn_in": (rows, HIDDEN, FFN), "ffn_out": (rows, FFN, HIDDEN)}
    out = {f"fp32_{name}": gemm_rate(torch, torch.float32, *shape) for name, shape in shapes.items()}
    out["bf16_square_2048"] = gemm_rate(torch, torch.bfloat16, 2048, 2048, 2048)
    out["bf16_ffn_in"] = gemm_rate(torch, torch.bfloat16, rows, HIDDEN, FFN)
    return {k: round(v, 1) for k, v in out.items()}


def embedder_variants(texts: list[str], model_path: str, quick: bool) -> dict:
    import copy
    import statistics

    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu")
    tok = model.tokenizer
    lengths = [min(len(tok("passage: " + t)["input_ids"]), model.max_seq_length) for t in texts]
    flops = sum(encoder_flops(n) for n in lengths)
    threads = torch.get_num_threads()

    def encode(m, batch_size=16, presorted=True):
        if presorted:
            return m.encode(texts, prompt_name="passage", batch_size=batch_size, normalize_embeddings=True,
                            convert_to_tensor=True).float().numpy()
        # no length sorting: batches in corpus order, so every batch pads to its longest text
        out = [m.encode(texts[i:i + batch_size], prompt_name="passage", batch_size=batch_size,
                        normalize_embeddings=True, convert_to_tensor=True).float().numpy()
               for i in range(0, len(texts), batch_size)]
        return np.concatenate(out)

    bf16 = copy.deepcopy(model).to(torch.bfloat16)
    variants = {"fp32 batch 16 (zhiku now)": lambda: encode(model, 16),
                "fp32 batch 32 (ST default)": lambda: encode(model, 32),
                "bf16 batch 16": lambda: encode(bf16, 16)}
    if not quick:
        int8 = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8)

        def one_thread():
            torch.set_num_threads(1)
            try:
                return encode(model, 16)
            finally:
                torch.set_num_threads(threads)

        variants.update({
            "fp32 batch 64": lambda: encode(model, 64),
            "fp32 batch 16, unsorted": lambda: encode(model, 16, presorted=False),
            "fp32 batch 16, 1 thread": one_thread,
            "bf16 batch 32": lambda: encode(bf16, 32),
            "int8 dynamic (Linear) batch 16": lambda: encode(int8, 16),
        })
    try:
        import onnxruntime  # noqa: F401
        onnx_note = "onnxruntime installed but not tried"
    except ImportError:
        onnx_note = "backend='onnx' not tried: onnxruntime (and optimum) are not installed"

    rounds = 2 if quick else 3
    with torch.inference_mode():
        encode(model, 16)  # warm-up: first-call allocations
        reference = None
        limit_before = machine_limit(torch, rows=16 * int(np.mean(lengths)))
        results: dict[str, dict] = {}
        names = list(variants)
        base_name = names[0]
        for r in range(rounds):  # every round runs every variant, in a rotated order
            rotated = names[r % len(names):] + names[: r % len(names)]
            for name in rotated:
                started = time.perf_counter()
                vectors = variants[name]()
                seconds = time.perf_counter() - started
                if reference is None:
                    reference = vectors  # the first fp32 batch-16 run
                cos = (vectors * reference).sum(axis=1)
                entry = results.setdefault(name, {"runs_s": [], "load1": []})
                entry["runs_s"].append(seconds)
                entry["load1"].append(loadavg()[0])
                entry["min_cosine_to_fp32"] = round(float(cos.min()), 5)
                entry["mean_cosine_to_fp32"] = round(float(cos.mean()), 5)
        limit_after = machine_limit(torch, rows=16 * int(np.mean(lengths)))
    limit = {k: round((limit_before[k] + limit_after[k]) / 2, 1) for k in limit_before}
    # the limit: the best fp32 GEMM rate measured (a busy machine can make the square one the slowest)
    peak = max(v for k, v in limit.items() if k.startswith("fp32"))
    base_runs = results[base_name]["runs_s"]
    for entry in results.values():
        entry["seconds"] = statistics.median(entry["runs_s"])
        entry["chunks_per_s"] = len(texts) / entry["seconds"]
        # the ratio within each round (same minute, same load), then the median over rounds
        entry["speedup_vs_now"] = statistics.median(b / v for b, v in zip(base_runs, entry["runs_s"]))
        entry["gflops"] = flops / entry["seconds"] / 1e9
        entry["fraction_of_fp32_peak"] = entry["gflops"] / peak
    return {"chunks": len(texts), "tokens_mean": float(np.mean(lengths)), "tokens_max": int(max(lengths)),
            "fp32_peak_gflops": peak,
            "gflop_per_chunk": flops / len(texts) / 1e9, "torch_threads": threads, "gemm_gflops": limit,
            "gemm_gflops_before_after": [limit_before, limit_after], "variants": results, "onnx": onnx_note}


# --- main ---------------------------------------------------------------------------------------


def main(argv=None) -> dict:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child_main(*sys.argv[2:5])
        return {}
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-build-"))
    try:
        corpus = DEMO_CORPUS
        if args.quick:
            corpus = work / "corpus"
            corpus.mkdir()
            for name in QUICK_FILES:
                shutil.copy(DEMO_CORPUS / name, corpus / name)
        # each in a fresh process over the same corpus, one after the other (A B B A would cancel
        # drift, but four full builds do not fit the suite's 30 minutes on a busy 2-core machine)
        order = ["zhiku", "langchain"]
        runs: dict[str, list[dict]] = {"zhiku": [], "langchain": []}
        for i, kind in enumerate(order):
            runs[kind].append(run_child(kind, corpus, work / f"{kind}-index-{i}"))
        zhiku, langchain = (_combine(runs[k]) for k in ("zhiku", "langchain"))
        abba = None
        if not args.quick:  # the ratio again, drift-cancelled: A B B A over the 78-chunk subset
            subset = work / "subset"
            subset.mkdir()
            for name in QUICK_FILES:
                shutil.copy(DEMO_CORPUS / name, subset / name)
            sub: dict[str, list[dict]] = {"zhiku": [], "langchain": []}
            for i, kind in enumerate(["zhiku", "langchain", "langchain", "zhiku"]):
                sub[kind].append(run_child(kind, subset, work / f"subset-{kind}-{i}"))
            abba = {k: _combine(v) for k, v in sub.items()}
        if not args.quick:
            seed_index_cache(work / "zhiku-index-0")
        from index.packaged_e5 import materialize_packaged_e5

        settings = settings_for(work / "x")
        model_path = str(materialize_packaged_e5(settings.embedder_cache_dir))
        _, texts = demo_chunk_texts(corpus, settings)
        # an evenly spread subset keeps the length mix of the whole corpus
        sample = texts[:: max(1, len(texts) // (16 if args.quick else 32))][: 16 if args.quick else 32]
        embed = embedder_variants(sample, model_path, args.quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for r in (zhiku, langchain):
        r["chunks_per_s"] = r["chunks"] / r["wall_s"]
    ratio = langchain["wall_s"] / zhiku["wall_s"]
    e2e = table(
        ["path", "chunks", "wall s", "chunks/s", "model load s", "encode s", "other s", "peak RSS MB",
         "on disk MB", "runs s", "load1 before→after"],
        [[name, r["chunks"], r["wall_s"], r["chunks_per_s"], r["model_load_s"], r["encode_s"],
          r["wall_s"] - r["model_load_s"] - r["encode_s"], r["peak_rss_mb"], r["disk_mb"],
          ", ".join(f"{s:.1f}" for s in r["runs_wall_s"]), f"{r['load1'][0]:.2f}→{r['load1'][1]:.2f}"]
         for name, r in (("zhiku IndexBuilder.build", zhiku), ("LangChain FAISS.from_documents", langchain))],
    )
    base = embed["variants"]["fp32 batch 16 (zhiku now)"]
    variants = table(
        ["variant", "median s", "chunks/s", "× vs now (median of per-round ratios)", "GFLOP/s", "of fp32 limit",
         "min cos", "runs s"],
        [[name, v["seconds"], v["chunks_per_s"], v["speedup_vs_now"], v["gflops"],
          f"{v['fraction_of_fp32_peak']:.0%}", v["min_cosine_to_fp32"], ", ".join(f"{s:.1f}" for s in v["runs_s"])]
         for name, v in embed["variants"].items()],
    )
    g = embed["gemm_gflops"]
    limit = table(
        ["quantity", "value"],
        [["chunks in the sample", embed["chunks"]], ["tokens per chunk (mean / max)", f"{embed['tokens_mean']:.0f} / {embed['tokens_max']}"],
         ["GFLOP per chunk (encoder)", embed["gflop_per_chunk"]], ["torch threads", embed["torch_threads"]],
         ["fp32 GEMM GFLOP/s, 2048²", g["fp32_square_2048"]],
         ["fp32 GEMM GFLOP/s at the encoder's shapes (QKV / FFN in / FFN out)",
          f"{g['fp32_qkv_o']:.0f} / {g['fp32_ffn_in']:.0f} / {g['fp32_ffn_out']:.0f}"],
         ["bf16 GEMM GFLOP/s, 2048² / FFN in (AMX)", f"{g['bf16_square_2048']:.0f} / {g['bf16_ffn_in']:.0f}"],
         ["fp32 limit (best of the GEMMs above)", embed["fp32_peak_gflops"]],
         ["embedder now: GFLOP/s, fraction of the fp32 limit", f"{base['gflops']:.0f}, {base['fraction_of_fp32_peak']:.0%}"]],
    )
    if abba:
        abba_ratio = abba["langchain"]["wall_s"] / abba["zhiku"]["wall_s"]
        e2e += "\n" + "\n".join(
            f"| {name}, 78-chunk subset, A B B A | {r['chunks']} | {r['wall_s']:.3g} | {r['chunks'] / r['wall_s']:.3g} "
            f"| {r['model_load_s']:.3g} | {r['encode_s']:.3g} | {r['wall_s'] - r['model_load_s'] - r['encode_s']:.3g} "
            f"| {r['peak_rss_mb']:,.0f} | {r['disk_mb']:.3g} | {', '.join(f'{s:.1f}' for s in r['runs_wall_s'])} "
            f"| {r['load1'][0]:.2f}→{r['load1'][1]:.2f} |"
            for name, r in (("zhiku", abba["zhiku"]), ("LangChain", abba["langchain"])))
    results = {"zhiku": zhiku, "langchain": langchain, "langchain_over_zhiku_wall": ratio, "embedder": embed,
               "subset_abba": abba,
               "corpus": "demo subset " + ", ".join(QUICK_FILES) if args.quick else "data/articles"}
    notes = [f"LangChain / zhiku wall time: {ratio:.2f}× over the whole corpus (one run each, load drifts between them)"
             + (f"; {abba['langchain']['wall_s'] / abba['zhiku']['wall_s']:.2f}× over the subset, A B B A" if abba else ""),
             "zhiku's wall includes BM25 (jieba) and the versioned, fsynced write; LangChain's only FAISS + pickle",
             embed["onnx"]]
    save("index_build", args.quick, info, results,
         {"end to end": e2e, "embedder against the machine's limit": limit, "embedder variants": variants}, notes)
    return results


if __name__ == "__main__":
    main()
