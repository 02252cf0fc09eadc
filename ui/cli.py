"""The `zhiku` command line: ingest, search, ask, chat, serve, doctor (`index` is in
ui/index_cli.py, `eval` in eval/cli.py, `log` in ui/log_cli.py).

Each command builds `Settings()` once and passes it down. Errors a user can act on are
ZhikuError: printed as one line, exit code 2, no traceback.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.console import Console

from eval.cli import eval_app
from index.errors import ZhikuError
from rag.settings import Settings
from ui.index_cli import index_app, print_skipped
from ui.kb_cli import kb_app, token_app
from ui.log_cli import log_app
from ui.terminal import show_answer

app = typer.Typer(help="智库 zhiku: answers questions from your own articles, with citations.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(kb_app, name="kb")
app.add_typer(token_app, name="token")
app.add_typer(eval_app, name="eval", help="Score retrieval and answers on a test set; RGB's benchmark.")
app.add_typer(log_app, name="log")
console = Console(stderr=True)
out = Console()


def main() -> None:
    # OpenMP threads that spin while waiting collapse on a shared 2-core machine: query embedding
    # measured 16x faster with PASSIVE under load (bench/omp_wait.py). Read when torch/faiss load,
    # which happens after this line.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        app()
    except ZhikuError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time: rich's progress bars redirect it while they
    draw (so a warning lands above the bar, not through it), and so does a test's CliRunner."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


@app.callback()
def _logging(ctx: typer.Context) -> None:
    # warnings and errors only: libraries' INFO and DEBUG lines are not for a person at a terminal
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)

    def restore() -> None:  # the process may go on (a test's CliRunner): leave logging as found
        root.removeHandler(handler)
        root.setLevel(level)

    ctx.call_on_close(restore)


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
    print_skipped(report.skipped)
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


Answerer = Literal["llm", "extractive"]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question")],
    answerer: Annotated[Optional[Answerer], typer.Option(help="default: ZHIKU_ANSWERER")] = None,
    no_stream: Annotated[bool, typer.Option("--no-stream", help="print only the checked answer (for scripts)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Answer one question from the articles, with citations (streamed on a terminal)."""
    from rag.assistant import Assistant

    assistant = Assistant(Settings())
    try:
        if as_json:
            from ui.serialize import answer_to_dict

            answer = assistant.ask(question, answerer=answerer)
            out.print_json(json.dumps(answer_to_dict(answer), ensure_ascii=False))
            return
        stream = out.is_terminal and not no_stream
        show_answer(assistant.stream(question, [], answerer), out, console, stream=stream)
    finally:
        assistant.close()


@app.command()
def chat(
    answerer: Annotated[Optional[Answerer], typer.Option(help="default: ZHIKU_ANSWERER")] = None,
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
                answer = show_answer(assistant.stream(question, history, answerer), out, console, stream=out.is_terminal)
            except ZhikuError as exc:
                console.print(f"[red]{exc}[/red]")
                continue
            history.append(Turn(question, answer.text))
    finally:
        assistant.close()


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="address to listen on (default: ZHIKU_HOST, 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="default: ZHIKU_PORT, 7860")] = None,
    answerer: Annotated[Optional[Answerer], typer.Option(help="default: ZHIKU_ANSWERER, llm")] = None,
) -> None:
    """Start the chat, the JSON/OpenAI API and the widget on one server."""
    _serve(with_options(Settings(), host=host, port=port, answerer=answerer))


def with_options(settings: Settings, **options) -> Settings:
    """`settings` with the command-line options that were given: an option beats its ZHIKU_ variable."""
    return settings.model_copy(update={name: value for name, value in options.items() if value is not None})


def _serve(settings: Settings) -> None:
    import uvicorn

    from ui.access import redact_token_in_logs
    from ui.server import create_app, make_assistant

    assistant = make_assistant(settings)
    try:
        app = create_app(settings, assistant, warm_up=True)  # embedder and LLM load while the page opens
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


@app.command()
def doctor(
    skip_llm: Annotated[bool, typer.Option("--skip-llm", help="do not start the LLM (a quick run)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Check this install (Python, locked packages, models, the LLM, the index, disk) and say how to fix it.

    Exit code 1 when something a default `make run` needs is missing; warnings do not fail.
    """
    from ui.doctor import failed, print_check, print_summary, run_checks

    settings = Settings()
    if as_json:
        checks = list(run_checks(settings, skip_llm=skip_llm))
        out.print_json(json.dumps({"ok": not failed(checks), "checks": [asdict(c) for c in checks]}, ensure_ascii=False))
    else:
        checks = []
        with out.status("checking…") as status:
            for check in run_checks(settings, skip_llm=skip_llm, announce=status.update):
                print_check(check, out)
                checks.append(check)
        print_summary(checks, out)
    if failed(checks):
        raise typer.Exit(1)


# --- small helpers -------------------------------------------------------------------------


def _progress(items, label: str):
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="file", file=sys.stderr, disable=len(items) < 2)


if __name__ == "__main__":
    main()
