"""What every benchmark script shares: the machine's description, timing and memory helpers,
tables, result files, and the demo corpus and its index.

Results go to bench/results/<script>.json (full run) or <script>.quick.json (--quick), each
with the machine and load averages it ran under: on a shared machine a number without its load
is not a number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEMO_CORPUS = REPO / "data" / "articles"
DEFAULT_INDEX = REPO / "data" / "index"  # `make run`'s index: a seed for the cache, never written
DEV_SET = Path(os.environ.get("ZHIKU_BENCH_DEV", "/work/shared/eval/dev.jsonl"))


# --- command line ---------------------------------------------------------------------------


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a small subset, for a run under a few minutes")
    return parser.parse_args(argv)


# --- the machine ----------------------------------------------------------------------------


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def machine() -> dict:
    cpu, flags = "", []
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name") and not cpu:
            cpu = line.split(":", 1)[1].strip()
        if line.startswith("flags") and not flags:
            flags = line.split(":", 1)[1].split()
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "simd": [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags],
        "mem_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "commit": commit,
        "loadavg_start": loadavg(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def machine_line(info: dict) -> str:
    return (f"{info['nproc']} cores · {info['cpu']} ({', '.join(info['simd'])}) · {info['mem_gb']} GB · "
            f"load {fmt_load(info['loadavg_start'])} at start, {fmt_load(info.get('loadavg_end', loadavg()))} at end")


def fmt_load(load: Sequence[float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


# --- timing and memory ----------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * p / 100
    lo, hi = int(pos), min(int(pos) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summary_ms(seconds: Sequence[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50": round(percentile(ms, 50), 3), "p95": round(percentile(ms, 95), 3),
            "mean": round(statistics.fmean(ms), 3), "max": round(max(ms), 3)}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def max_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakRSS:
    """Samples this process's RSS from /proc every few ms: the peak above the start of a block.

    Usage: `with PeakRSS() as mem: work()`, then mem.delta_mb (peak minus start) and mem.peak_mb.
    """

    def __init__(self, interval_s: float = 0.005):
        self.interval_s = interval_s
        self.start_mb = self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        self.start_mb = self.peak_mb = rss_mb()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak_mb = max(self.peak_mb, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())

    @property
    def delta_mb(self) -> float:
        return self.peak_mb - self.start_mb


# --- output ---------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table (pasted into docs/BENCHMARKS.md as is)."""

    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def save(name: str, quick: bool, info: dict, results: dict, tables: dict[str, str], notes: list[str] = ()) -> Path:
    """Print the tables and write bench/results/<name>[.quick].json."""
    info["loadavg_end"] = loadavg()
    info["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    print(f"\n## {name}{' (quick)' if quick else ''}\n\n{machine_line(info)}\n")
    for title, text in tables.items():
        print(f"### {title}\n\n{text}\n")
    for note in notes:
        print(f"- {note}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}{'.quick' if quick else ''}.json"
    payload = {"script": name, "quick": quick, "machine": info, "results": results, "tables": tables,
               "notes": list(notes)}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {path.relative_to(REPO)}")
    return path


# --- the demo corpus and its index -----------------------------------------------------------


def quiet_logs() -> None:
    import logging
    import warnings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING)
    import bm25s  # noqa: F401 - it sets its own logger to DEBUG on import: quieten it after

    for name in ("sentence_transformers", "transformers", "httpx", "bm25s", "jieba", "faiss"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def settings_for(index_dir: Path, data_dir: Path | None = None, **overrides):
    """Settings for a benchmark: the demo corpus, a given index folder, the user's model cache."""
    from rag.settings import Settings

    return Settings(index_dir=Path(index_dir), corpus_dir=DEMO_CORPUS,
                    data_dir=Path(data_dir or index_dir) / "data", **overrides)


def demo_chunk_texts(corpus: Path, settings) -> tuple[list, list[str]]:
    """The chunks IndexBuilder makes of `corpus` (in its row order) and the texts it embeds."""
    from index.loaders import load_paths
    from index.pipeline import chunk_document, indexed_text
    from rag.components import chunking_config

    config = chunking_config(settings)
    docs = sorted(load_paths([corpus], root=corpus).documents, key=lambda d: d.source)
    chunks = [c for d in docs for c in chunk_document(d, config)[1]]
    return chunks, [indexed_text(c, config) for c in chunks]


def index_cache_dir(dtype: str = "float32") -> Path:
    """One cached demo index per embedding dtype (vectors of one cannot serve the other)."""
    from rag.settings import Settings

    return Settings().cache_dir / "bench" / ("demo-index" if dtype == "float32" else f"demo-index-{dtype}")


def seed_index_cache(built_index: Path, stale: bool = False, dtype: str = "float32") -> None:
    """Keep a copy of a freshly built demo index, so later scripts need not embed again; a `stale`
    cache (one the build had to re-embed, e.g. after a chunking change) is replaced."""
    cache = index_cache_dir(dtype)
    if (cache / "CURRENT").exists() and not stale:
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f".partial-{os.getpid()}")
    shutil.copytree(built_index, partial, ignore=shutil.ignore_patterns(".lock"))
    old = cache.with_name(f".old-{os.getpid()}")
    if stale and cache.exists():
        cache.rename(old)
    try:
        partial.rename(cache)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)  # another run seeded it first
    shutil.rmtree(old, ignore_errors=True)


def demo_index(target: Path, **overrides) -> dict:
    """An up-to-date index of the demo corpus in `target` (a fresh folder), built with the settings
    (and `overrides`, e.g. embedding_dtype) the benchmark will search it with.

    Copied from the bench cache (or from `make run`'s data/index) and brought up to date with
    IndexBuilder.build, which re-embeds only what changed: nothing, normally. Returns its report.
    """
    from rag.components import make_builder, make_embedder

    settings = settings_for(target, **overrides)
    dtype = make_embedder(settings).dtype
    for source in (index_cache_dir(dtype), DEFAULT_INDEX):
        if (source / "CURRENT").exists():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".lock"), dirs_exist_ok=True)
            break
    started = time.perf_counter()
    report = make_builder(settings).build(DEMO_CORPUS)
    seed_index_cache(target, stale=report.embedded > 0, dtype=dtype)
    return {"seconds": round(time.perf_counter() - started, 2), "embedded": report.embedded,
            "reused": report.reused, "chunks": report.chunks}


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
