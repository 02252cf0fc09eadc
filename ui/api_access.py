"""Knowledge bases, tokens and widget tokens over HTTP.

    GET    /api/collections             the knowledge bases you may read
    POST   /api/collections             (admin) create one from a folder on the server and index it
    DELETE /api/collections/{name}      (admin) drop it from the index (its folder is not touched)
    POST   /api/tokens                  (admin) an API token, shown once
    POST   /api/widget-tokens           (admin or API token) a short-lived token for one visitor of one site

    curl -s localhost:7860/api/widget-tokens -H "Authorization: Bearer $ZHIKU_API_TOKEN" \\
      -H 'Content-Type: application/json' -d '{"origin": "https://intranet.example.com", "user": "张三"}'
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from index.collections import parse_groups
from index.records import DEFAULT_COLLECTION
from ui.access import normalise_origins
from ui.api import StrictModel, text_field
from ui.identity import ADMIN_USER, Reader, reader_of
from ui.widget_tokens import MAX_TTL_S, mint

router = APIRouter(prefix="/api", tags=["access"])

Name = Annotated[str, Field(max_length=40)]


class CollectionOut(BaseModel):
    name: str
    title: str
    public: bool = Field(description="readable by everyone signed in")
    groups: list[str] | None = Field(None, description="admins only: who may read it")
    folder: str | None = Field(None, description="admins only")


class CollectionIn(StrictModel):
    name: Name
    folder: Annotated[str, Field(max_length=1000)]
    groups: Annotated[str, Field(max_length=1000)] = "*"
    title: Annotated[str, text_field(200)] = ""


class TokenIn(StrictModel):
    name: Annotated[str, text_field(100)]
    collections: list[Name] = Field(min_length=1, max_length=50)
    admin: bool = False
    expires: Annotated[str, Field(max_length=20)] = ""


class WidgetTokenIn(StrictModel):
    origin: Annotated[str, Field(max_length=300, description="the site that embeds the widget")]
    user: Annotated[str, text_field(200)] = Field("", description="the visitor's name, for the audit log")
    collections: list[Name] | None = Field(None, max_length=50, description="default: all the caller may read")
    ttl_s: int = Field(3600, ge=60, le=MAX_TTL_S, description="lifetime in seconds, at most a day")


class WidgetTokenOut(BaseModel):
    token: str
    expires_at: int
    origin: str
    collections: list[str]


@router.get("/collections", response_model=list[CollectionOut], summary="The knowledge bases you may read")
def list_collections(request: Request) -> list[dict]:
    reader = reader_of(request)
    found = []
    for name, c in request.app.state.registry.all().items():
        if reader.may_read(name):
            extra = {"groups": list(c.groups), "folder": str(c.folder)} if reader.is_admin else {}
            found.append({"name": name, "title": c.title, "public": c.public, **extra})
    return found


@router.post("/collections", response_model=CollectionOut, summary="(admin) Create a knowledge base and index it")
def create_collection(body: CollectionIn, request: Request) -> dict:
    _admin(request)
    state = request.app.state
    created = state.registry.create(body.name, Path(body.folder), parse_groups(body.groups), body.title)
    state.kbs.builder.build(created.folder, collection=created.name)
    state.assistant.reload_if_changed()
    return {"name": created.name, "title": created.title, "public": created.public, "groups": list(created.groups),
            "folder": str(created.folder)}


@router.delete("/collections/{name}", response_model=CollectionOut, summary="(admin) Remove a knowledge base")
def remove_collection(name: str, request: Request) -> dict:
    _admin(request)
    state = request.app.state
    state.registry.get(name)  # an unknown name is a clear error before anything changes
    if name == DEFAULT_COLLECTION:
        raise HTTPException(400, "the default knowledge base cannot be removed")
    state.kbs.builder.remove_collection(name)  # its chunks go first: never readable without an owner
    removed = state.registry.remove(name)
    state.assistant.reload_if_changed()
    return {"name": removed.name, "title": removed.title, "public": removed.public}


@router.post("/tokens", summary="(admin) Create an API token; the token is shown in this answer only")
def create_token(body: TokenIn, request: Request) -> dict:
    _admin(request)
    plain, record = request.app.state.tokens.create(body.name, body.collections, body.admin, body.expires)
    return {"token": plain, **record.public()}


@router.post("/widget-tokens", response_model=WidgetTokenOut,
             summary="Mint a short-lived widget token for one visitor of one site (admin or API token)")
def widget_token(body: WidgetTokenIn, request: Request) -> dict:
    reader = reader_of(request)
    if reader.via not in ("admin-token", "api-token"):
        raise HTTPException(403, "widget tokens are minted with an admin or API token (your server's back end "
                                 "holds it), not from a browser session or a widget")
    origins = normalise_origins([body.origin])
    if len(origins) != 1 or origins[0] == "*":
        raise HTTPException(422, "origin: name one site, e.g. https://intranet.example.com")
    wanted = body.collections or sorted(reader.collections)
    scope = reader.searchable(wanted)  # a name the caller may not read: the same refusal as an unknown one
    by = ADMIN_USER if reader.via == "admin-token" else reader.token_id
    token = mint(request.app.state.identity.secret, origins[0], list(scope), body.user, body.ttl_s, by)
    return {"token": token, "expires_at": int(time.time()) + body.ttl_s, "origin": origins[0],
            "collections": list(scope)}


def _admin(request: Request) -> Reader:
    reader = reader_of(request)
    if not reader.is_admin:
        raise HTTPException(403, "only an admin may do this (ZHIKU_TOKEN or a token created with --admin)")
    return reader
