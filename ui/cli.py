"""The `zhiku` command line: ingest, index, search (and, from rag/ and eval/, ask and eval).

Each command builds `Settings()` once and passes it down. Errors a user can act on are
ZhikuError: printed as one line, exit code 2, no traceback.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from eval.cli import eval_app
from index.errors import ZhikuError
from index.records import Skipped
from rag.settings import Settings

app = typer.Typer(help="智库 zhiku: answers questions from your own articles, with citations.", no_args_is_help=True)
index_app = typer.Typer(help="Build and update the search index.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval", help="Score retrieval and answers on a test set; RGB's benchmark.")
console = Console(stderr=True)
out = Console()


def main() -> None:
    # OpenMP threads that spin while waiting collapse on a shared 2-core machine: query embedding
    # measured 16x faster with PASSIVE under load (bench/omp_wait.py). Read when torch/faiss load,
    # which happens after this line.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build step at DEBUG
    try:
        app()
    except ZhikuError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or folders to read")],
    dump: Annotated[Optional[Path], typer.Option(help="write every chunk as JSON Lines here")] = None,
) -> None:
    """Read, clean, split and chunk files (no embedding) and print what came out."""
    from index.loaders import load_paths
    from index.pipeline import chunk_document
    from rag.components import chunking_config

    settings = Settings()
    config = chunking_config(settings)
    root = paths[0] if len(paths) == 1 and paths[0].is_dir() else None
    report = load_paths(paths, root=root, max_bytes=settings.max_file_mb * 1024 * 1024)
    lengths: list[int] = []
    articles = 0
    sink = open(dump, "w", encoding="utf-8") if dump else None
    try:
        for doc in _progress(report.documents, "chunking"):
            doc_articles, chunks = chunk_document(doc, config)
            articles += len(doc_articles)
            lengths.extend(len(c.text) for c in chunks)
            for chunk in chunks if sink else ():
                sink.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
    finally:
        if sink:
            sink.close()
    _print_skipped(report.skipped)
    out.print(
        f"files read: {len(report.documents)}  skipped: {len(report.skipped)}  "
        f"articles: {articles}  chunks: {len(lengths)}"
    )
    if lengths:
        out.print(
            f"chunk length (characters): min {min(lengths)}  median {int(statistics.median(lengths))}  max {max(lengths)}"
        )
    if dump:
        out.print(f"chunks written to {dump}")


@index_app.command("build")
def index_build(
    folder: Annotated[Optional[Path], typer.Argument(help="corpus folder (default: ZHIKU_CORPUS_DIR)")] = None,
) -> None:
    """Bring the index in line with a folder: new and changed files are indexed, gone ones dropped."""
    from rag.components import make_builder

    settings = Settings()
    folder = folder or settings.corpus_dir
    if not folder.is_dir():
        raise ZhikuError(f"{folder} is not a folder")
    report = make_builder(settings, progress=True).build(folder)
    _print_build(report)


@index_app.command("add")
def index_add(paths: Annotated[list[Path], typer.Argument(help="files or folders to add or update")]) -> None:
    """Index new or changed files without touching the rest."""
    from rag.components import make_builder

    settings = Settings()
    report = make_builder(settings, progress=True).add(paths, root=settings.corpus_dir)
    _print_build(report)


@index_app.command("remove")
def index_remove(sources: Annotated[list[str], typer.Argument(help="files to drop, as `index stats` names them")]) -> None:
    """Drop files from the index."""
    from rag.components import make_builder

    settings = Settings()
    names = [_source_name(s, settings.corpus_dir) for s in sources]
    _print_build(make_builder(settings).remove(names))


@index_app.command("stats")
def index_stats(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """What the index holds and how it was built."""
    from rag.components import index_summary, make_store

    store = make_store(Settings())
    stats = index_summary(store)
    if stats is None:
        raise ZhikuError(f"no index at {store.stats().location}: run `zhiku index build` first")
    if as_json:
        out.print_json(json.dumps(stats, ensure_ascii=False))
        return
    table = Table("file", "articles", "chunks", title=f"index at {stats['location']}")
    for source, info in stats["files"].items():
        table.add_row(source, str(info.get("articles", "")), str(info.get("chunks", "")))
    out.print(table)
    out.print(
        f"documents {stats['documents']}  articles {stats['articles']}  chunks {stats['chunks']}  "
        f"model {stats['model']} ({stats['dimension']}-d)  index {stats['index_type']}  built {stats['built_at']}"
    )
    _print_skipped([Skipped(**s) for s in stats["skipped"]])


@index_app.command("migrate")
def index_migrate(
    to: Annotated[str, typer.Option("--to", help="the store to copy into: milvus or embedded")] = "milvus",
) -> None:
    """Copy the index into the other store (ZHIKU_INDEX_DIR <-> ZHIKU_MILVUS_URI), vectors included: nothing is re-embedded."""
    from index.migrate import copy_store
    from rag.components import make_store

    if to not in ("milvus", "embedded"):
        raise ZhikuError(f"--to {to}: use milvus or embedded")
    settings = Settings()
    source = make_store(settings.model_copy(update={"store": "embedded" if to == "milvus" else "milvus"}))
    target = make_store(settings.model_copy(update={"store": to}))
    started = time.perf_counter()
    copied = copy_store(source, target)
    out.print(
        f"copied {copied} chunks from {source.stats().location} to {target.stats().location} "
        f"in {time.perf_counter() - started:.1f} s; use it with ZHIKU_STORE={to}"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="the question or keywords")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="how many hits")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Search the index and print the passages found."""
    from rag.components import open_retriever

    hits = open_retriever(Settings()).search(query, top_k=k, mode=mode)
    if as_json:
        from ui.serialize import hit_to_dict

        rows = [{**hit_to_dict(h), "section": h.chunk.section} for h in hits]
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not hits:
        out.print("no passage matches")
    for h in hits:
        out.print(f"[bold]{h.rank}. {h.chunk.title}[/bold]  [dim]{h.chunk.source} · {mode} {h.score:.4f}[/dim]", markup=True)
        out.print(h.chunk.text, markup=False, highlight=False)
        out.print()


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question")],
    answerer: Annotated[Optional[str], typer.Option(help="llm or extractive (default: ZHIKU_ANSWERER)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Answer one question from the articles, with citations."""
    from rag.assistant import Assistant

    assistant = Assistant(Settings())
    try:
        if as_json:
            from ui.serialize import answer_to_dict

            answer = assistant.ask(question, answerer=answerer)
            out.print_json(json.dumps(answer_to_dict(answer), ensure_ascii=False))
            return
        _stream_answer(assistant, question, [], answerer)
    finally:
        assistant.close()


@app.command()
def chat(
    answerer: Annotated[Optional[str], typer.Option(help="llm or extractive (default: ZHIKU_ANSWERER)")] = None,
) -> None:
    """A conversation in the terminal, answers streamed as they are written. Empty line or Ctrl-D quits."""
    from rag.assistant import Assistant, Turn

    assistant = Assistant(Settings())
    history: list[Turn] = []
    try:
        while True:
            try:
                question = input("\n问> ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not question:
                break
            try:
                answer = _stream_answer(assistant, question, history, answerer)
            except ZhikuError as exc:
                console.print(f"[red]{exc}[/red]")
                continue
            history.append(Turn(question, answer.text))
    finally:
        assistant.close()


def _stream_answer(assistant, question: str, history, answerer):
    """Print deltas as they come, then the checked answer and its sources."""
    from rag.records import Answer

    streamed: list[str] = []
    answer = None
    for event in assistant.stream(question, history, answerer):
        if isinstance(event, Answer):
            answer = event
        else:
            streamed.append(event)
            out.print(event, end="", markup=False, highlight=False)
    out.print()
    if answer.standalone_question and answer.standalone_question != answer.question:
        console.print(f"[dim](检索问题：{answer.standalone_question})[/dim]", highlight=False)
    if answer.text.strip() != "".join(streamed).strip():
        out.print("\n[bold]核对引用后的回答：[/bold]")
        out.print(answer.text, markup=False, highlight=False)
    if answer.notice:
        console.print(f"[yellow]{answer.notice}[/yellow]", highlight=False)
    if answer.refused:
        titles = list(dict.fromkeys(h.chunk.title for h in answer.hits))[:5]
        if titles:
            out.print("检索过的文章：" + "；".join(titles), markup=False, highlight=False)
    for c in answer.citations:
        out.print(f"[{c.n}] {c.chunk.title} ({c.chunk.source})", markup=False, highlight=False)
        out.print(f"    “{c.quote}”", markup=False, highlight=False)
    return answer


@app.command()
def serve() -> None:
    """Start the chat, the JSON/OpenAI API and the widget on one server (ZHIKU_HOST, ZHIKU_PORT)."""
    import uvicorn

    from ui.access import redact_token_in_logs
    from ui.server import create_app, make_assistant

    settings = Settings()
    assistant = make_assistant(settings)
    try:
        app = create_app(settings, assistant)
        server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info"))
        redact_token_in_logs()  # after uvicorn's logging set-up: its access log prints ?token=
        shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        url = f"http://{shown}:{settings.port}/"
        out.print(f"智库 zhiku is serving the chat at {url}", soft_wrap=True)
        out.print(f"API docs {url}docs · widget demo {url}widget-demo", soft_wrap=True)
        if settings.token:
            out.print("ZHIKU_TOKEN is set: open pages with ?token=<token>, call the API with Authorization: Bearer <token>")
        server.run()
    finally:
        assistant.close()


# --- small helpers -------------------------------------------------------------------------


def _progress(items, label: str):
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="file", file=sys.stderr, disable=len(items) < 2)


def _print_skipped(skipped) -> None:
    for s in skipped:
        console.print(f"[yellow]skipped[/yellow] {s.source}: {s.reason}", markup=True, highlight=False)


def _print_build(report) -> None:
    _print_skipped(report.skipped)
    if report.full_rebuild_reason:
        console.print(f"[yellow]full rebuild:[/yellow] {report.full_rebuild_reason}")
    out.print(
        f"added {len(report.added)}  updated {len(report.updated)}  removed {len(report.removed)}  "
        f"unchanged {len(report.unchanged)}  skipped {len(report.skipped)} | chunks {report.chunks}  "
        f"embedded {report.embedded}  reused {report.reused} | {report.seconds:.1f} s"
    )


def _source_name(value: str, corpus_dir: Path) -> str:
    """Accept a path in the corpus folder as well as the source name itself."""
    path = Path(value)
    try:
        return path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return value


if __name__ == "__main__":
    main()
