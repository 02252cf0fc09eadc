"""Run folders on disk: what a run writes, reading it back, and listing past runs.

A test-set run folder holds run.json (what was run, with which settings, when), metrics.json,
results.jsonl and report.html; an RGB run folder holds run.json, rgb.json and rgb.html.
Usage: `for info in list_runs(Path("data/eval")): print(info.path, info.kind, info.headline)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from index.errors import ZhikuError

RUN_FILE = "run.json"
METRICS_FILE = "metrics.json"
RESULTS_FILE = "results.jsonl"
REPORT_FILE = "report.html"
RGB_FILE = "rgb.json"
RGB_REPORT_FILE = "rgb.html"
SECRET_SETTINGS = ("token", "llm_api_key")  # never written into a run folder


@dataclass(frozen=True)
class RunInfo:
    path: Path
    kind: str  # "run" (a test set) or "rgb"
    created: str
    dataset: str
    answerer: str  # "" for retrieval-only runs
    n: int
    report: Path
    headline: dict[str, float | None] = field(default_factory=dict)  # metric keys; rgb.* ones are rates


@dataclass(frozen=True)
class LoadedRun:
    path: Path
    run: dict
    metrics: dict
    results: list[dict]


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def settings_record(settings) -> dict:
    """The settings a run used, as JSON, without secrets."""
    if settings is None:
        return {}
    data = settings.model_dump(mode="json")
    for key in SECRET_SETTINGS:
        data.pop(key, None)
    return data


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ZhikuError(f"{path} does not exist: is this an evaluation run folder?") from None
    except (OSError, ValueError) as exc:
        raise ZhikuError(f"cannot read {path}: {exc}") from exc


def load_run(folder: Path) -> LoadedRun:
    """A finished test-set run: run.json, metrics.json and results.jsonl."""
    folder = Path(folder)
    run = read_json(folder / RUN_FILE)
    if run.get("kind", "run") != "run":
        raise ZhikuError(f"{folder} is an {run.get('kind')} run, not a test-set run")
    metrics = read_json(folder / METRICS_FILE)
    results = []
    with open(folder / RESULTS_FILE, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                results.append(json.loads(line))
    return LoadedRun(folder, run, metrics, results)


def list_runs(root: Path) -> list[RunInfo]:
    """Run folders directly under `root` (or root itself), newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    folders = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    runs = []
    for folder in folders:
        if not (folder / RUN_FILE).is_file():
            continue
        try:
            runs.append(_run_info(folder))
        except (ZhikuError, ValueError, KeyError, TypeError):
            continue  # a half-written or foreign folder is not a run to list
    return sorted(runs, key=lambda r: r.created, reverse=True)


def _run_info(folder: Path) -> RunInfo:
    run = read_json(folder / RUN_FILE)
    kind = run.get("kind", "run")
    if kind == "rgb":
        rgb = read_json(folder / RGB_FILE)
        headline = {}
        for noise, g in rgb.get("generation", {}).items():
            if noise == "1.0":
                headline["rgb.rejection@1.0"] = g.get("rejection_rate")
            else:
                headline[f"rgb.accuracy@{noise}"] = g.get("accuracy")
        for mode, scores in rgb.get("retrieval", {}).get("modes", {}).items():
            headline[f"rgb.{mode}.R@5"] = scores.get("R@5")
        report = folder / RGB_REPORT_FILE
    else:
        metrics = read_json(folder / METRICS_FILE)
        keys = ("retrieval.hit@5", "retrieval.mrr@10", "answer.keyword_accuracy", "refusal.accuracy", "latency.p50_ms")
        headline = {k: metrics.get(k) for k in keys}
        report = folder / REPORT_FILE
    return RunInfo(
        path=folder,
        kind=kind,
        created=str(run.get("created", "")),
        dataset=str(run.get("dataset", "")),
        answerer="" if run.get("retrieval_only") else str(run.get("answerer", "")),
        n=int(run.get("n", 0)),
        report=report,
        headline=headline,
    )
