"""`zhiku kb ...` (knowledge bases) and `zhiku token ...` (API tokens).

    zhiku kb create hr --folder /srv/hr --groups hr,managers --title 人事制度   # registers and indexes it
    zhiku kb build [hr]          # sync one knowledge base (or all) with its folder, incrementally
    zhiku kb list
    zhiku kb remove hr           # drops its files from the index; the folder stays
    zhiku token create --name hr-bot --collections hr,default [--admin] [--expires 30d]
    zhiku token list
    zhiku token revoke hr-bot    # by name or id
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from index.errors import ZhikuError
from rag.settings import Settings
from ui.terminal import build_progress

kb_app = typer.Typer(help="Knowledge bases: each a folder of articles and who may read it.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: named, scoped to knowledge bases, stored hashed.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


@kb_app.command("create")
def kb_create(
    name: Annotated[str, typer.Argument(help="short name: lowercase letters, digits, - or _")],
    folder: Annotated[Path, typer.Option("--folder", help="the folder of its articles")],
    groups: Annotated[str, typer.Option("--groups", help="who may read it: hr,managers (* = everyone signed in)")] = "*",
    title: Annotated[str, typer.Option("--title", help="the name people see")] = "",
    no_index: Annotated[bool, typer.Option("--no-index", help="register only; index later with `kb build`")] = False,
) -> None:
    """Register a knowledge base and index its folder."""
    from rag.components import make_registry

    settings = Settings()
    created = make_registry(settings).create(name, folder, groups, title)
    out.print(f"created {created.name} ({created.title}): {created.folder}, readable by {','.join(created.groups)}")
    if not no_index:
        _build(settings, [created.name])


@kb_app.command("build")
def kb_build(name: Annotated[Optional[str], typer.Argument(help="one knowledge base (default: all)")] = None) -> None:
    """Bring knowledge bases in line with their folders: new and changed files indexed, gone ones dropped."""
    from rag.components import make_registry

    settings = Settings()
    names = [name] if name else list(make_registry(settings).all())
    _build(settings, names)


@kb_app.command("list")
def kb_list(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """The knowledge bases, who may read each, and what the index holds of them."""
    from rag.components import index_summary, make_registry, make_store

    settings = Settings()
    registry = make_registry(settings)
    summary = index_summary(make_store(settings)) or {"files": {}}
    counts: dict[str, list[int]] = {}
    for info in summary["files"].values():
        c = counts.setdefault(info.get("collection", "default"), [0, 0])
        c[0] += 1
        c[1] += info.get("chunks", 0)
    rows = [{"name": n, "title": c.title, "folder": str(c.folder), "groups": list(c.groups),
             "files": counts.get(n, [0, 0])[0], "chunks": counts.get(n, [0, 0])[1]} for n, c in registry.all().items()]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("name", "title", "groups", "files", "chunks", "folder")
    for r in rows:
        table.add_row(r["name"], r["title"], ",".join(r["groups"]), str(r["files"]), str(r["chunks"]), r["folder"])
    out.print(table)


@kb_app.command("remove")
def kb_remove(name: Annotated[str, typer.Argument(help="the knowledge base")]) -> None:
    """Forget a knowledge base: its files leave the index; its folder is not touched."""
    from rag.components import make_builder, make_registry

    settings = Settings()
    registry = make_registry(settings)
    registry.get(name)  # a clear error for an unknown name, before anything changes
    report = make_builder(settings).remove_collection(name)
    registry.remove(name)
    out.print(f"removed {name}: {len(report.removed)} files dropped from the index")


def _build(settings: Settings, names: list[str]) -> None:
    from rag.components import make_builder, make_registry
    from ui.index_cli import _print_build

    registry = make_registry(settings)
    builder = make_builder(settings)
    for name in names:
        collection = registry.get(name)
        if not collection.folder.is_dir():
            raise ZhikuError(f"{collection.folder} (knowledge base {name}) is not a folder")
        console.print(f"[bold]{name}[/bold] {collection.folder}")
        with build_progress(console) as on_progress:
            report = builder.build(collection.folder, on_progress=on_progress, collection=name)
        _print_build(report)


# --- tokens ----------------------------------------------------------------------------------------


def _tokens(settings: Settings):
    from ui.tokens import TokenStore

    return TokenStore(settings.data_dir / "tokens.json")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="who or what uses it, e.g. hr-portal")],
    collections: Annotated[str, typer.Option("--collections", help="knowledge bases it may read: a,b (* = all)")],
    admin: Annotated[bool, typer.Option("--admin", help="may also manage knowledge bases and tokens")] = False,
    expires: Annotated[str, typer.Option("--expires", help="lifetime, e.g. 30d, 12h (default: never)")] = "",
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    from rag.components import make_registry

    settings = Settings()
    names = [c.strip() for c in collections.split(",") if c.strip()]
    known = make_registry(settings).all()
    unknown = [n for n in names if n != "*" and n not in known]
    if unknown:
        raise ZhikuError(f"no knowledge base named {unknown[0]!r}: `zhiku kb list` shows them")
    plain, record = _tokens(settings).create(name, names, admin, expires)
    console.print(f"created token {record.id} ({record.name}) for {','.join(record.collections)}"
                  f"{' (admin)' if record.admin else ''}, expires {_when(record.expires_at)}; it is shown once:")
    out.print(plain, highlight=False)


@token_app.command("list")
def token_list(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Every token: id, name, scope, state (never the token or its hash)."""
    records = [t.public() | {"active": t.active()} for t in _tokens(Settings()).all().values()]
    if as_json:
        out.print_json(json.dumps(records, ensure_ascii=False))
        return
    table = Table("id", "name", "collections", "admin", "created", "expires", "state")
    for r in records:
        state = "active" if r["active"] else ("revoked" if r["revoked_at"] else "expired")
        table.add_row(r["id"], r["name"], ",".join(r["collections"]), "yes" if r["admin"] else "",
                      _when(r["created_at"]), _when(r["expires_at"]), state)
    out.print(table)


@token_app.command("revoke")
def token_revoke(name_or_id: Annotated[str, typer.Argument(help="the token's id, or its name (all tokens of it)")]) -> None:
    """Revoke a token at once (a running server sees it at the next request)."""
    for record in _tokens(Settings()).revoke(name_or_id):
        out.print(f"revoked {record.id} ({record.name})")


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
