"""`zhiku eval ...`: run a test set, compare two runs, run the RGB benchmark, list past runs.

Mounted by ui/cli.py as `app.add_typer(eval_app, name="eval")`. Each command builds Settings()
once and wires the stages with rag.components; ZhikuError reaches the top-level handler.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from index.errors import ZhikuError
from rag.settings import Settings
from eval.htmlkit import fmt, fmt_delta
from eval.metrics import METRIC_KEYS

eval_app = typer.Typer(help="Score retrieval and answers on a test set, compare runs, run RGB.", no_args_is_help=True)
out = Console()

ANSWERERS = ("llm", "extractive")


@eval_app.command("run")
def run_command(
    dataset: Annotated[Path, typer.Option(help="test set, JSON Lines")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="run folder (default: DATA_DIR/eval/<time>-<dataset>)")] = None,
    answerer: Annotated[Optional[str], typer.Option(help="llm or extractive (default: ZHIKU_ANSWERER)")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="score retrieval only, no answers")] = False,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="passages retrieved per question")] = 10,
    limit: Annotated[Optional[int], typer.Option(min=1, help="only the first N questions")] = None,
    type_: Annotated[Optional[str], typer.Option("--type", help="only questions of this type (or a comma list)")] = None,
) -> None:
    """Run a test set against the current index; write results.jsonl, metrics.json, report.html."""
    from eval.runner import run_eval
    from rag.components import make_embedder, open_retriever

    settings = Settings()
    _check_answerer(answerer)
    out_dir = out_dir or settings.data_dir / "eval" / f"{time.strftime('%Y%m%d-%H%M%S')}-{dataset.stem}"
    retriever = open_retriever(settings, make_embedder(settings))
    assistant = None if retrieval_only else _assistant(settings, retriever)
    try:
        metrics = run_eval(dataset, assistant, retriever, out_dir, k=k, answerer=answerer,
                           retrieval_only=retrieval_only, limit=limit, type_filter=type_, settings=settings)
    finally:
        if assistant is not None:
            assistant.close()
    for table in metrics_tables(metrics):
        out.print(table)
    out.print(f"report: {out_dir / 'report.html'}")


@eval_app.command("compare")
def compare_command(
    dir_a: Annotated[Path, typer.Argument(help="baseline run folder")],
    dir_b: Annotated[Path, typer.Argument(help="run folder to compare with it")],
    html: Annotated[Optional[Path], typer.Option("--out", help="HTML file (default: DIR_B/compare.html)")] = None,
) -> None:
    """Differences of every metric between two runs, and the questions that flipped."""
    from eval.compare import compare_runs, describe, render_compare_html

    c = compare_runs(dir_a, dir_b)
    out.print(f"A: {describe(c.a)}\nB: {describe(c.b)}", markup=False, highlight=False)
    if not c.same_dataset:
        out.print("[yellow]the runs used different test sets (or versions of one)[/yellow]")
    if c.scope_note:
        out.print(c.scope_note, markup=False)
    table = Table("metric", "A", "B", "change", title="B against A")
    for d in c.metrics:
        style = {True: "green", False: "red"}.get(d.improved, "")
        table.add_row(d.key, fmt(d.key, d.a), fmt(d.key, d.b), f"[{style}]{fmt_delta(d.key, d.delta)}[/{style}]" if style else fmt_delta(d.key, d.delta))
    out.print(table)
    if c.flips:
        flips = Table("id", "check", "change", "question", title=f"{len(c.flips)} flipped")
        for f in sorted(c.flips, key=lambda f: (f.now_passes, f.check, f.id)):
            flips.add_row(_plain(f.id), f.check, "[green]fail → pass[/green]" if f.now_passes else "[red]pass → fail[/red]", _plain(f.question))
        out.print(flips)
    else:
        out.print("no question flipped")
    html = html or Path(dir_b) / "compare.html"
    html.write_text(render_compare_html(c), encoding="utf-8")
    out.print(f"report: {html}")


@eval_app.command("rgb")
def rgb_command(
    bench_dir: Annotated[Path, typer.Option("--dir", help="the rgb_zh folder (e.g. ../shared/bench/rgb_zh)")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="run folder (default: DATA_DIR/eval/<time>-rgb)")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="only the first N questions (quick runs)")] = None,
    answerer: Annotated[Optional[str], typer.Option(help="llm or extractive (default: ZHIKU_ANSWERER)")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="skip the generation benchmark")] = False,
    noise: Annotated[str, typer.Option(help="noise ratios to answer, comma-separated")] = "0.0,0.2,0.4,0.6,0.8,1.0",
    modes: Annotated[str, typer.Option(help="retrieval modes to score, comma-separated; none skips retrieval")] = "hybrid,dense,bm25",
    index_dir: Annotated[Optional[Path], typer.Option(help="keep the benchmark's index here and reuse it next time")] = None,
) -> None:
    """RGB's Chinese benchmark: retrieval over its corpus, answers at each noise ratio, beside the paper."""
    from eval.rgb import MODES, run_rgb
    from eval.rgb_report import generation_rows, retrieval_rows
    from rag.components import make_embedder

    settings = Settings()
    _check_answerer(answerer)
    mode_list = [] if modes.strip().lower() == "none" else _split(modes)
    if set(mode_list) - set(MODES):
        raise ZhikuError(f"unknown retrieval mode in {modes!r}: use {', '.join(MODES)}")
    out_dir = out_dir or settings.data_dir / "eval" / f"{time.strftime('%Y%m%d-%H%M%S')}-rgb"
    assistant = None if retrieval_only else _assistant(settings)
    try:
        embedder = make_embedder(settings) if mode_list else None
        result = run_rgb(bench_dir, out_dir, settings, assistant, embedder, retrieval_only, limit,
                         _noise_levels(noise), answerer, mode_list, index_dir=index_dir)
    finally:
        if assistant is not None:
            assistant.close()
    if result["retrieval"]:
        table = Table("retrieval", "R@1", "R@5", "R@10", "MRR@10")
        for row in retrieval_rows(result):
            table.add_row(*row)
        out.print(table)
    if result["retrieval"] and not result["retrieval"]["full_corpus"]:
        out.print("[yellow]--limit: only the selected questions' documents were indexed; not comparable to the reference[/yellow]")
    rows = generation_rows(result)
    if rows:
        gen = Table("generation", "n", "zhiku %", "paper ChatGPT %")
        for row in rows:
            gen.add_row(*row)
        out.print(gen)
    out.print(f"report: {out_dir / 'rgb.html'}")


@eval_app.command("list")
def list_command(
    root: Annotated[Optional[Path], typer.Option(help="folder holding run folders (default: DATA_DIR/eval)")] = None,
) -> None:
    """Past runs, newest first."""
    from eval.runs import list_runs

    settings = Settings()
    root = root or settings.data_dir / "eval"
    runs = list_runs(root)
    if not runs:
        out.print(f"no runs under {root}")
        return
    table = Table("run", "kind", "created", "dataset", "answerer", "n", "headline", title=str(root))
    for r in runs:
        headline = "  ".join(f"{SHORT.get(k, k.removeprefix('rgb.'))} {fmt(k, v)}" for k, v in r.headline.items() if v is not None)
        table.add_row(_plain(r.path.name), r.kind, r.created, _plain(Path(r.dataset).name), r.answerer or "retrieval only", str(r.n), headline)
    out.print(table)


SHORT = {  # by-type columns: the full keys do not fit a terminal eight times over
    "retrieval.hit@5": "hit@5",
    "retrieval.mrr@10": "mrr",
    "answer.keyword_accuracy": "kw",
    "answer.citation_precision": "cite",
    "refusal.accuracy": "refuse",
    "refusal.false_refusal_rate": "f.ref",
    "latency.p50_ms": "p50",
}


def metrics_tables(metrics: dict) -> list[Table]:
    """The overall metrics (full keys), then a compact table by question type."""
    overall = Table("metric", "value", title="all questions")
    for key in METRIC_KEYS:
        overall.add_row(key, fmt(key, metrics.get(key)))
    by_type = Table("type", "n", *SHORT.values(), title="by type (kw: keyword accuracy, cite: citation precision, "
                    "refuse: refusal accuracy, f.ref: false refusals, p50 in s)")
    for column in by_type.columns:
        column.no_wrap = True
    for t, m in metrics.get("by_type", {}).items():
        cells = [_seconds(m.get(k)) if k.startswith("latency") else fmt(k, m.get(k)) for k in SHORT]
        by_type.add_row(_plain(t), str(m.get("n", 0)), *cells)
    return [overall, by_type]


def _assistant(settings: Settings, retriever=None):
    from rag.assistant import Assistant

    # one retriever for both: the index and the embedding model are loaded once
    return Assistant(settings, retriever=retriever)


def _check_answerer(answerer: str | None) -> None:
    if answerer is not None and answerer not in ANSWERERS:
        raise ZhikuError(f"unknown answerer {answerer!r}: use {' or '.join(ANSWERERS)}")


def _seconds(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f}"


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _noise_levels(value: str) -> list[str]:
    """"0, .8" -> ["0.0", "0.8"]: the spelling of RGB's file names."""
    try:
        return [f"{float(v):.1f}" for v in _split(value)]
    except ValueError:
        raise ZhikuError(f"--noise takes numbers like 0.0,0.8, not {value!r}") from None


def _plain(text: str) -> str:
    from rich.markup import escape

    return escape(text)
