"""The knowledge base over HTTP: what is indexed, upload a file (indexed at once), remove one.

Limits come from KnowledgeBase: a type it does not read is 415, a file over settings.upload_max_mb
is 413 (refused from Content-Length before the body is read when the client sends it).

    curl -s -F file=@报告.pdf localhost:7860/api/kb/upload
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel

from index.knowledge_base import ALLOWED_TYPES, KnowledgeBase, KnowledgeBases, safe_filename
from index.records import DEFAULT_COLLECTION
from index.store import index_summary
from ui.api import check_text
from ui.identity import reader_of

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])


class KBStats(BaseModel):
    documents: int
    articles: int
    chunks: int
    built_at: str
    model: str
    llm: str
    answerer: str
    upload_max_mb: int
    allowed_types: list[str]
    files: dict[str, dict[str, Any]]
    skipped: list[dict[str, Any]] = []


class KBChange(BaseModel):
    source: str
    added: list[str]
    updated: list[str]
    removed: list[str]
    skipped: list[dict[str, str]]
    chunks: int
    seconds: float


@router.get("", response_model=KBStats, summary="What a knowledge base holds (default: `default`)")
def stats(request: Request, collection: str = Query(DEFAULT_COLLECTION, max_length=40)) -> dict:
    state = request.app.state
    data = _kb(request, collection, write=False).stats()
    return {
        **{k: data.get(k, "") for k in ("built_at", "model")},
        **{k: data.get(k, 0) for k in ("documents", "articles", "chunks")},
        "files": data.get("files", {}),
        "skipped": data.get("skipped", []),
        "llm": state.assistant.llm_description if state.settings.answerer == "llm" else "",
        "answerer": state.settings.answerer,
        "upload_max_mb": state.settings.upload_max_mb,
        "allowed_types": list(ALLOWED_TYPES),
    }


@router.post("/upload", response_model=KBChange, summary="Add or replace a file; it is indexed at once",
             responses={413: {"description": "file too large"}, 415: {"description": "type not accepted"}})
def upload(request: Request, file: UploadFile = File(description=f"one of {', '.join(ALLOWED_TYPES)}"),
           collection: str = Query(DEFAULT_COLLECTION, max_length=40, description="the knowledge base")) -> dict:
    kb = _kb(request, collection, write=True)
    name = safe_filename(file.filename or "")
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise HTTPException(415, f"{suffix or 'files without an extension'} files are not accepted; "
                                 f"use {', '.join(ALLOWED_TYPES)}")
    limit = kb.upload_max_mb * 1024 * 1024
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"the file is larger than the {kb.upload_max_mb} MB limit")
    report = kb.upload(name, data)
    return _change(kb.source_of(name), report)


@router.delete("/{source:path}", response_model=KBChange, summary="Drop a file from the index",
               responses={404: {"description": "not in the index"}})
def remove(source: str, request: Request) -> dict:
    try:
        source = check_text(source)
    except ValueError as exc:
        raise HTTPException(400, f"source {exc}") from exc
    kbs: KnowledgeBases = request.app.state.kbs
    summary = index_summary(kbs.builder.store) or {"files": {}}
    info = summary["files"].get(source)
    reader = reader_of(request)
    if info is None or not reader.may_read(info.get("collection", DEFAULT_COLLECTION)):
        raise HTTPException(404, f"{source!r} is not in the index; GET /api/kb lists the files")
    kb = _kb(request, info.get("collection", DEFAULT_COLLECTION), write=True)
    return _change(source, kb.remove(source))


def _change(source: str, report) -> dict:
    return {
        "source": source,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "skipped": [{"source": s.source, "reason": s.reason} for s in report.skipped],
        "chunks": report.chunks,
        "seconds": round(report.seconds, 2),
    }


def _kb(request: Request, collection: str, write: bool) -> KnowledgeBase:
    """The collection's knowledge base, if this reader may read it (else 404, as for one that does
    not exist) and, for changes, write it (else 403, and nothing is written)."""
    reader = reader_of(request)
    if write and not reader.may_write(collection):
        raise HTTPException(403, f"you may not change the knowledge base {collection!r}")
    if not reader.may_read(collection) or collection not in request.app.state.registry.all():
        raise HTTPException(404, f"no knowledge base named {collection!r} that you may read")
    return request.app.state.kbs.get(collection)
