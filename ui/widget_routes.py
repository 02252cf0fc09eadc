"""The widget's pages: the one-tag script, the chat inside its iframe (/embed), the demo page where
a web team gets a working tag (/widget-demo, /widget/snippet), and the check a host page makes
before it opens the panel (/widget/check), so a site that may not embed it is told which setting
to change instead of seeing a broken frame.

Usage: `add_widget_pages(app, settings, origins)` (ui/server.py).
"""

from __future__ import annotations

import html
import logging
import secrets
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from index.errors import ZhikuError
from rag.settings import Settings
from ui.access import frame_ancestors
from ui.identity import ADMIN_USER, Identity
from ui.widget_snippet import site_origin, widget_snippet
from ui.widget_tokens import mint

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
WIDGET_TOKEN_S = 3600  # a token handed to a page for its widget lives an hour


class WidgetCheck(BaseModel):
    allowed: bool
    origin: str  # the page's origin, as the server saw it
    setting: str  # what to change to allow it
    minted_for: str = ""  # with a widget token: the one site it was minted for


def _minted_origin(identity: Identity, token: str) -> str:
    """The site a valid widget token was minted for; "" for any other token or none."""
    from ui.widget_tokens import PREFIX, WidgetTokenError, verify

    if not token.startswith(PREFIX):
        return ""
    try:
        return verify(identity.secret, token).origin.lower().rstrip("/")
    except WidgetTokenError:  # expired or forged: the chat itself says so (请刷新页面)
        return ""


def _widget_token(identity: Identity, reader, site: str) -> str:
    """A widget token for this viewer's knowledge bases, made for one site (never the admin token in a page)."""
    return mint(identity.secret, site, sorted(reader.collections), reader.user, WIDGET_TOKEN_S,
                reader.token_id if reader.via == "api-token" else ADMIN_USER)


def add_widget_pages(app: FastAPI, settings: Settings, origins: list[str]) -> None:
    widget_js = (STATIC / "widget.js").read_text(encoding="utf-8")
    embed_page = (
        (STATIC / "embed.html").read_text(encoding="utf-8")
        .replace("/*EMBED_CSS*/", (STATIC / "embed.css").read_text(encoding="utf-8"))
        .replace("/*EMBED_JS*/", (STATIC / "embed.js").read_text(encoding="utf-8"))
    )
    demo_page = (STATIC / "widget-demo.html").read_text(encoding="utf-8")
    refused_origins: set[str] = set()  # told once each in the log, not on every page view

    @app.get("/widget/check", response_model=WidgetCheck, tags=["pages"],
             summary="Whether the calling page's origin may embed the widget; open, and readable from any site")
    def widget_check(request: Request, token: str = "") -> JSONResponse:
        origin = (request.headers.get("origin") or "").lower().rstrip("/")
        own = f"{request.url.scheme}://{request.url.netloc}".lower()
        minted_for = _minted_origin(request.app.state.identity, token)  # a widget token names its one site
        if minted_for:
            allowed = not origin or origin == minted_for
        else:
            allowed = not origin or origin == own or "*" in origins or origin in origins
        if not allowed and origin not in refused_origins and len(refused_origins) < 1000:
            refused_origins.add(origin)
            if minted_for:
                log.warning("a page at %s opened the chat widget with a widget token minted for %s", origin, minted_for)
            else:
                log.warning("a page at %s tried to open the chat widget; to allow it, add it to ZHIKU_ALLOWED_ORIGINS",
                            origin)
        body = {"allowed": allowed, "origin": origin or own, "setting": "ZHIKU_ALLOWED_ORIGINS", "minted_for": minted_for}
        return JSONResponse(body, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"})

    @app.get("/widget.js", response_class=Response, tags=["pages"], summary="The one-tag widget script")
    def widget() -> Response:
        return Response(widget_js, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "Cross-Origin-Resource-Policy": "cross-origin"})

    @app.get("/embed", response_class=HTMLResponse, tags=["pages"], summary="The chat without page chrome (iframe)")
    def embed(request: Request) -> HTMLResponse:
        # one self-contained page: its code runs under a per-response nonce and nothing else
        nonce = secrets.token_urlsafe(16)
        reader = getattr(request.state, "reader", None)
        framers = [reader.origin] if reader is not None and reader.via == "widget" else origins  # a minted token's one site
        csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
               f"img-src 'self' data:; base-uri 'none'; form-action 'none'; {frame_ancestors(framers)}")
        return HTMLResponse(embed_page.replace("__NONCE__", nonce).replace("__LANG__", settings.language),
                            headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})

    @app.get("/widget-demo", response_class=HTMLResponse, tags=["pages"], summary="A demo intranet page with the widget")
    def widget_demo(request: Request) -> HTMLResponse:
        # never the admin token in a page: a widget token for this viewer, their scope, this site, an hour
        identity: Identity = request.app.state.identity
        reader = getattr(request.state, "reader", None)
        token = ""
        if identity.required and reader is not None:
            own = str(request.base_url).rstrip("/")
            token = _widget_token(identity, reader, own)
        src = "/widget.js" + (f"?token={quote(token, safe='')}" if token else "")
        snippet = (f'<script src="{request.base_url}widget.js' + ('?token=…"' if token else '"')
                   + f' data-position="bottom-right" data-title="智库问答" data-lang="{settings.language}"></script>')
        page = (demo_page.replace("__SNIPPET__", html.escape(snippet))
                .replace("__WIDGET_SRC__", html.escape(src))
                .replace("__TOKEN__", html.escape(token))
                .replace("__LANG__", settings.language))
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    @app.get("/widget/snippet", tags=["pages"],
             summary="The widget's tag for a site a web team names, and whether that site may embed it (/widget-demo)")
    def widget_snippet_for(request: Request, origin: str = "") -> JSONResponse:
        identity: Identity = request.app.state.identity
        reader = getattr(request.state, "reader", None)
        token = ""
        if identity.required and reader is not None and reader.via != "widget":  # a widget token mints nothing
            try:
                site = site_origin(origin)
            except ZhikuError:
                site = ""  # widget_snippet says what is wrong with it
            if site:
                token = _widget_token(identity, reader, site)
        snippet = widget_snippet(origin, str(request.base_url), origins, settings.language, token)
        return JSONResponse(snippet.to_dict(), headers={"Cache-Control": "no-store"})
