"""`zhiku index ...`: build, add to, remove from and describe the search index.

Builds show a bar per stage (files read, chunks embedded); errors a user can act on are ZhikuError,
printed by `ui.cli.main` as one line.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from index.errors import ZhikuError
from index.records import Skipped
from rag.settings import Settings
from ui.terminal import build_progress

index_app = typer.Typer(help="Build and update the search index.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


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
    with build_progress(console) as on_progress:
        report = make_builder(settings).build(folder, on_progress=on_progress)
    _print_build(report)


@index_app.command("add")
def index_add(paths: Annotated[list[Path], typer.Argument(help="files or folders to add or update")]) -> None:
    """Index new or changed files without touching the rest."""
    from rag.components import make_builder

    settings = Settings()
    with build_progress(console) as on_progress:
        report = make_builder(settings).add(paths, root=settings.corpus_dir, on_progress=on_progress)
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
    print_skipped([Skipped(**s) for s in stats["skipped"]])


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


@index_app.command("export")
def index_export(
    folder: Annotated[Path, typer.Argument(help="a new folder to write the export into")],
) -> None:
    """Write the index (chunks, vectors, manifest) to a portable folder: JSON Lines + raw float32, no pickle."""
    from index.export_folder import ExportFolder
    from index.migrate import copy_store
    from rag.components import make_store

    source = make_store(Settings())
    started = time.perf_counter()
    copied = copy_store(source, ExportFolder(folder))
    out.print(f"exported {copied} chunks from {source.stats().location} to {folder} "
              f"in {time.perf_counter() - started:.1f} s; load it with `zhiku index import {folder}`")


@index_app.command("import")
def index_import(
    folder: Annotated[Path, typer.Argument(help="a folder `zhiku index export` wrote")],
    replace: Annotated[bool, typer.Option("--replace", help="replace an index that already exists")] = False,
) -> None:
    """Load an exported index into the configured store (ZHIKU_STORE), vectors included: nothing is re-embedded."""
    from index.export_folder import ExportFolder
    from index.migrate import copy_store
    from rag.components import make_store

    source = ExportFolder(folder)
    manifest = source.manifest()  # checks the folder before anything is touched
    target = make_store(Settings())
    if target.manifest() is not None and not replace:
        raise ZhikuError(f"{target.stats().location} already holds an index; add --replace to replace it with {folder}")
    started = time.perf_counter()
    copied = copy_store(source, target)
    out.print(f"imported {copied} chunks ({manifest.embedding_model}, {len(manifest.files)} files) into "
              f"{target.stats().location} in {time.perf_counter() - started:.1f} s")


# --- small helpers -------------------------------------------------------------------------


def print_skipped(skipped) -> None:
    for s in skipped:
        console.print(f"[yellow]skipped[/yellow] {s.source}: {s.reason}", markup=True, highlight=False)


def _print_build(report) -> None:
    print_skipped(report.skipped)
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
